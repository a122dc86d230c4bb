import { dueTimeKey, type Schedule, type ScheduleFire } from '../../src/domain/schedule.ts';
import type { NotificationDelivery } from '../../src/ports/notification-log.ts';

const BASE = Date.UTC(2026, 2, 2, 6, 0, 0);
/** The instant `minutes` after the schedule suites' base time, as ISO text (milliseconds included). */
export const atMinutes = (minutes: number) => new Date(BASE + minutes * 60_000).toISOString();
/** A due time `minutes` after the base time, as fires key it (UTC to the second). */
export const dueAtMinutes = (minutes: number) => dueTimeKey(new Date(BASE + minutes * 60_000));

/** One unpaused schedule of alice's, created `i` minutes after the base time; tests change what they need. */
export const sampleSchedule = (i: number, over: Partial<Schedule> = {}): Schedule => ({
  id: over.id ?? `sch${String(i).padStart(6, '0')}`,
  owner: 'alice',
  ownerTeams: ['data'],
  activeRunIds: [],
  notebookId: 'nb-report',
  notebookOwner: 'alice',
  notebookTitle: 'Daily report',
  name: `report ${i}`,
  expression: 'cron(0 6 * * ? *)',
  timezone: 'Europe/Paris',
  parameters: { day: 'yesterday', limit: 10 },
  version: null,
  profile: 'cpu-small',
  role: null,
  delegation: null,
  timeoutSeconds: null,
  retries: 0,
  retryDelaySeconds: 60,
  maxConcurrentRuns: 1,
  overlap: 'skip',
  missed: 'skip',
  catchUpSeconds: 86_400,
  notify: {
    destination: null,
    onFailure: true,
    onSuccess: false,
    longerThanSeconds: null,
    learnedDuration: false,
    costOverUsd: null,
    digest: false,
  },
  paused: false,
  pausedAt: null,
  createdAt: atMinutes(i),
  updatedAt: atMinutes(i),
  lastDueAt: null,
  lastStatus: null,
  revision: 1,
  ...over,
});

/** The fire of schedule `scheduleId` due `minutes` after the base time, just claimed by the Scheduler. */
export const sampleFire = (scheduleId: string, minutes: number, over: Partial<ScheduleFire> = {}): ScheduleFire => ({
  scheduleId,
  dueAt: dueAtMinutes(minutes),
  owner: 'alice',
  source: 'scheduler',
  outcome: 'claimed',
  runId: `run-${scheduleId}-${minutes}`,
  attempt: 0,
  reason: null,
  firedAt: atMinutes(minutes),
  updatedAt: atMinutes(minutes),
  ...over,
});

/** One delivered notice to alice, recorded `i` minutes after the base time. */
export const sampleDelivery = (i: number, over: Partial<NotificationDelivery> = {}): NotificationDelivery => ({
  id: over.id ?? `ntc${String(i).padStart(6, '0')}`,
  user: 'alice',
  kind: 'run-failed',
  destination: 'team-slack',
  subject: 'Daily report failed',
  text: 'Daily report failed at cell 4: KeyError',
  ref: 'run-1',
  status: 'delivered',
  attempts: 1,
  error: null,
  createdAt: atMinutes(i),
  ...over,
});
