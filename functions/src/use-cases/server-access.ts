import { NotFoundError } from '../domain/errors.ts';
import { formatCpu, formatMemory } from '../domain/quantity.ts';
import { checkServerName, serverIdFor, type Server } from '../domain/server.ts';
import type { User } from '../domain/user.ts';
import type { ServerDeps } from './server-deps.ts';

/**
 * Finds a caller's server by name. A server belongs to its owner; admins may name another owner.
 * Anyone else's server is a 404, so names of other people's servers do not leak.
 */
export const findServer = async (
  deps: Pick<ServerDeps, 'servers'>,
  user: User,
  name: string,
  owner?: string,
): Promise<Server> => {
  checkServerName(name, 'path.name');
  const whose = owner ?? user.id;
  const server = whose === user.id || user.admin ? await deps.servers.getServer(serverIdFor(whose, name)) : null;
  if (!server || server.owner !== whose || server.name !== name)
    throw new NotFoundError(`no server '${name}'${owner ? ` of ${owner}` : ''}; GET /servers lists yours`);
  return server;
};

/** A server as the API shows it: no token hash, no internal keys. */
export const viewServer = (s: Server) => ({
  name: s.name,
  owner: s.owner,
  profile: s.profile,
  status: s.status,
  url: s.url ?? null,
  image: s.resources.image,
  role: s.role ?? null,
  resources: {
    cpuRequest: formatCpu(s.resources.cpuRequest),
    cpuLimit: formatCpu(s.resources.cpuLimit),
    memoryRequest: formatMemory(s.resources.memoryRequest),
    memoryLimit: formatMemory(s.resources.memoryLimit),
    gpus: s.resources.gpus,
  },
  hourlyPrice: s.hourlyPrice,
  createdAt: s.createdAt,
  startedAt: s.startedAt ?? null,
  stoppedAt: s.stoppedAt ?? null,
  lastActivity: s.lastActivity,
  idleTimeoutSeconds: s.idleTimeoutSeconds,
  maxAgeSeconds: s.maxAgeSeconds,
  reason: s.reason ?? null,
  stoppedBy: s.stoppedBy ?? null,
  cullWarning: s.cullWarning ?? null,
  progress: s.progress.at(-1) ?? null,
});

/** The API's view of a server. */
export type ServerView = ReturnType<typeof viewServer>;
