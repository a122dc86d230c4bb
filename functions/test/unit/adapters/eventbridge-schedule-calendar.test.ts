import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
  SchedulerServiceException,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  EventBridgeScheduleCalendar,
  rateStartDate,
  retryName,
} from '../../../src/adapters/aws/eventbridge-schedule-calendar.ts';
import { type AppError, QuotaExceededError, UpstreamError, ValidationError } from '../../../src/domain/errors.ts';
import type { Schedule } from '../../../src/domain/schedule.ts';
import { sampleSchedule } from '../../support/schedule-samples.ts';

const SETTINGS = {
  groupName: 'orrery-reruns',
  targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orrery-fire-schedule',
  roleArn: 'arn:aws:iam::123456789012:role/orrery-scheduler-eu-west-1',
  deadLetterArn: 'arn:aws:sqs:eu-west-1:123456789012:orrery-rerun-dlq',
};
const NOW = new Date('2026-03-04T10:00:00Z');
const TARGET = {
  Arn: SETTINGS.targetArn,
  RoleArn: SETTINGS.roleArn,
  Input: '{"scheduleId":"sch-0abc","scheduledTime":"<aws.scheduler.scheduled-time>"}',
  RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
  DeadLetterConfig: { Arn: SETTINGS.deadLetterArn },
};

const schedule = (over: Partial<Schedule> = {}): Schedule =>
  sampleSchedule(0, {
    id: 'sch-0abc',
    owner: 'ann',
    notebookId: 'nb-1',
    notebookTitle: 'Daily sales',
    name: 'morning',
    expression: 'cron(0 7 ? * MON-FRI *)',
    timezone: 'Europe/Berlin',
    parameters: { region: 'eu' },
    retryDelaySeconds: 300,
    catchUpSeconds: 0,
    createdAt: '2026-03-04T09:58:00.000Z',
    updatedAt: '2026-03-04T09:58:00.000Z',
    ...over,
  });

/** What every put sends, for the schedule above. */
const PUT_INPUT = {
  Name: 'sch-0abc',
  GroupName: 'orrery-reruns',
  ScheduleExpression: 'cron(0 7 ? * MON-FRI *)',
  ScheduleExpressionTimezone: 'Europe/Berlin',
  FlexibleTimeWindow: { Mode: 'OFF' },
  State: 'ENABLED',
  Description: 'morning (Daily sales), owner ann',
  Target: TARGET,
};

/** A calendar over a client whose `send` is mocked, with the clock at NOW. */
const mocked = (settings: Partial<typeof SETTINGS & { maximumRetryAttempts: number }> = {}) => {
  const client = new SchedulerClient({ region: 'eu-west-1' });
  const calendar = new EventBridgeScheduleCalendar(client, { ...SETTINGS, ...settings }, { now: () => NOW });
  return { scheduler: mockClient(client), calendar };
};

/** An error as the SDK throws it for a Scheduler error response with this code. */
const schedulerError = (name: string, message: string, httpStatusCode = 400) =>
  new SchedulerServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode } });

const rejection = async (promise: Promise<unknown>): Promise<AppError> =>
  (await promise.then(
    () => expect.fail('the calendar resolved'),
    (e: unknown) => e,
  )) as AppError;

