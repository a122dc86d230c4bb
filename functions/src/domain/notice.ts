// A notice is data the domain decides (run-alerts.ts, digest.ts, notification-messages.ts); the Notifier port
// (ports/notifier.ts) sends it.

/** What a notice is about; destinations and the delivery log group by it. */
export type NoticeKind =
  | 'run-failed'
  | 'run-succeeded'
  | 'run-slow'
  | 'run-cost'
  | 'schedule-failed'
  | 'delegation-expiring'
  | 'digest'
  | 'cull-warning'
  | 'cull-stop'
  | 'spark-high-cost'
  | 'other';

/** One message to a user about their things (a failed run, a cull warning, a stop). */
export interface Notice {
  user: string;
  subject: string;
  /** The plain text: the whole message where rich formatting is not available. */
  text: string;
  kind?: NoticeKind;
  /** A destination an admin named (ORRERY_NOTIFY_DESTINATIONS); absent or null: the default one. */
  destination?: string | null;
  /** Short labelled facts (notebook, parameters, due time), shown as fields. */
  fields?: { label: string; value: string }[];
  /** Preformatted detail (a failing cell's error and traceback), cut to what a message holds. */
  detail?: string;
  /** Where to look: the run's page, the schedule's. */
  link?: { label: string; url: string };
  /** What it is about (a run id, a schedule id), for the delivery log. */
  ref?: string;
}
