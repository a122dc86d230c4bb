import { describeProfile, profilesFor } from '../domain/profile.ts';
import type { User } from '../domain/user.ts';
import { findServer, viewServer, type ServerView } from './server-access.ts';
import type { ServerDeps } from './server-deps.ts';

/** GET /profiles: the profiles the caller's teams may use, in registry order. */
export const listProfiles = (deps: Pick<ServerDeps, 'profiles'>, input: { user: User }) => ({
  items: profilesFor(input.user, deps.profiles).map(describeProfile),
});

/** GET /servers: the caller's servers by name (an admin may name another owner). */
export const listServers = async (
  deps: Pick<ServerDeps, 'servers'>,
  input: { user: User; owner?: string },
): Promise<{ items: ServerView[] }> => {
  const owner = input.owner ?? input.user.id;
  if (owner !== input.user.id && !input.user.admin) return { items: [] };
  return { items: (await deps.servers.listServers(owner)).map(viewServer) };
};

/** GET /servers/{name}: one of the caller's servers. */
export const getServer = async (
  deps: Pick<ServerDeps, 'servers'>,
  input: { user: User; name: string; owner?: string },
): Promise<ServerView> => viewServer(await findServer(deps, input.user, input.name, input.owner));
