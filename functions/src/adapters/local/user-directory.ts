import { createHash, randomBytes } from 'node:crypto';
import { DEFAULT_CLAIM_NAMES } from '../../domain/user.ts';
import { readJson, writeJson } from './data-folder.ts';
import type { LocalIssuer } from './local-issuer.ts';

/** A local user as kept in `users.json`. */
export interface LocalUser {
  name: string;
  teams: string[];
  admin: boolean;
}

interface UsersFile {
  users: Record<string, LocalUser>;
}

interface LoginCode {
  hash: string;
  user: string;
  expiresAt: string;
}

const hash = (code: string) => createHash('sha256').update(code).digest('hex');

/** Local users, teams and admin flags in the data folder, and the tokens and one-time login codes made for them. */
export class UserDirectory {
  constructor(
    private readonly usersFile: string,
    private readonly codesFile: string,
    private readonly issuer: LocalIssuer,
  ) {}

  /** All local users. */
  list(): Record<string, LocalUser> {
    return readJson<UsersFile>(this.usersFile, { users: {} }).users;
  }

  /** Adds or updates a user; teams and the admin flag are merged into what is kept. */
  upsert(id: string, change: { teams?: string[]; admin?: boolean; name?: string }): LocalUser {
    const file = readJson<UsersFile>(this.usersFile, { users: {} });
    const current = file.users[id] ?? { name: id, teams: [], admin: false };
    const user: LocalUser = {
      name: change.name ?? current.name,
      teams: [...new Set([...current.teams, ...(change.teams ?? [])])].sort(),
      admin: change.admin ?? current.admin,
    };
    file.users[id] = user;
    writeJson(this.usersFile, file);
    return user;
  }

  /** A bearer token carrying the user's teams and admin flag the way the cloud IdP's groups claim does. */
  async tokenFor(id: string, ttlSeconds = 12 * 3600): Promise<string> {
    const user = this.list()[id];
    if (!user) throw new Error(`no local user '${id}'`);
    const groups = [...user.teams, ...(user.admin ? [DEFAULT_CLAIM_NAMES.adminGroup] : [])];
    return this.issuer.issue(id, { name: user.name, [DEFAULT_CLAIM_NAMES.teams]: groups }, ttlSeconds);
  }

  /** A one-time login code for a user, valid for a day; only its hash is kept. */
  createLoginCode(user: string, now: Date): string {
    const code = randomBytes(24).toString('base64url');
    const codes = readJson<LoginCode[]>(this.codesFile, []).filter((c) => new Date(c.expiresAt) > now);
    codes.push({ hash: hash(code), user, expiresAt: new Date(now.getTime() + 86_400_000).toISOString() });
    writeJson(this.codesFile, codes);
    return code;
  }

  /** Spends a login code: the user it was for, or null when it is unknown, used or expired. */
  redeemLoginCode(code: string, now: Date): string | null {
    const codes = readJson<LoginCode[]>(this.codesFile, []);
    const found = codes.find((c) => c.hash === hash(code) && new Date(c.expiresAt) > now);
    writeJson(
      this.codesFile,
      codes.filter((c) => c !== found && new Date(c.expiresAt) > now),
    );
    return found?.user ?? null;
  }
}
