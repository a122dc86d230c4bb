import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCloudScheduleCalendar } from '../../../src/composition/cloud-schedule-calendar.ts';
import { loadConfig } from '../../../src/config/config.ts';

const BASE = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', AWS_REGION: 'eu-west-1' };
const CALENDAR = {
  ORRERY_SCHEDULE_GROUP: 'orrery-reruns',
  ORRERY_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/orrery-scheduler-eu-west-1',
  ORRERY_SCHEDULE_TARGET_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:orrery-fire-schedule',
  ORRERY_SCHEDULE_DLQ_ARN: 'arn:aws:sqs:eu-west-1:123456789012:orrery-rerun-dlq',
};

describe('the cloud schedule calendar', () => {
  const scheduler = mockClient(SchedulerClient);
  afterEach(() => scheduler.reset());

  it('reads the group, role, target and dead-letter queue into config.scheduleCalendar', () => {
    // Act
    const config = loadConfig({ ...BASE, ...CALENDAR });

    // Assess
    expect(config.scheduleCalendar).toEqual({
      groupName: 'orrery-reruns',
      roleArn: CALENDAR.ORRERY_SCHEDULER_ROLE_ARN,
      targetArn: CALENDAR.ORRERY_SCHEDULE_TARGET_ARN,
      deadLetterArn: CALENDAR.ORRERY_SCHEDULE_DLQ_ARN,
    });
  });

  it('has no calendar settings in local mode, where none of the four is set', () => {
    expect(loadConfig(BASE).scheduleCalendar).toBeUndefined();
  });

  it('stops start-up naming the variables missing when only some of the four are set', () => {
    // Prepare
    const { ORRERY_SCHEDULE_DLQ_ARN: _dlq, ORRERY_SCHEDULER_ROLE_ARN: _role, ...some } = CALENDAR;

    // Act / Assess
    expect(() => loadConfig({ ...BASE, ...some })).toThrow(
      /^configuration: set ORRERY_SCHEDULER_ROLE_ARN, ORRERY_SCHEDULE_DLQ_ARN too/,
    );
  });

  it('refuses to build a calendar for a function deployed without the settings', () => {
    expect(() => makeCloudScheduleCalendar(loadConfig(BASE))).toThrow(/set ORRERY_SCHEDULE_GROUP/);
  });

  it('writes to EventBridge Scheduler in the configured group', async () => {
    // Prepare
    scheduler.on(DeleteScheduleCommand).resolves({});
    const calendar = makeCloudScheduleCalendar(loadConfig({ ...BASE, ...CALENDAR }));

    // Act
    await calendar.remove('sch-0abc');

    // Assess
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: 'sch-0abc', GroupName: 'orrery-reruns' },
    ]);
  });
});
