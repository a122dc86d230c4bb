import type { Notifier } from '../ports/notifier.ts';
import type { ScheduleCalendar } from '../ports/schedule-calendar.ts';
import type { ScheduleStore } from '../ports/schedule-store.ts';
import type { StartRunDeps } from './start-run.ts';

/** Schedule limits and defaults, from configuration. */
export interface ScheduleSettings {
  /** The most schedules one user may keep. */
  maxPerUser: number;
  /** How far back `missed: all` reaches by default. */
  catchUpSeconds: number;
  /** The most missed due times one catch-up starts (`missed: all`). */
  maxCatchUp: number;
  /** The portal's address, for links in notices; empty when unknown. */
  portalUrl: string;
}

/** The schedule settings used unless configuration says otherwise. */
export const DEFAULT_SCHEDULE_SETTINGS: ScheduleSettings = {
  maxPerUser: 100,
  catchUpSeconds: 86_400,
  maxCatchUp: 50,
  portalUrl: '',
};

/**
 * The schedules' ports: their records and fires, the calendar that delivers due times (EventBridge Scheduler or
 * croner), the notifier and the named destinations users may pick, and what starting a run needs.
 */
export type ScheduleDeps = StartRunDeps & {
  schedules: ScheduleStore;
  calendar: ScheduleCalendar;
  notifier: Notifier;
  /** The destinations an admin named (ORRERY_NOTIFY_DESTINATIONS); users choose among these. */
  destinations: readonly string[];
  scheduleSettings: ScheduleSettings;
};