describe('EventBridgeScheduleCalendar.put', () => {
  it('updates an existing Scheduler schedule with every field, and creates nothing', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await calendar.put(schedule());

    // Assess
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input)).toEqual([PUT_INPUT]);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toEqual([]);
  });

  it('creates the Scheduler schedule with the same fields when none exists yet', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(UpdateScheduleCommand).rejects(schedulerError('ResourceNotFoundException', 'Schedule not found', 404));
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await calendar.put(schedule());

    // Assess
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([PUT_INPUT]);
  });

  it('updates after all when another writer created the schedule between the update and the create', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler
      .on(UpdateScheduleCommand)
      .rejectsOnce(schedulerError('ResourceNotFoundException', 'Schedule not found', 404))
      .resolves({ ScheduleArn: 'arn' });
    scheduler.on(CreateScheduleCommand).rejects(schedulerError('ConflictException', 'already exists', 409));

    // Act
    await calendar.put(schedule());

    // Assess
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(2);
    expect(scheduler.commandCalls(UpdateScheduleCommand)[1]!.args[0].input).toEqual(PUT_INPUT);
  });

  it('disables the Scheduler schedule of a paused schedule, keeping the rest', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await calendar.put(schedule({ paused: true, pausedAt: '2026-03-04T09:59:00.000Z' }));

    // Assess
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toEqual({
      ...PUT_INPUT,
      State: 'DISABLED',
    });
  });

  it('starts a rate schedule at its creation, so its periods count from then', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await calendar.put(schedule({ expression: 'rate(15 minutes)', timezone: 'UTC' }));

    // Assess
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toEqual({
      ...PUT_INPUT,
      ScheduleExpression: 'rate(15 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      StartDate: new Date('2026-03-04T09:58:00.000Z'),
    });
  });

  it('sends the retry policy the settings ask for', async () => {
    // Prepare
    const { scheduler, calendar } = mocked({ maximumRetryAttempts: 3 });
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await calendar.put(schedule());

    // Assess
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input.Target?.RetryPolicy).toEqual({
      MaximumRetryAttempts: 3,
      MaximumEventAgeInSeconds: 3600,
    });
  });
});

describe('rateStartDate', () => {
  it('keeps the creation time of a schedule made in the last few minutes', () => {
    expect(rateStartDate({ expression: 'rate(1 hour)', createdAt: '2026-03-04T09:57:00Z' }, NOW)).toEqual(
      new Date('2026-03-04T09:57:00Z'),
    );
  });

  it('moves an older schedule’s start to the next point of its own grid, which Scheduler still accepts', () => {
    // 2 h 20 min after creation, periods of 1 hour: the next point is 3 h after creation, 40 minutes from now.
    expect(rateStartDate({ expression: 'rate(1 hour)', createdAt: '2026-03-04T07:40:00Z' }, NOW)).toEqual(
      new Date('2026-03-04T10:40:00Z'),
    );
    expect(rateStartDate({ expression: 'rate(2 days)', createdAt: '2026-02-01T10:00:00Z' }, NOW)).toEqual(
      new Date('2026-03-05T10:00:00Z'),
    );
  });

  it('gives cron schedules no start date', () => {
    expect(rateStartDate({ expression: 'cron(0 7 * * ? *)', createdAt: '2026-03-04T09:57:00Z' }, NOW)).toBeUndefined();
  });
});

describe('EventBridgeScheduleCalendar.remove', () => {
  it('deletes the Scheduler schedule of that id in the group', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(DeleteScheduleCommand).resolves({});

    // Act
    await calendar.remove('sch-0abc');

    // Assess
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'sch-0abc', GroupName: 'orrery-reruns' },
    ]);
  });

  it('is content when the Scheduler schedule is already gone', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(DeleteScheduleCommand).rejects(schedulerError('ResourceNotFoundException', 'not found', 404));

    // Act
    const result = calendar.remove('sch-0abc');

    // Assess
    await expect(result).resolves.toBeUndefined();
  });
});

