import { createHash } from 'node:crypto';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import {
  type AppError,
  ConflictError,
  QuotaExceededError,
  UpstreamError,
  ValidationError,
} from '../../domain/errors.ts';
import type { Schedule } from '../../domain/schedule.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ScheduleCalendar } from '../../ports/schedule-calendar.ts';

/** Where Orrery's Scheduler schedules live and what they invoke (the stack's group, fire function, role, DLQ). */
export interface SchedulerSettings {
  groupName: string;
  /** The fire function's ARN: every schedule's target. */
  targetArn: string;
  /** The execution role Scheduler assumes to invoke the target (and to reach the DLQ). */
  roleArn: string;
  /** The SQS queue invocations go to once every retry failed. */
  deadLetterArn: string;
  maximumRetryAttempts?: number;
  maximumEventAgeSeconds?: number;
}

// A due time the fire function cannot take for an hour is left to the DLQ (and its alarm) and the missed policy:
// Scheduler's own default (185 tries over a day) would start a daily report a day late.
const DEFAULT_RETRY_ATTEMPTS = 10;
const DEFAULT_EVENT_AGE_SECONDS = 3600;
// Scheduler refuses a StartDate more than 5 minutes in the past; one minute of margin for the request's own trip.
const START_DATE_SLACK_MS = 4 * 60_000;
const NAME = /^[0-9a-zA-Z_.-]{1,64}$/;
const RATE = /^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

interface SdkError {
  name?: string;
  message?: string;
}

/**
 * The schedule calendar in EventBridge Scheduler: one Scheduler schedule per Orrery schedule, in the stack's group,
 * named by the schedule's id, invoking the fire function with `{scheduleId, scheduledTime}` as Scheduler fills it in.
 * Flexible windows are off (a due time is a time), and a failed invocation is retried, then dead-lettered.
 */
export class EventBridgeScheduleCalendar implements ScheduleCalendar {
  private readonly clock: Clock;

  constructor(
    private readonly client: SchedulerClient,
    private readonly settings: SchedulerSettings,
    clock?: Clock,
  ) {
    this.clock = clock ?? { now: () => new Date() };
  }

  /**
   * UpdateSchedule replaces every field, so both calls send the whole schedule. Update first (most puts edit a
   * schedule that exists); a missing one is created, and a create that lost a race to another is updated after all.
   */
  async put(schedule: Schedule): Promise<void> {
    const input = this.scheduleInput(schedule);
    const update = () => this.client.send(new UpdateScheduleCommand(input));
    try {
      try {
        await update();
      } catch (err) {
        if (!isNamed(err, 'ResourceNotFoundException')) throw err;
        try {
          await this.client.send(new CreateScheduleCommand(input));
        } catch (again) {
          if (!isNamed(again, 'ConflictException')) throw again;
          await update();
        }
      }
    } catch (err) {
      throw translate(err, input.Name!, this.settings.groupName);
    }
  }

  async remove(scheduleId: string): Promise<void> {
    const name = scheduleName(scheduleId);
    try {
      await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: this.settings.groupName }));
    } catch (err) {
      if (!isNamed(err, 'ResourceNotFoundException')) throw translate(err, name, this.settings.groupName);
    }
  }

  /**
   * A one-time schedule that deletes itself once it has fired, named for (schedule, due time, attempt): a second
   * request for the same retry (a redelivered fire) finds it made and leaves it.
   */
  async retryAt(schedule: Schedule, dueAt: string, attempt: number, at: Date): Promise<void> {
    const name = retryName(schedule.id, dueAt, attempt);
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: this.settings.groupName,
      ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      ActionAfterCompletion: 'DELETE',
      Description: `Retry ${attempt} of ${schedule.id} at ${dueAt}`,
      Target: this.target(JSON.stringify({ scheduleId: schedule.id, scheduledTime: dueAt, attempt })),
    };
    try {
      await this.client.send(new CreateScheduleCommand(input));
    } catch (err) {
      if (!isNamed(err, 'ConflictException')) throw translate(err, name, this.settings.groupName);
    }
  }

  private scheduleInput(schedule: Schedule): CreateScheduleCommandInput {
    const startDate = rateStartDate(schedule, this.clock.now());
    return {
      Name: scheduleName(schedule.id),
      GroupName: this.settings.groupName,
      ScheduleExpression: schedule.expression,
      ScheduleExpressionTimezone: schedule.timezone,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: schedule.paused ? 'DISABLED' : 'ENABLED',
      ...(startDate ? { StartDate: startDate } : {}),
      Description: `${schedule.name} (${schedule.notebookTitle}), owner ${schedule.owner}`.slice(0, 512),
      Target: this.target(JSON.stringify({ scheduleId: schedule.id, scheduledTime: '<aws.scheduler.scheduled-time>' })),
    };
  }

  private target(input: string): CreateScheduleCommandInput['Target'] {
    const s = this.settings;
    return {
      Arn: s.targetArn,
      RoleArn: s.roleArn,
      Input: input,
      RetryPolicy: {
        MaximumRetryAttempts: s.maximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
        MaximumEventAgeInSeconds: s.maximumEventAgeSeconds ?? DEFAULT_EVENT_AGE_SECONDS,
      },
      DeadLetterConfig: { Arn: s.deadLetterArn },
    };
  }
}

