import type { NoticeKind } from './notifier.ts';
import type { PageOf, SchedulePage } from './schedule-store.ts';

/** How a delivery ended: sent, given up after retries, or kept in the log only (no destination configured). */
export type DeliveryStatus = 'delivered' | 'failed' | 'logged';

/** One notification and what became of it. */
export interface NotificationDelivery {
  id: string;
  user: string;
  kind: NoticeKind;
  /** The destination's name; null when none was configured. */
  destination: string | null;
  subject: string;
  text: string;
  ref: string | null;
  status: DeliveryStatus;
  attempts: number;
  /** The last failure, as the destination answered (status and a short reason); null when delivered. */
  error: string | null;
  createdAt: string;
}

/** The delivery log: every notification, by user (GET /notifications) and all (admins). */
export interface NotificationLog {
  /** Records one delivery; a repeated id replaces it. */
  record(delivery: NotificationDelivery): Promise<void>;
  /** A user's notifications, newest first, paged: one Query a page. */
  listByUser(user: string, page: SchedulePage): Promise<PageOf<NotificationDelivery>>;
  /** Every notification, newest first, paged (admins). */
  listAll(page: SchedulePage): Promise<PageOf<NotificationDelivery>>;
}