describe('EventBridgeScheduleCalendar.retryAt', () => {
  it('creates a one-time UTC schedule that deletes itself, carrying the due time and the attempt', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn' });

    // Act
    await calendar.retryAt(schedule(), '2026-03-04T06:00:00Z', 2, new Date('2026-03-04T06:10:00.250Z'));

    // Assess
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: 'sch-0abc-r2-20260304060000',
        GroupName: 'orrery-reruns',
        ScheduleExpression: 'at(2026-03-04T06:10:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        ActionAfterCompletion: 'DELETE',
        Description: 'Retry 2 of sch-0abc at 2026-03-04T06:00:00Z',
        Target: {
          ...TARGET,
          Input: '{"scheduleId":"sch-0abc","scheduledTime":"2026-03-04T06:00:00Z","attempt":2}',
        },
      },
    ]);
  });

  it('leaves a retry that a redelivered fire already arranged', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(CreateScheduleCommand).rejects(schedulerError('ConflictException', 'already exists', 409));

    // Act
    const result = calendar.retryAt(schedule(), '2026-03-04T06:00:00Z', 1, new Date('2026-03-04T06:10:00Z'));

    // Assess
    await expect(result).resolves.toBeUndefined();
  });

  it('names retries of long ids within 64 characters, distinct for ids that share a head', () => {
    // Prepare
    const a = `sch-${'a'.repeat(55)}`;
    const b = `sch-${'a'.repeat(54)}b`;

    // Act
    const names = [retryName(a, '2026-03-04T06:00:00Z', 5), retryName(b, '2026-03-04T06:00:00Z', 5)];

    // Assess
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[0-9a-zA-Z_.-]+-r5-20260304060000$/);
    }
    expect(names[0]).not.toBe(names[1]);
  });
});

describe('EventBridgeScheduleCalendar errors', () => {
  it('answers a refused expression with a 400 that says what Scheduler refused and points at the field', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    const message = 'Invalid Schedule Expression cron(0 7 * * * *).';
    scheduler.on(UpdateScheduleCommand).rejects(schedulerError('ValidationException', message));

    // Act
    const err = await rejection(calendar.put(schedule({ expression: 'cron(0 7 * * * *)' })));

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.message).toContain(message);
    expect(err.details).toEqual([{ path: 'expression', message }]);
  });

  it('points a refused time zone at the timezone field', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    const message = 'Invalid ScheduleExpressionTimezone Mars/Olympus.';
    scheduler.on(UpdateScheduleCommand).rejects(schedulerError('ValidationException', message));

    // Act
    const err = await rejection(calendar.put(schedule({ timezone: 'Mars/Olympus' })));

    // Assess
    expect(err.details).toEqual([{ path: 'timezone', message }]);
  });

  it('answers throttling with a 429 and a missing group with a 503 that names it', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(DeleteScheduleCommand).rejects(schedulerError('ThrottlingException', 'Rate exceeded', 429));
    scheduler.on(UpdateScheduleCommand).rejects(schedulerError('ResourceNotFoundException', 'Schedule not found', 404));
    scheduler.on(CreateScheduleCommand).rejects(schedulerError('ResourceNotFoundException', 'Group not found', 404));

    // Act
    const throttled = await rejection(calendar.remove('sch-0abc'));
    const noGroup = await rejection(calendar.put(schedule()));

    // Assess
    expect(throttled).toBeInstanceOf(QuotaExceededError);
    expect(noGroup).toBeInstanceOf(UpstreamError);
    expect(noGroup.message).toContain('orrery-reruns');
  });

  it('answers a refused call with a 503 that says to check the function’s role, and hides SDK errors', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();
    scheduler.on(CreateScheduleCommand).rejects(schedulerError('AccessDeniedException', 'not authorized', 403));
    scheduler.on(DeleteScheduleCommand).rejects(schedulerError('InternalServerException', 'oops', 500));

    // Act
    const denied = await rejection(calendar.retryAt(schedule(), '2026-03-04T06:00:00Z', 1, NOW));
    const internal = await rejection(calendar.remove('sch-0abc'));

    // Assess
    expect(denied).toBeInstanceOf(UpstreamError);
    expect(denied.message).toContain("function's role");
    expect(internal).toBeInstanceOf(UpstreamError);
  });

  it('refuses an id that cannot name a Scheduler schedule before calling Scheduler', async () => {
    // Prepare
    const { scheduler, calendar } = mocked();

    // Act
    const err = await rejection(calendar.remove('sch/../x'));

    // Assess
    expect(err).toBeInstanceOf(ValidationError);
    expect(scheduler.calls()).toHaveLength(0);
  });
});
