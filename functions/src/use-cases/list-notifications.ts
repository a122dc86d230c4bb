import { ForbiddenError } from '../domain/errors.ts';
import type { User } from '../domain/user.ts';
import type { NotificationDelivery } from '../ports/notification-log.ts';
import type { NotifyDeps } from './notify-deps.ts';

/** What reading the delivery log needs. */
export type ListNotificationsDeps = Pick<NotifyDeps, 'notificationLog' | 'cursors'>;

/** A page of the delivery log as the API answers it. */
export interface NotificationsAnswer {
  items: NotificationDelivery[];
  nextCursor: string | null;
}

/**
 * GET /notifications: the notifications sent to the caller, newest first, with what became of each.
 * 1. Decide whose: the caller's own by default; another user's (`user`) or everyone's (`*`) for admins only (403).
 * 2. Open the cursor, sealed to that choice (a cursor of another listing is a 400).
 * 3. Read one page (one Query) and seal the position after it.
 */
export const listNotifications = async (
  deps: ListNotificationsDeps,
  input: { user: User; forUser?: string; limit: number; cursor?: string },
): Promise<NotificationsAnswer> => {
  const whose = input.forUser ?? input.user.id;
  if (whose !== input.user.id && !input.user.admin) {
    throw new ForbiddenError("only admins may read other users' notifications");
  }
  const scope = JSON.stringify(['notifications', whose]);
  const after = input.cursor ? deps.cursors.decode(scope, input.cursor) : undefined;
  const page =
    whose === '*'
      ? await deps.notificationLog.listAll({ after, limit: input.limit })
      : await deps.notificationLog.listByUser(whose, { after, limit: input.limit });
  return { items: page.items, nextCursor: page.next ? deps.cursors.encode(scope, page.next) : null };
};
