import { dueTimeKey, type Schedule } from '../../domain/schedule.ts';
import { nextDueTimes } from '../../domain/schedule-expression.ts';
import type { ScheduleCalendar } from '../../ports/schedule-calendar.ts';
import { log } from '../../observability/logger.ts';

/** One due time handed to the fire use case, as EventBridge Scheduler would deliver it in the cloud. */
export interface DueDelivery {
  scheduleId: string;
  /** The due time as fires key it (dueTimeKey). */
  dueAt: string;
  source: 'timer' | 'retry';
  attempt: number;
}

/** What a delivery calls; a rejection is logged and the calendar keeps going. */
export type OnDue = (due: DueDelivery) => Promise<void>;

// setTimeout holds at most 2^31 - 1 ms (24.8 days); a later due time is reached in hops of that length.
const MAX_DELAY_MS = 2 ** 31 - 1;

// A wait keeps whichever timeout is current, so a wait of many hops is cancelled by clearing one.
interface Wait {
  timer: NodeJS.Timeout;
}

/**
 * Local mode's calendar: one unref'd timeout per schedule, set to its next due time as the domain computes it
 * (EventBridge semantics: translated cron, spring-forward gaps skipped, rates from the schedule's creation), so
 * ten thousand schedules cost ten thousand timers and the process can still exit.
 */
export class CronerScheduleCalendar implements ScheduleCalendar {
  private readonly waits = new Map<string, Wait>();
  private readonly retries = new Map<string, Set<Wait>>();

  constructor(private readonly onDue: OnDue) {}

  /** Arms the schedule's next due time, replacing any earlier timer; a paused schedule has none. */
  async put(schedule: Schedule): Promise<void> {
    this.disarm(schedule.id);
    if (schedule.paused) return;
    this.armAfter(schedule, new Date());
  }

  /** Drops the schedule's timer and any retry waiting for it. */
  async remove(scheduleId: string): Promise<void> {
    this.disarm(scheduleId);
    for (const wait of this.retries.get(scheduleId) ?? []) clearTimeout(wait.timer);
    this.retries.delete(scheduleId);
  }

  /** Delivers the due time once more at `at`, with the attempt, whatever the schedule's own timer does. */
  async retryAt(schedule: Schedule, dueAt: string, attempt: number, at: Date): Promise<void> {
    const waiting = this.retries.get(schedule.id) ?? new Set<Wait>();
    this.retries.set(schedule.id, waiting);
    const wait = later(at, () => {
      waiting.delete(wait);
      if (waiting.size === 0 && this.retries.get(schedule.id) === waiting) this.retries.delete(schedule.id);
      this.deliver({ scheduleId: schedule.id, dueAt, source: 'retry', attempt });
    });
    waiting.add(wait);
  }

  /** Clears every timer, schedules' and retries' alike (the platform is shutting down). */
  stop(): void {
    for (const id of [...this.waits.keys()]) this.disarm(id);
    for (const waiting of this.retries.values()) for (const wait of waiting) clearTimeout(wait.timer);
    this.retries.clear();
  }

  private disarm(scheduleId: string): void {
    const wait = this.waits.get(scheduleId);
    if (wait) clearTimeout(wait.timer);
    this.waits.delete(scheduleId);
  }

  // The due time after `after`; an expression that no longer parses, or a schedule past its last year, has none.
  private armAfter(schedule: Schedule, after: Date): void {
    let due: Date | undefined;
    try {
      [due] = nextDueTimes(schedule.expression, schedule.timezone, after, 1, new Date(schedule.createdAt));
    } catch (err) {
      log('error', 'schedule not armed: its expression does not parse', {
        scheduleId: schedule.id,
        error: (err as Error).message,
      });
    }
    if (!due) return;
    const fireAt = due;
    this.waits.set(
      schedule.id,
      later(fireAt, () => this.fire(schedule, fireAt)),
    );
  }

  // The next timer is set before the fire is handed on, so a slow fire never delays the next due time. Due times
  // that passed while the process was suspended are the missed policy's, not the timer's: it arms from now.
  private fire(schedule: Schedule, due: Date): void {
    this.waits.delete(schedule.id);
    this.armAfter(schedule, new Date(Math.max(due.getTime(), Date.now())));
    this.deliver({ scheduleId: schedule.id, dueAt: dueTimeKey(due), source: 'timer', attempt: 0 });
  }

  private deliver(due: DueDelivery): void {
    Promise.resolve()
      .then(() => this.onDue(due))
      .catch((err: unknown) => {
        log('error', 'schedule fire failed', { ...due, error: err instanceof Error ? err.message : String(err) });
      });
  }
}

// One unref'd timeout at `at`, hopping when `at` is further away than setTimeout can wait.
const later = (at: Date, run: () => void): Wait => {
  const wait = {} as Wait;
  const arm = () => {
    const delay = at.getTime() - Date.now();
    wait.timer = delay > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(run, Math.max(0, delay));
    wait.timer.unref();
  };
  arm();
  return wait;
};
