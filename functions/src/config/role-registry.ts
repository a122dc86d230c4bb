import { readFileSync } from 'node:fs';
import { RoleRegistrySchema } from '../contracts/credential-schemas.ts';
import type { Role } from '../domain/role.ts';

// The role registry's reader as the Lambdas use it (JSON only); local mode also reads YAML (roles-config.ts). The
// schema is a contract (contracts/credential-schemas.ts), because the deploy reads the same file to grant the
// broker exactly these roles.

/** The registry used unless configuration names one: no roles, so no credentials are issued. */
export const DEFAULT_ROLES: Role[] = [];

/** Checks a registry already parsed from its text; a bad entry stops start-up with where and what. */
export const checkRoles = (raw: unknown, source: string): Role[] => {
  const parsed = RoleRegistrySchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new Error(`configuration: ${source}: ${problems.join('; ')}`);
};

/** Parses a registry written as JSON (what the Lambdas read); anything else stops start-up naming the source. */
export const parseRolesJson = (text: string, source: string): Role[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new Error(`configuration: ${source} is not JSON (the cloud reads the role registry as JSON): ${why}`);
  }
  return checkRoles(raw, source);
};

/** The registry from a file, from inline text (ORRERY_ROLES), or the empty default, each parsed with `parse`. */
export const readRoleRegistry = (
  file: string | undefined,
  inline: string | undefined,
  parse: (text: string, source: string) => Role[],
): Role[] => {
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`configuration: ORRERY_ROLES_FILE ${file} cannot be read: ${(err as Error).message}`);
    }
    return parse(text, file);
  }
  if (inline) return parse(inline, 'ORRERY_ROLES');
  return DEFAULT_ROLES;
};

/** The registry as the Lambdas read it: JSON only. */
export const loadRolesJson = (file: string | undefined, inline: string | undefined): Role[] =>
  readRoleRegistry(file, inline, parseRolesJson);
