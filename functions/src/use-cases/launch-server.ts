import { AppError, ConflictError, UpstreamError } from '../domain/errors.ts';
import { requestedEvent } from '../domain/launch.ts';
import { profileFor, resolveResources, type LaunchOverrides } from '../domain/profile.ts';
import {
  ACTIVE_SERVER_STATUSES,
  checkServerName,
  hashServerToken,
  makeServerCredentialsToken,
  makeServerToken,
  parseSlotHolder,
  serverIdFor,
  slotHolder,
  type Server,
} from '../domain/server.ts';
import { roleFor } from '../domain/role.ts';
import type { User } from '../domain/user.ts';
import type { ServerDeps } from './server-deps.ts';

/** What launching a server needs: its record and slot, its tokens in compute, the launch workflow. */
export type LaunchServerDeps = Pick<
  ServerDeps,
  'servers' | 'compute' | 'workflows' | 'clock' | 'ids' | 'profiles' | 'roles' | 'serverSettings'
>;

/** What a launch asks for. */
export interface LaunchServerInput {
  user: User;
  name: string;
  profile?: string;
  overrides?: LaunchOverrides;
  /** The AWS role its credentials sidecar serves keys for (one the user holds); none: no keys until one is set. */
  role?: string;
}

// A slot taken this recently may belong to a launch that has not written its record yet.
const SLOT_SETTLE_MS = 60_000;
// Past its own timeout plus this, a launch nothing has recorded is finished by the culler (its workflow died).
const LAUNCH_GRACE_MS = 10 * 60_000;

// A slot is stale when the launch holding it is no longer its server's current, active launch.
const isStale = async (deps: Pick<ServerDeps, 'servers'>, holder: string, slot: number): Promise<boolean> => {
  const { serverId, launchId } = parseSlotHolder(holder);
  const server = await deps.servers.getServer(serverId);
  return (
    !server || !ACTIVE_SERVER_STATUSES.includes(server.status) || server.launchId !== launchId || server.slot !== slot
  );
};

/**
 * Takes one of the owner's slots (the per-user limit) for one launch; a slot whose launch ended without giving it back
 * is reused.
 */
const claimSlot = async (
  deps: Pick<ServerDeps, 'servers' | 'serverSettings'>,
  owner: string,
  holder: string,
  now: Date,
): Promise<number> => {
  const limit = deps.serverSettings.limitPerUser;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const slots = (await deps.servers.listSlots(owner)).filter((s) => s.slot < limit);
    const used = new Set(slots.map((s) => s.slot));
    for (let k = 0; k < limit; k += 1)
      if (!used.has(k) && (await deps.servers.takeSlot(owner, k, holder, now.toISOString()))) return k;
    for (const s of slots) {
      if (now.getTime() - Date.parse(s.takenAt) < SLOT_SETTLE_MS) continue;
      if (
        (await isStale(deps, s.holder, s.slot)) &&
        (await deps.servers.takeSlot(owner, s.slot, holder, now.toISOString(), s.holder))
      )
        return s.slot;
    }
    if (used.size >= limit) break;
  }
  const active = (await deps.servers.listServers(owner))
    .filter((s) => ACTIVE_SERVER_STATUSES.includes(s.status))
    .map((s) => s.name);
  throw new ConflictError(
    `you already have ${limit} servers (the limit per user); ` +
      `stop one first: ${active.join(', ') || 'one is still stopping'}`,
    'server_limit',
  );
};

/**
 * Launches a named server (202):
 * 1. Check the name, the profile (the caller's teams must be allowed) and the overrides against it, and the role
 *    (one the caller holds: an unknown role and one not held are the same 403 as POST /credentials).
 * 2. Refuse a name that is active; take a slot of the per-user limit (409 past it).
 * 3. Record the server PENDING with the hashes of two new random tokens, hand both to the backend (a Secret, or a
 *    file and the sidecar's environment), with a third random secret for a Spark profile (Spark's authentication
 *    secret, never recorded), and start the launch-server workflow.
 * The server token is returned once, here: it opens Jupyter and is what the server reports activity with. The
 * credentials token is never returned: only the credentials sidecar gets it, since notebook code can read
 * JUPYTER_TOKEN and must not be able to fetch keys with it from anywhere else.
 */
export const launchServer = async (
  deps: LaunchServerDeps,
  input: LaunchServerInput,
): Promise<{ server: Server; token: string }> => {
  const name = checkServerName(input.name);
  const profile = profileFor(input.user, deps.profiles, input.profile);
  const resources = resolveResources(profile, input.overrides);
  const role = input.role === undefined ? undefined : roleFor(input.user, deps.roles, input.role);
  const id = serverIdFor(input.user.id, name);
  const existing = await deps.servers.getServer(id);
  if (existing && ACTIVE_SERVER_STATUSES.includes(existing.status))
    throw new ConflictError(`server '${name}' is ${existing.status}; stop it first or pick another name`);
  const now = deps.clock.now();
  const launchId = deps.ids.next('launch');
  const holder = slotHolder(id, launchId);
  const slot = await claimSlot(deps, input.user.id, holder, now);
  const token = makeServerToken(id, launchId, deps.ids.secret());
  const credentialsToken = makeServerCredentialsToken(id, launchId, deps.ids.secret());
  // Spark's authentication secret for the server's sessions: the launch's, so Spark need not make one and put it in
  // its executors' pod specs, which other users of Spark profiles may read.
  const sparkSecret = profile.spark ? deps.ids.secret() : undefined;
  const at = now.toISOString();
  const server: Server = {
    id,
    owner: input.user.id,
    name,
    profile: profile.slug,
    resources,
    hourlyPrice: profile.hourlyPrice,
    idleTimeoutSeconds: profile.idleTimeoutSeconds,
    maxAgeSeconds: profile.maxAgeSeconds,
    status: 'PENDING',
    slot,
    launchId,
    tokenHash: hashServerToken(token),
    credentialsTokenHash: hashServerToken(credentialsToken),
    // The owner's teams, role or not: the sidecar and the server token's routes act for the owner without them.
    ...(role ? { role: role.name } : {}),
    ownerTeams: [...input.user.teams],
    createdAt: at,
    updatedAt: at,
    lastActivity: at,
    progress: [requestedEvent(at)],
    cullCheckAt: new Date(
      now.getTime() + deps.serverSettings.launch.timeoutSeconds * 1000 + LAUNCH_GRACE_MS,
    ).toISOString(),
  };
  try {
    await deps.servers.putServer(server);
  } catch (err) {
    await deps.servers.releaseSlot(input.user.id, slot, holder);
    throw err;
  }
  try {
    await deps.compute.putToken(id, token, credentialsToken, sparkSecret);
    await deps.workflows.launchServer(id, launchId);
  } catch (err) {
    await deps.servers.moveServer(
      id,
      ['PENDING'],
      {
        status: 'FAILED',
        reason: `the launch could not start: ${(err as Error).message}`,
        updatedAt: deps.clock.now().toISOString(),
      },
      { launchId },
    );
    await deps.servers.releaseSlot(input.user.id, slot, holder);
    throw err instanceof AppError
      ? err
      : new UpstreamError('the server could not be launched just now; try again in a minute');
  }
  return { server, token };
};
