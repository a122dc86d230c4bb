import * as z from 'zod';
import { AppError } from '../../domain/errors.ts';
import { log } from '../../observability/logger.ts';
import type { EmitMetrics } from '../../observability/metrics.ts';
import { fireSchedule } from '../../use-cases/fire-schedule.ts';
import type { ScheduleDeps } from '../../use-cases/schedule-deps.ts';
import { sendDigests, type SendDigestsDeps } from '../../use-cases/send-digests.ts';

/** What EventBridge Scheduler sends: the target input each Orrery schedule (or retry) was created with. */
export const FireEvent = z.object({
  scheduleId: z.string().regex(/^sch-[0-9a-z]{8,40}$/),
  scheduledTime: z.string().min(1),
  attempt: z.number().int().min(0).max(10).optional(),
});

/** The daily schedule's input: send yesterday's digests. */
const DigestEvent = z.object({ digest: z.literal(true) });

/** What the fire function needs: the schedules' ports, and the digests' (notifier, settings). */
export type FireHandlerDeps = ScheduleDeps & SendDigestsDeps;

/**
 * The Scheduler target: one due time through the fire use case (or, from the daily schedule, the digests). A malformed event or a fire that cannot start is
 * logged and answered (retrying would change nothing); anything else fails the invocation, so Scheduler retries it
 * and, after its retries, puts it in the dead-letter queue. The claim makes those retries start at most one run.
 */
export const makeFireHandler = (deps: FireHandlerDeps, emit: EmitMetrics) => async (event: unknown) => {
  if (DigestEvent.safeParse(event).success) {
    const sweep = await sendDigests(deps);
    log('info', 'digests sent', { ...sweep });
    return { outcome: 'digests' };
  }
  const parsed = FireEvent.safeParse(event);
  if (!parsed.success) {
    log('warn', 'a schedule fire event is malformed', { issues: parsed.error.issues.slice(0, 5) });
    return { outcome: 'malformed' };
  }
  const { scheduleId, scheduledTime, attempt } = parsed.data;
  try {
    const fire = await fireSchedule(deps, {
      scheduleId,
      dueAt: scheduledTime,
      attempt,
      source: attempt ? 'retry' : 'scheduler',
    });
    log('info', 'schedule fired', { scheduleId, scheduledTime, attempt, outcome: fire?.outcome ?? 'none' });
    emit({}, { ScheduleFires: 1, ...(fire?.outcome === 'failed' ? { ScheduleFiresFailed: 1 } : {}) });
    return { outcome: fire?.outcome ?? 'none', runId: fire?.runId ?? null };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    log('warn', 'a schedule fire was refused', { scheduleId, scheduledTime, error: err.message });
    return { outcome: 'refused' };
  }
};
