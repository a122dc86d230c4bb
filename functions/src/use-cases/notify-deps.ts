import type { NotifyDestination } from '../domain/notify-destinations.ts';
import type { Clock } from '../ports/clock.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { NotificationLog } from '../ports/notification-log.ts';
import type { Notifier } from '../ports/notifier.ts';

/** Where notices may go and what their links point at, from configuration. */
export interface NotifySettings {
  /** The destinations admins named (ORRERY_NOTIFY_DESTINATIONS, with ORRERY_SLACK_WEBHOOK_URL as `slack`). */
  destinations: NotifyDestination[];
  /** The portal's address, which links to runs start from; empty: notices carry no link. */
  portalUrl: string;
}

/** The notifications' ports and settings; each use case declares the few it needs with a Pick. */
export interface NotifyDeps {
  notifier: Notifier;
  notificationLog: NotificationLog;
  notifySettings: NotifySettings;
  clock: Clock;
  cursors: CursorCodec;
}

/** No destination and no links: every notice is only logged. */
export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = { destinations: [], portalUrl: '' };
