import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbScheduleStore } from '../../src/adapters/aws/dynamodb-schedule-store.ts';
import { startEmulators } from '../support/emulators.ts';
import { atMinutes, sampleFire as fire, sampleSchedule as schedule } from '../support/schedule-samples.ts';
import { scheduleStoreContract } from './schedule-store.case.ts';

let emulators: Awaited<ReturnType<typeof startEmulators>>;
beforeAll(async () => {
  emulators = await startEmulators();
});
afterAll(async () => {
  await emulators?.close();
});

scheduleStoreContract(
  'DynamoDB on dynalite',
  async () => new DynamoDbScheduleStore(emulators.doc, await emulators.newTable()),
);

describe('DynamoDbScheduleStore items', () => {
  const keysOf = async (table: string, pk: string, sk: string) => {
    const out = await emulators.doc.send(new GetCommand({ TableName: table, Key: { PK: pk, SK: sk } }));
    return Object.keys(out.Item ?? {}).filter((k) => k.startsWith('GSI'));
  };

  it('carries the active index keys only while a schedule is unpaused', async () => {
    // Prepare
    const table = await emulators.newTable();
    const store = new DynamoDbScheduleStore(emulators.doc, table);
    await store.putSchedule(schedule(1, { id: 'sch1' }));
    // Act
    const unpaused = await keysOf(table, 'SCHED#sch1', 'META');
    await store.updateSchedule('sch1', 1, { paused: true, updatedAt: atMinutes(2) });
    const paused = await keysOf(table, 'SCHED#sch1', 'META');
    await store.updateSchedule('sch1', 2, { paused: false, updatedAt: atMinutes(3) });
    const resumed = await keysOf(table, 'SCHED#sch1', 'META');
    // Assess
    expect(unpaused).toContain('GSI3PK');
    expect(paused).not.toContain('GSI3PK');
    expect(paused).not.toContain('GSI3SK');
    expect(resumed.sort()).toEqual(unpaused.sort());
  });

  it('carries the queue index keys only while a fire is queued', async () => {
    // Prepare
    const table = await emulators.newTable();
    const store = new DynamoDbScheduleStore(emulators.doc, table);
    const queued = fire('sch1', 10, { outcome: 'queued' });
    await store.claimFire(queued);
    const sk = `FIRE#${queued.dueAt}`;
    // Act
    const waiting = await keysOf(table, 'SCHED#sch1', sk);
    await store.updateFire('sch1', queued.dueAt, { outcome: 'started', updatedAt: atMinutes(11) });
    const started = await keysOf(table, 'SCHED#sch1', sk);
    // Assess
    expect(waiting.sort()).toEqual(['GSI2PK', 'GSI2SK']);
    expect(started).toEqual([]);
  });

  it('reads with GetItem and Query only, never a Scan', async () => {
    // Prepare
    const store = new DynamoDbScheduleStore(emulators.doc, await emulators.newTable());
    await store.putSchedule(schedule(1, { id: 'sch1' }));
    await store.claimFire(fire('sch1', 10, { outcome: 'queued' }));
    const commands: string[] = [];
    emulators.doc.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    // Act
    try {
      await store.getSchedule('sch1');
      await store.listByOwner('alice', { limit: 5 });
      await store.listAll({ limit: 5 });
      await store.listActive();
      await store.getFire('sch1', fire('sch1', 10).dueAt);
      await store.listFires('sch1', { limit: 5 });
      await store.listQueuedFires('sch1');
    } finally {
      emulators.doc.middlewareStack.remove('recordCommands');
    }
    // Assess
    expect(new Set(commands)).toEqual(new Set(['GetItemCommand', 'QueryCommand']));
  });
});
