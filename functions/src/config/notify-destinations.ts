import { NotifyDestinationsSchema, type NotifyDestinationEntry } from '../contracts/notification-schemas.ts';
import { IMPLICIT_SLACK_DESTINATION, type NotifyDestination } from '../domain/notify-destinations.ts';

// ORRERY_NOTIFY_DESTINATIONS, read into the destinations notices go to. A destination's URL is a secret: in the
// cloud the notifier reads the Secrets Manager secret the entry names when it first sends there (so an unreadable
// secret fails that delivery, not the function's cold start); locally it is the value of the variable the entry's
// `urlEnv` names, read here with the rest of the environment.

const VARIABLE = 'ORRERY_NOTIFY_DESTINATIONS';

const parseEntries = (text: string): NotifyDestinationEntry[] => {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`configuration: ${VARIABLE} is not JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = NotifyDestinationsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
  throw new Error(`configuration: ${VARIABLE}: ${problems.join('; ')}`);
};

// A local URL is checked as any URL setting is, its value never echoed (it is a credential).
const urlFrom = (entry: NotifyDestinationEntry, env: Record<string, string | undefined>): string | null => {
  const value = entry.urlEnv ? env[entry.urlEnv] : undefined;
  if (!value) return null;
  if (!URL.canParse(value) || !/^https?:\/\//.test(value)) {
    throw new Error(`configuration: ${entry.urlEnv} (the URL of destination '${entry.name}'): a URL (https://…)`);
  }
  return value;
};

/**
 * The destinations: those ORRERY_NOTIFY_DESTINATIONS names (JSON), then ORRERY_SLACK_WEBHOOK_URL as the destination
 * `slack` unless an entry takes that name. The implicit `slack` is the default unless an entry is marked
 * `default`. A bad entry stops start-up with its path and the problem.
 */
export const readNotifyDestinations = (
  text: string | undefined,
  env: Record<string, string | undefined>,
  slackWebhookUrl: string | undefined,
): NotifyDestination[] => {
  const named: NotifyDestination[] = (text ? parseEntries(text) : []).map((entry) => ({
    name: entry.name,
    type: entry.type,
    isDefault: entry.default,
    secret: entry.secret ?? null,
    urlVariable: entry.urlEnv ?? null,
    url: urlFrom(entry, env),
  }));
  if (!slackWebhookUrl || named.some((d) => d.name === IMPLICIT_SLACK_DESTINATION)) return named;
  const slack: NotifyDestination = {
    name: IMPLICIT_SLACK_DESTINATION,
    type: 'slack',
    isDefault: !named.some((d) => d.isDefault),
    secret: null,
    urlVariable: 'ORRERY_SLACK_WEBHOOK_URL',
    url: slackWebhookUrl,
  };
  return [...named, slack];
};

/** The variables destinations read their URLs from (`urlEnv`), which local mode must not report as unknown. */
export const destinationUrlVariables = (text: string | undefined): string[] => {
  if (!text) return [];
  try {
    const raw = JSON.parse(text) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((d: { urlEnv?: unknown }) => (typeof d?.urlEnv === 'string' ? [d.urlEnv] : []));
  } catch {
    return [];
  }
};
