import type { NotificationDelivery, NotificationLog } from '../../ports/notification-log.ts';
import type { PageOf, SchedulePage } from '../../ports/schedule-store.ts';

const position = (d: NotificationDelivery) => `${d.createdAt}#${d.id}`;

/** The notification delivery log in a Map, for unit tests; the contract suite keeps it honest with DynamoDB. */
export class MemoryNotificationLog implements NotificationLog {
  private readonly deliveries = new Map<string, NotificationDelivery>();

  async record(delivery: NotificationDelivery): Promise<void> {
    this.deliveries.set(delivery.id, structuredClone(delivery));
  }

  async listByUser(user: string, page: SchedulePage): Promise<PageOf<NotificationDelivery>> {
    return this.page((d) => d.user === user, page);
  }

  async listAll(page: SchedulePage): Promise<PageOf<NotificationDelivery>> {
    return this.page(() => true, page);
  }

  private page(keep: (d: NotificationDelivery) => boolean, page: SchedulePage): PageOf<NotificationDelivery> {
    const read = [...this.deliveries.values()]
      .filter((d) => keep(d) && (page.after === undefined || position(d) < page.after))
      .sort((a, b) => (position(a) < position(b) ? 1 : -1));
    const items = read.slice(0, page.limit).map((d) => structuredClone(d));
    return { items, next: read.length > page.limit ? position(items.at(-1)!) : undefined };
  }
}
