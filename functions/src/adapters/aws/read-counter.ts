import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** What a DynamoDB client has read since it was last reset: items, requests, and Scans (which a listing must not). */
export interface ReadCount {
  /** Items DynamoDB read: a Query's or Scan's ScannedCount, the items a GetItem or BatchGetItem returned. */
  items: number;
  /** Read requests sent: Query, Scan, GetItem, BatchGetItem. */
  requests: number;
  /** BatchGetItem and GetItem requests: the round trips that fetch items by key after an index Query. */
  keyReads: number;
  scans: number;
}

/** A live tally of a client's reads. */
export interface ReadCounter {
  readonly count: ReadCount;
  reset(): void;
}

type Output = { ScannedCount?: number; Item?: unknown; Responses?: Record<string, unknown[]> };

// The document client's commands and the base client's, whichever stack the middleware sits on.
const KEY_READS = new Set(['GetItemCommand', 'GetCommand', 'BatchGetItemCommand', 'BatchGetCommand']);

const tally = (count: ReadCount, command: string, out: Output) => {
  if (command === 'QueryCommand' || command === 'ScanCommand') {
    count.requests += 1;
    count.items += out.ScannedCount ?? 0;
    if (command === 'ScanCommand') count.scans += 1;
  } else if (KEY_READS.has(command)) {
    count.requests += 1;
    count.keyReads += 1;
    count.items += out.Item ? 1 : Object.values(out.Responses ?? {}).reduce((n, items) => n + items.length, 0);
  }
};

/**
 * Counts what a document client reads, through a middleware on its stack; for tests and benches that hold
 * a store to the read budget its listings promise (the platform never installs it).
 */
export const countReads = (doc: DynamoDBDocumentClient): ReadCounter => {
  const count: ReadCount = { items: 0, requests: 0, keyReads: 0, scans: 0 };
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      tally(count, context.commandName ?? '', result.output as Output);
      return result;
    },
    { step: 'initialize', name: 'orreryReadCounter' },
  );
  return {
    count,
    reset: () => Object.assign(count, { items: 0, requests: 0, keyReads: 0, scans: 0 }),
  };
};
