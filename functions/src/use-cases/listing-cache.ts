import type { Clock } from '../ports/clock.ts';

/** How much the listing cache holds and for how long. */
export interface ListingCacheLimits {
  /** Notebooks held across all cached pages; 0 turns the cache off. */
  maxItems: number;
  /** How long after a stamp moves its pages are not kept: an index a listing reads may lag the write behind it. */
  settleMs: number;
  /** A page is dropped this long after it was read whatever the stamp says, bounding a lost stamp move. */
  maxAgeMs: number;
}

/**
 * A second for a table's indexes to catch up with a write (DynamoDB's usually take a fraction of one); a minute
 * at most for a page whose stamp never moved because the write's process died between the write and the move.
 */
export const DEFAULT_LISTING_CACHE: ListingCacheLimits = { maxItems: 20_000, settleMs: 1000, maxAgeMs: 60_000 };

interface Entry<T> {
  stamp: string;
  readAt: number;
  page: T;
  size: number;
}

/**
 * Listing pages this process has read, each kept under the listing stamp read before it. A page is served
 * again only while the stamp has not moved, so a cached page is never older than the last write it could show;
 * the least recently used pages go first when the cache holds `maxItems` notebooks. Callers that miss the same
 * page under the same stamp at once share one read, so a write does not send every waiting client to the store.
 */
export class ListingCache<T extends { items: readonly unknown[] }> {
  private readonly pages = new Map<string, Entry<T>>();
  private readonly reading = new Map<string, { stamp: string; page: Promise<T> }>();
  private held = 0;
  private newest?: { stamp: string; firstSeen: number };

  constructor(
    private readonly limits: ListingCacheLimits,
    private readonly clock: Clock,
  ) {}

  /** The page for `key` under the stamp just read: kept, being read by another caller, or read by `load` now. */
  async page(key: string, stamp: string, load: () => Promise<T>): Promise<T> {
    const readAt = this.clock.now().getTime();
    if (this.newest?.stamp !== stamp) this.newest = { stamp, firstSeen: readAt };
    const entry = this.take(key);
    if (entry && entry.stamp === stamp && readAt - entry.readAt <= this.limits.maxAgeMs) {
      this.put(key, entry);
      return entry.page;
    }
    const pending = this.reading.get(key);
    if (pending?.stamp === stamp) return pending.page;
    const settled = readAt - this.newest.firstSeen >= this.limits.settleMs;
    const page = load();
    this.reading.set(key, { stamp, page });
    try {
      const read = await page;
      if (settled && this.newest.stamp === stamp)
        this.put(key, { stamp, readAt, page: read, size: read.items.length + 1 });
      return read;
    } finally {
      if (this.reading.get(key)?.page === page) this.reading.delete(key);
    }
  }

  private take(key: string): Entry<T> | undefined {
    const entry = this.pages.get(key);
    if (!entry) return undefined;
    this.pages.delete(key);
    this.held -= entry.size;
    return entry;
  }

  // A Map iterates in insertion order, so re-inserting on every hit keeps the least recently used first.
  private put(key: string, entry: Entry<T>): void {
    this.take(key);
    if (entry.size > this.limits.maxItems) return;
    this.pages.set(key, entry);
    this.held += entry.size;
    for (const [old, e] of this.pages) {
      if (this.held <= this.limits.maxItems) break;
      this.pages.delete(old);
      this.held -= e.size;
    }
  }
}

/** The cache these limits ask for; none when they hold no notebooks. */
export const listingCacheOf = <T extends { items: readonly unknown[] }>(
  limits: ListingCacheLimits,
  clock: Clock,
): ListingCache<T> | undefined => (limits.maxItems > 0 ? new ListingCache<T>(limits, clock) : undefined);
