import { ForbiddenError } from '../domain/errors.ts';
import type { User } from '../domain/user.ts';
import type { CullRecord } from '../ports/server-store.ts';
import type { ServerDeps } from './server-deps.ts';

/** What reading the cull log needs. */
export type ListCullsDeps = Pick<ServerDeps, 'servers' | 'cursors'>;

/** GET /admin/culls: what the culler stopped and why, newest first; admins only. */
export const listCulls = async (
  deps: ListCullsDeps,
  input: { user: User; limit: number; cursor?: string },
): Promise<{ items: CullRecord[]; nextCursor: string | null }> => {
  if (!input.user.admin) throw new ForbiddenError('only admins may read the cull log');
  const before = input.cursor ? deps.cursors.decode('culls', input.cursor) : undefined;
  const page = await deps.servers.listCulls({ before, limit: input.limit });
  return { items: page.items, nextCursor: page.next ? deps.cursors.encode('culls', page.next) : null };
};
