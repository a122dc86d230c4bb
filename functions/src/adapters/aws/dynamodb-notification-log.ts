import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NotificationDelivery, NotificationLog } from '../../ports/notification-log.ts';
import type { PageOf, SchedulePage } from '../../ports/schedule-store.ts';
import { queryPage, type KeyRange } from './dynamodb-pages.ts';

// An item per notification, `NOTICE#<id>` / `META`, its position `<createdAt>#<id>` sorting two indexes:
// gsi1, a user's notifications (`NOTICEUSER#<user>`), and gsi4, every notification (`NOTICES`, admins).
const ALL_PK = 'NOTICES';
const userPk = (user: string) => `NOTICEUSER#${user}`;
const position = (d: Pick<NotificationDelivery, 'createdAt' | 'id'>) => `${d.createdAt}#${d.id}`;
const KEYS = ['PK', 'SK', 'entity', 'GSI1PK', 'GSI1SK', 'GSI4PK', 'GSI4SK'];

const fromItem = (item: Record<string, unknown>): NotificationDelivery =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !KEYS.includes(k))) as unknown as NotificationDelivery;

const listing = (n: 1 | 4, value: string): KeyRange<NotificationDelivery> => ({
  index: `gsi${n}`,
  pk: `GSI${n}PK`,
  sk: `GSI${n}SK`,
  value,
  from: fromItem,
  position,
});

/** The notification delivery log in the single table: one put per delivery, two indexes to read it newest first. */
export class DynamoDbNotificationLog implements NotificationLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(delivery: NotificationDelivery): Promise<void> {
    // Unconditional: a delivery retried under the same id replaces its earlier record (the port's rule).
    await this.doc.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          ...delivery,
          PK: `NOTICE#${delivery.id}`,
          SK: 'META',
          entity: 'notification',
          GSI1PK: userPk(delivery.user),
          GSI1SK: position(delivery),
          GSI4PK: ALL_PK,
          GSI4SK: position(delivery),
        },
      }),
    );
  }

  listByUser(user: string, page: SchedulePage): Promise<PageOf<NotificationDelivery>> {
    return queryPage(this.doc, this.table, listing(1, userPk(user)), page);
  }

  listAll(page: SchedulePage): Promise<PageOf<NotificationDelivery>> {
    return queryPage(this.doc, this.table, listing(4, ALL_PK), page);
  }
}
