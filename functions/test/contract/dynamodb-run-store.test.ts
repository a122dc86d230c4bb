import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbRunStore } from '../../src/adapters/aws/dynamodb-run-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { runStoreContract, sampleRun } from './run-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

runStoreContract('DynamoDB on dynalite', async () => new DynamoDbRunStore(emulators.doc, await emulators.newTable()));

describe('DynamoDbRunStore with runs recorded before titles were kept', () => {
  it('answers the notebook id as the title of a run item that has none, when read and when listed', async () => {
    // Prepare: an item as the store wrote it before notebookTitle existed.
    const table = await emulators.newTable();
    const store = new DynamoDbRunStore(emulators.doc, table);
    const r = sampleRun({ notebookId: 'nb-00000000000000dd' });
    await store.createRun(r);
    await emulators.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: `RUN#${r.id}`, SK: 'META' },
        UpdateExpression: 'REMOVE notebookTitle',
      }),
    );
    // Act
    const got = await store.getRun(r.id);
    const listed = await store.listRuns({ kind: 'notebook', notebookId: 'nb-00000000000000dd' }, { limit: 5 });
    // Assess
    expect(got?.notebookTitle).toBe('nb-00000000000000dd');
    expect(listed.items.map((i) => i.notebookTitle)).toEqual(['nb-00000000000000dd']);
  });
});

describe('DynamoDbRunStore with runs recorded before roles were kept', () => {
  it('answers no role, no team and no token hash for a run item that has none of them', async () => {
    // Prepare: an item as the store wrote it before runs had roles.
    const table = await emulators.newTable();
    const store = new DynamoDbRunStore(emulators.doc, table);
    const r = sampleRun({ notebookId: 'nb-00000000000000ee' });
    await store.createRun(r);
    await emulators.doc.send(
      new UpdateCommand({
        TableName: table,
        Key: { PK: `RUN#${r.id}`, SK: 'META' },
        UpdateExpression: 'REMOVE #role, roleTeam, runTokenHash',
        ExpressionAttributeNames: { '#role': 'role' },
      }),
    );
    // Act
    const got = await store.getRun(r.id);
    // Assess
    expect(got).toMatchObject({ role: null, roleTeam: null, runTokenHash: null });
  });
});
