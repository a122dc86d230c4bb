import { paginateQuery, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where a listing's items sit: one partition of the table or of an index, maybe narrowed to a sort-key prefix. */
export interface KeyRange<T> {
  /** The index; absent for the table itself. */
  index?: string;
  pk: string;
  sk: string;
  value: string;
  /** What every sort key of the listing starts with (`FIRE#`); the position follows it. */
  prefix?: string;
  /** The record an item holds. */
  from: (item: Record<string, unknown>) => T;
  /** The record's sort key without the prefix: what a page's `next` names. */
  position: (record: T) => string;
}

/**
 * One page, newest first: one Query. One item more than the page tells whether another page follows. With a
 * prefix the range is `prefix` up to and including `prefix + after` (a key condition takes one range), so the item
 * at `after`, when it is still there, is read and dropped: one more again.
 */
export const queryPage = async <T>(
  doc: DynamoDBDocumentClient,
  table: string,
  q: KeyRange<T>,
  page: { after?: string; limit: number },
): Promise<{ items: T[]; next?: string }> => {
  const prefix = q.prefix ?? '';
  const range = !page.after
    ? prefix && ` AND begins_with(${q.sk}, :prefix)`
    : prefix
      ? ` AND ${q.sk} BETWEEN :prefix AND :upto`
      : ` AND ${q.sk} < :upto`;
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: q.index,
      KeyConditionExpression: `${q.pk} = :pk${range}`,
      ExpressionAttributeValues: {
        ':pk': q.value,
        ...(prefix ? { ':prefix': prefix } : {}),
        ...(page.after ? { ':upto': `${prefix}${page.after}` } : {}),
      },
      ScanIndexForward: false,
      Limit: page.limit + (prefix && page.after ? 2 : 1),
    }),
  );
  const after = page.after;
  const read = (out.Items ?? []).map(q.from).filter((r) => after === undefined || q.position(r) < after);
  const items = read.slice(0, page.limit);
  // Fewer items than asked with a LastEvaluatedKey: the Query stopped at its 1 MB cap, so more may follow.
  const more = read.length > page.limit || (out.LastEvaluatedKey !== undefined && items.length > 0);
  return { items, next: more ? q.position(items.at(-1)!) : undefined };
};

/** Every item of a range, oldest first, through as many Queries as it takes. */
export const queryAll = async <T>(doc: DynamoDBDocumentClient, table: string, q: KeyRange<T>): Promise<T[]> => {
  const records: T[] = [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: table,
      IndexName: q.index,
      KeyConditionExpression: `${q.pk} = :pk${q.prefix ? ` AND begins_with(${q.sk}, :prefix)` : ''}`,
      ExpressionAttributeValues: { ':pk': q.value, ...(q.prefix ? { ':prefix': q.prefix } : {}) },
    },
  );
  for await (const out of pages) records.push(...(out.Items ?? []).map(q.from));
  return records;
};
