import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TABLE_DESIGN } from '../../contracts/table-design.ts';
import { titleRange } from '../../domain/listing-order.ts';
import type { SourcePageRequest } from '../../ports/notebook-store.ts';
import { notebookProjection } from './notebook-items.ts';

/** A global secondary index of the table, by name. */
export type IndexName = (typeof TABLE_DESIGN.indexes)[number]['name'];

/** A filter on an index page: its expression and the names and values it uses. */
export interface PageFilter {
  FilterExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Raw items of one index page, and the sort key where the Query stopped (undefined at the end). */
export interface IndexPage {
  items: Record<string, unknown>[];
  next?: string;
}

/** Which part of which index partition a page reads, and what it reads of each item. */
export interface IndexPageWhere {
  index: IndexName;
  partition: string;
  attributes?: string[];
  filter?: PageFilter;
  /** A title key prefix: the keys that start with it, A to Z (else newest first). */
  prefix?: string;
  /** One sort key: the items at it alone, wherever the page would start. */
  at?: string;
}

/**
 * One Query of an index partition past `past`: newest first, or, given a title `prefix`, the keys that start with
 * it, A to Z (or the items at one sort key). It reads a notebook's listed fields and `attributes`, through `filter`.
 * `next` is where the Query stopped, not the last item kept: a filtered page may keep none and still have more.
 */
export const queryIndexPage = async (
  doc: DynamoDBDocumentClient,
  table: string,
  where: IndexPageWhere,
  page: SourcePageRequest,
): Promise<IndexPage> => {
  const { partitionKey, sortKey } = TABLE_DESIGN.indexes.find((i) => i.name === where.index)!;
  const extra = where.attributes ?? [];
  const range = where.at === undefined ? sortKeyRange(where.prefix, page.past) : atKey(where.at);
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: where.index,
      KeyConditionExpression: `#pk = :pk${range.condition}`,
      ProjectionExpression: [notebookProjection.ProjectionExpression, ...extra.map((_, i) => `#x${i}`)].join(', '),
      FilterExpression: where.filter?.FilterExpression,
      ExpressionAttributeNames: {
        ...notebookProjection.ExpressionAttributeNames,
        ...Object.fromEntries(extra.map((a, i) => [`#x${i}`, a])),
        ...where.filter?.ExpressionAttributeNames,
        '#pk': partitionKey,
        ...(range.condition ? { '#sk': sortKey } : {}),
      },
      ExpressionAttributeValues: {
        ...where.filter?.ExpressionAttributeValues,
        ':pk': where.partition,
        ...range.values,
      },
      ScanIndexForward: where.prefix !== undefined,
      Limit: page.limit,
    }),
  );
  const stop = out.LastEvaluatedKey?.[sortKey];
  return { items: out.Items ?? [], next: typeof stop === 'string' ? stop : undefined };
};

// The sort key condition: below `past` newest first; by title, the keys that start with the prefix, past `past`.
const sortKeyRange = (prefix: string | undefined, past: string | undefined) => {
  if (prefix === undefined) {
    return past === undefined
      ? { condition: '', values: {} }
      : { condition: ' AND #sk < :past', values: { ':past': past } };
  }
  if (past === undefined) return { condition: ' AND begins_with(#sk, :prefix)', values: { ':prefix': prefix } };
  const { from, to } = titleRange(prefix, past);
  return { condition: ' AND #sk BETWEEN :from AND :to', values: { ':from': from, ':to': to } };
};

const atKey = (at: string) => ({ condition: ' AND #sk = :at', values: { ':at': at } });
