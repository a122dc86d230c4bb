import type { Config } from '../config/config.ts';
import type { ScheduleCalendar } from '../ports/schedule-calendar.ts';
import { lazyPort, type PortMethods } from './lazy-port.ts';

const CALENDAR: PortMethods<ScheduleCalendar> = { put: true, remove: true, retryAt: true };

/**
 * The cloud's schedule calendar: EventBridge Scheduler, in the group the schedules stack made. The settings are
 * checked at cold start; the Scheduler client loads on the first write, which only saving, pausing, deleting a
 * schedule or arranging a retry makes (listing and reading schedules never pay for it).
 */
export const makeCloudScheduleCalendar = (config: Pick<Config, 'region' | 'scheduleCalendar'>): ScheduleCalendar => {
  const settings = config.scheduleCalendar;
  if (!settings) {
    throw new Error(
      'configuration: set ORRERY_SCHEDULE_GROUP, ORRERY_SCHEDULER_ROLE_ARN, ORRERY_SCHEDULE_TARGET_ARN and ' +
        'ORRERY_SCHEDULE_DLQ_ARN: this function writes schedules to EventBridge Scheduler',
    );
  }
  return lazyPort(async () => {
    const { EventBridgeScheduleCalendar, makeSchedulerClient } = await import(
      '../adapters/aws/eventbridge-schedule-calendar.ts'
    );
    return new EventBridgeScheduleCalendar(makeSchedulerClient(config.region), settings);
  }, CALENDAR);
};