/** The Scheduler schedule's name: the schedule's id, which must already be a legal Scheduler name. */
export const scheduleName = (scheduleId: string): string => {
  if (!NAME.test(scheduleId)) {
    throw new ValidationError(
      `the schedule id ${JSON.stringify(scheduleId)} cannot name an EventBridge Scheduler schedule ` +
        '(1 to 64 of letters, digits, -, _ and .)',
    );
  }
  return scheduleId;
};

/**
 * A retry's name, `<id>-r<attempt>-<digits of the due time>`, at most 64 characters: a longer id keeps its head
 * and a hash of the whole, so two long ids sharing a head still name different retries.
 */
export const retryName = (scheduleId: string, dueAt: string, attempt: number): string => {
  const suffix = `-r${attempt}-${dueAt.replace(/[^0-9]/g, '').slice(0, 14)}`;
  const full = `${scheduleName(scheduleId)}${suffix}`;
  if (full.length <= 64) return full;
  const hash = createHash('sha256').update(scheduleId).digest('hex').slice(0, 8);
  return `${scheduleId.slice(0, 64 - suffix.length - hash.length - 1)}-${hash}${suffix}`;
};

/**
 * A rate schedule counts its periods from its StartDate, so every write sends one on the schedule's own grid
 * (createdAt + k periods): an edit or a resume never shifts its due times. Scheduler refuses a StartDate more than
 * 5 minutes old, so an older schedule starts at the first point of its grid from now on (earlier ones have fired).
 */
export const rateStartDate = (schedule: Pick<Schedule, 'expression' | 'createdAt'>, now: Date): Date | undefined => {
  const match = RATE.exec(schedule.expression.trim());
  if (!match) return undefined;
  const created = new Date(schedule.createdAt).getTime();
  const period = Number(match[1]) * UNIT_MS[match[2]!.replace(/s$/, '')]!;
  const earliest = now.getTime() - START_DATE_SLACK_MS;
  if (created >= earliest || period <= 0) return new Date(created);
  return new Date(created + Math.ceil((now.getTime() - created) / period) * period);
};

const isNamed = (err: unknown, name: string): boolean => (err as SdkError | undefined)?.name === name;

// Scheduler's messages name the refused field; the API's 400 points at Orrery's own field for it.
const fieldOf = (message: string): string => {
  if (/timezone/i.test(message)) return 'timezone';
  if (/expression/i.test(message)) return 'expression';
  return 'schedule';
};

/** A Scheduler failure as one of the platform's errors, saying what Scheduler refused and of which schedule. */
const translate = (err: unknown, name: string, group: string): AppError => {
  const e = (err ?? {}) as SdkError;
  const detail = e.message ?? String(err);
  switch (e.name) {
    case 'ValidationException':
      return new ValidationError(`EventBridge Scheduler refused the schedule ${name}: ${detail}`, [
        { path: fieldOf(detail), message: detail },
      ]);
    case 'ConflictException':
      return new ConflictError(`EventBridge Scheduler is changing the schedule ${name} already: try again`);
    case 'ThrottlingException':
      return new QuotaExceededError('EventBridge Scheduler is throttling schedule changes: try again in a few seconds');
    case 'ServiceQuotaExceededException':
      return new UpstreamError(`the account's EventBridge Scheduler quota is used up (${detail}): ask an admin`);
    case 'ResourceNotFoundException':
      return new UpstreamError(
        `the schedule group ${group} does not exist (${detail}): is the schedules stack deployed?`,
      );
    case 'AccessDeniedException':
      return new UpstreamError(
        `Orrery may not manage schedules in the group ${group} (${detail}): check the function's role`,
      );
    default:
      return new UpstreamError(`EventBridge Scheduler did not take the schedule ${name} (${e.name ?? 'error'})`);
  }
};

/** A Scheduler client for the function's own region and role. */
export const makeSchedulerClient = (region: string): SchedulerClient => new SchedulerClient({ region });
