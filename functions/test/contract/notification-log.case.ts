import { describe, expect, it } from 'vitest';
import type { NotificationDelivery, NotificationLog } from '../../src/ports/notification-log.ts';
import type { PageOf, SchedulePage } from '../../src/ports/schedule-store.ts';
import { sampleDelivery as delivery } from '../support/schedule-samples.ts';

type Lister = (page: SchedulePage) => Promise<PageOf<NotificationDelivery>>;

// Reads every page of one listing, checking each page's size, and returns the ids in order.
const drain = async (list: Lister, limit: number) => {
  const ids: string[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await list({ after, limit });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((d) => d.id));
    if (!page.next) return ids;
    after = page.next;
  }
  throw new Error('the listing never ended');
};

/** The behaviour every NotificationLog must have; each adapter's test file runs it. */
export const notificationLogContract = (name: string, make: () => Promise<NotificationLog>) =>
  describe(`NotificationLog contract: ${name}`, () => {
    it('reads back a delivery exactly, a failed one with its error and one logged without a destination', async () => {
      // Prepare
      const log = await make();
      const sent = delivery(1);
      const failed = delivery(2, { status: 'failed', attempts: 4, error: '429 Too Many Requests: rate limited' });
      const logged = delivery(3, { kind: 'digest', destination: null, ref: null, status: 'logged', attempts: 0 });
      // Act
      for (const d of [sent, failed, logged]) await log.record(d);
      // Assess
      expect((await log.listByUser('alice', { limit: 10 })).items).toStrictEqual([logged, failed, sent]);
    });

    it('replaces a delivery recorded again under the same id', async () => {
      // Prepare
      const log = await make();
      await log.record(delivery(1, { status: 'failed', attempts: 1, error: '500 Internal Server Error' }));
      const retried = delivery(1, { attempts: 2 });
      // Act
      await log.record(retried);
      // Assess
      expect((await log.listAll({ limit: 10 })).items).toStrictEqual([retried]);
    });

    it.each([1, 2, 3, 10])("pages a user's notifications newest first, %i a page, and no one else's", async (limit) => {
      // Prepare
      const log = await make();
      for (const [k, m] of [4, 1, 9, 3, 7, 0].entries()) await log.record(delivery(m, { id: `ntc${k}x${m}` }));
      await log.record(delivery(5, { user: 'alicex', id: 'ntc-alicex' }));
      await log.record(delivery(6, { user: 'bob', id: 'ntc-bob' }));
      // Act
      const ids = await drain((page) => log.listByUser('alice', page), limit);
      const none = await drain((page) => log.listByUser('carol', page), limit);
      // Assess
      expect(ids).toEqual(['ntc2x9', 'ntc4x7', 'ntc0x4', 'ntc3x3', 'ntc1x1', 'ntc5x0']);
      expect(none).toEqual([]);
    });

    it.each([1, 3, 10])('pages every notification newest first for admins, %i a page', async (limit) => {
      // Prepare
      const log = await make();
      await log.record(delivery(2, { user: 'bob', id: 'ntc-b' }));
      await log.record(delivery(1, { id: 'ntc-a' }));
      await log.record(delivery(3, { user: 'carol', id: 'ntc-c', status: 'failed', error: 'timeout' }));
      await log.record(delivery(3, { user: 'dan', id: 'ntc-d' }));
      // Act
      const ids = await drain((page) => log.listAll(page), limit);
      // Assess
      expect(ids).toEqual(['ntc-d', 'ntc-c', 'ntc-b', 'ntc-a']);
    });
  });
