// What one listing page costs the store: items DynamoDB read per item returned, requests, key reads, Scans.
// Runs the list use case in-process against the bench's data folder once the platform has stopped.
import { makeDocumentClient } from '../../functions/src/adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../../functions/src/adapters/aws/dynamodb-notebook-store.ts';
import { countReads } from '../../functions/src/adapters/aws/read-counter.ts';
import { startDynalite } from '../../functions/src/adapters/local/emulators.ts';
import { HmacCursorCodec } from '../../functions/src/adapters/system/hmac-cursor-codec.ts';
import type { NotebookFilter } from '../../functions/src/domain/listing.ts';
import type { User } from '../../functions/src/domain/user.ts';
import { listNotebooks } from '../../functions/src/use-cases/list-notebooks.ts';

/** A listing the bench asks the store for, as one user with one filter. */
export interface ListCase {
  name: string;
  user: User;
  filter: NotebookFilter;
}

/** Prints, per case, the first two pages' items read against items returned; returns the worst ratio. */
export const printListReads = async (dynamoDir: string, table: string, cases: ListCase[], limit = 50) => {
  const dynamo = await startDynalite(dynamoDir);
  try {
    const doc = makeDocumentClient({ region: 'us-east-1', dynamoEndpoint: dynamo.endpoint, localCredentials: true });
    const counter = countReads(doc);
    const deps = { notebooks: new DynamoDbNotebookStore(doc, table), cursors: new HmacCursorCodec('bench') };
    let worst = 0;
    for (const c of cases) {
      let cursor: string | undefined;
      const pages: string[] = [];
      for (let p = 0; p < 2; p += 1) {
        counter.reset();
        const page = await listNotebooks(deps, { user: c.user, filter: c.filter, limit, cursor });
        const { items, requests, keyReads, scans } = counter.count;
        const ratio = page.items.length ? items / page.items.length : items ? Infinity : 0;
        worst = Math.max(worst, ratio);
        pages.push(
          `${String(items).padStart(4)} read/${String(page.items.length).padStart(2)} returned (${ratio.toFixed(2)}×), ` +
            `${requests} requests, ${keyReads} by key, ${scans} scans`,
        );
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      console.log(`reads ${c.name.padEnd(28)} ${pages.join(' | ')}`);
    }
    return worst;
  } finally {
    await dynamo.close();
  }
};
