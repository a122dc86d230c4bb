import type { Run } from '../../src/domain/run.ts';
import type { Schedule, ScheduleFire, ScheduleNotify } from '../../src/domain/schedule.ts';
import type { NotificationDelivery, NotificationLog } from '../../src/ports/notification-log.ts';
import type { Notice, Notifier } from '../../src/ports/notifier.ts';
import type { PageOf, SchedulePage, ScheduleStore } from '../../src/ports/schedule-store.ts';
import { sampleSchedule } from './schedule-samples.ts';

// Small fakes of the notification ports for unit tests, written against the ports (the memory adapters have their
// own contract suite).

/** A delivery log in an array, newest first by (createdAt, id); `after` is the last item's position. */
export class ArrayNotificationLog implements NotificationLog {
  readonly deliveries: NotificationDelivery[] = [];

  async record(delivery: NotificationDelivery): Promise<void> {
    const at = this.deliveries.findIndex((d) => d.id === delivery.id);
    if (at >= 0) this.deliveries.splice(at, 1);
    this.deliveries.push(structuredClone(delivery));
  }

  async listByUser(user: string, page: SchedulePage): Promise<PageOf<NotificationDelivery>> {
    return this.page((d) => d.user === user, page);
  }

  async listAll(page: SchedulePage): Promise<PageOf<NotificationDelivery>> {
    return this.page(() => true, page);
  }

  private page(keep: (d: NotificationDelivery) => boolean, page: SchedulePage): PageOf<NotificationDelivery> {
    const position = (d: NotificationDelivery) => `${d.createdAt}#${d.id}`;
    const all = this.deliveries
      .filter((d) => keep(d) && (page.after === undefined || position(d) < page.after))
      .sort((a, b) => (position(a) < position(b) ? 1 : -1));
    const items = all.slice(0, page.limit);
    return all.length > page.limit ? { items, next: position(items.at(-1)!) } : { items };
  }
}

/** A notifier that keeps what it was asked to send. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notice[] = [];
  async notify(notice: Notice): Promise<void> {
    this.sent.push(notice);
  }
}

/** A schedule store holding the given schedules and fires; only the reads the notification use cases make. */
export class FixedScheduleStore implements Pick<ScheduleStore, 'getSchedule' | 'listActive' | 'listFires'> {
  /** How many pages of fires were read. */
  firePages = 0;

  constructor(
    readonly schedules: Schedule[],
    readonly fires: ScheduleFire[] = [],
  ) {}

  async getSchedule(id: string): Promise<Schedule | null> {
    return this.schedules.find((s) => s.id === id) ?? null;
  }

  async listActive(): Promise<Schedule[]> {
    return this.schedules.filter((s) => !s.paused);
  }

  async listFires(scheduleId: string, page: SchedulePage): Promise<PageOf<ScheduleFire>> {
    this.firePages += 1;
    const all = this.fires
      .filter((f) => f.scheduleId === scheduleId && (page.after === undefined || f.dueAt < page.after))
      .sort((a, b) => (a.dueAt < b.dueAt ? 1 : -1));
    const items = all.slice(0, page.limit);
    return all.length > page.limit ? { items, next: items.at(-1)!.dueAt } : { items };
  }
}

/** Notify nobody of anything, unless `over` says so. */
export const quietNotify = (over: Partial<ScheduleNotify> = {}): ScheduleNotify => ({
  destination: null,
  onFailure: false,
  onSuccess: false,
  longerThanSeconds: null,
  learnedDuration: false,
  costOverUsd: null,
  digest: false,
  ...over,
});

/** A schedule of alice's notebook `Sales model`, daily at 06:00 UTC. */
export const testSchedule = (over: Partial<Schedule> = {}): Schedule =>
  sampleSchedule(0, {
    id: 'sch-0000000000000001',
    ownerTeams: [],
    notebookId: 'nb-0000000000000001',
    notebookTitle: 'Sales model',
    name: 'nightly-sales',
    timezone: 'UTC',
    parameters: { region: 'eu' },
    catchUpSeconds: 0,
    notify: quietNotify(),
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over,
  });

/** A COMPLETED run of that schedule that took ten minutes, unless `over` says otherwise. */
export const testRun = (over: Partial<Run> = {}): Run => ({
  id: 'run-0000000000000001',
  notebookId: 'nb-0000000000000001',
  notebookTitle: 'Sales model',
  version: 3,
  owner: 'alice',
  notebookOwner: 'alice',
  language: 'python',
  parameters: { region: 'eu' },
  typedParameters: {},
  profile: 'cpu-small',
  timeoutSeconds: 3600,
  cellTimeoutSeconds: null,
  status: 'COMPLETED',
  createdAt: '2026-01-04T06:00:01.000Z',
  updatedAt: '2026-01-04T06:10:01.000Z',
  startedAt: '2026-01-04T06:00:01.000Z',
  endedAt: '2026-01-04T06:10:01.000Z',
  durationSeconds: 600,
  error: null,
  idempotencyKey: null,
  rerunOf: null,
  inputKey: 'runs/run-0000000000000001/input.ipynb',
  outputKey: 'runs/run-0000000000000001/output.ipynb',
  hasOutput: true,
  outputTruncated: false,
  stopRequestedBy: null,
  role: null,
  roleTeam: null,
  runTokenHash: null,
  scheduleId: 'sch-0000000000000001',
  dueAt: '2026-01-04T06:00:00Z',
  attempt: 0,
  ...over,
});

/** A fire of that schedule that started `runId`. */
export const testFire = (dueAt: string, over: Partial<ScheduleFire> = {}): ScheduleFire => ({
  scheduleId: 'sch-0000000000000001',
  dueAt,
  owner: 'alice',
  source: 'scheduler',
  outcome: 'started',
  runId: null,
  attempt: 0,
  reason: null,
  firedAt: dueAt,
  updatedAt: dueAt,
  ...over,
});
