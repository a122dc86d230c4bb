import { ValidationError } from './errors.ts';

// Admins name where notices may go (ORRERY_NOTIFY_DESTINATIONS); users pick one of those names, never a URL, so a
// schedule can never be pointed at an address of its owner's choosing.

/** What a destination speaks: a Slack incoming webhook (blocks) or a generic JSON webhook. */
export type DestinationType = 'slack' | 'webhook';

/** The kinds of destination, for validation and messages. */
export const DESTINATION_TYPES: readonly DestinationType[] = ['slack', 'webhook'];

/** The name of the destination ORRERY_SLACK_WEBHOOK_URL becomes when it is set. */
export const IMPLICIT_SLACK_DESTINATION = 'slack';

/** One named destination, as configuration resolved it; its URL is a secret, read when a notice is sent. */
export interface NotifyDestination {
  name: string;
  type: DestinationType;
  /** Notices that name no destination go to the default one (at most one is). */
  isDefault: boolean;
  /** The Secrets Manager secret (name or ARN) holding the URL, read in the cloud; null when none is named. */
  secret: string | null;
  /** The variable that holds the URL locally (`urlEnv`), for messages that say what to set; null when none. */
  urlVariable: string | null;
  /** The URL when configuration already holds it (local mode's variable, the old Slack webhook); else null. */
  url: string | null;
}

/** The destination notices without a name of their own go to, or null when there is none. */
export const defaultDestination = (all: readonly NotifyDestination[]): NotifyDestination | null =>
  all.find((d) => d.isDefault) ?? null;

/** The destination a notice goes to: the one it names, else the default; null when neither exists. */
export const destinationFor = (
  all: readonly NotifyDestination[],
  name: string | null | undefined,
): NotifyDestination | null => (name ? (all.find((d) => d.name === name) ?? null) : defaultDestination(all));

/**
 * Checks a destination a user chose (a schedule's `notify.destination`) against the admins' names: null is the
 * default; an unknown name is a 400 that lists the known ones, at `path`.
 */
export const checkDestinationName = (
  all: readonly Pick<NotifyDestination, 'name'>[],
  name: string | null | undefined,
  path = 'body.notify.destination',
): void => {
  if (name === null || name === undefined || all.some((d) => d.name === name)) return;
  const known = all.length
    ? `known destinations: ${all.map((d) => d.name).join(', ')}`
    : 'no destinations are configured (an admin names them in ORRERY_NOTIFY_DESTINATIONS); use null';
  throw new ValidationError(`unknown notification destination '${name}'; ${known}`, [
    { path, message: 'unknown destination' },
  ]);
};
