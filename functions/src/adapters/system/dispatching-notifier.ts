import { slackMessage, webhookBody } from '../../domain/notification-messages.ts';
import { destinationFor, type NotifyDestination } from '../../domain/notify-destinations.ts';
import { log } from '../../observability/logger.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Ids } from '../../ports/ids.ts';
import type { DeliveryStatus, NotificationDelivery, NotificationLog } from '../../ports/notification-log.ts';
import type { Notice, Notifier } from '../../ports/notifier.ts';
import type { SecretReader } from '../../ports/secret-reader.ts';
import {
  DEFAULT_DELIVERY_POLICY,
  type DeliveryOutcome,
  type DeliveryPolicy,
  type DeliveryTools,
  postWithRetries,
  SYSTEM_DELIVERY_TOOLS,
} from './webhook-delivery.ts';

/**
 * Where each destination's URL comes from: the one configuration holds (local mode's `urlEnv`, the old Slack
 * webhook), else its secret (the reader gives the URL itself), read once and kept until a delivery there fails
 * (a rotated webhook is read again). Without a secret reader (local mode) a destination with only a secret has no
 * URL, and says what to set.
 */
export class DestinationUrls {
  private readonly read = new Map<string, Promise<string>>();

  constructor(private readonly secrets: SecretReader | null) {}

  /** The destination's URL; an error that says what to configure when there is none. */
  async urlOf(d: NotifyDestination): Promise<string> {
    if (d.url) return d.url;
    if (d.secret && this.secrets) {
      const secret = d.secret;
      let pending = this.read.get(d.name);
      if (!pending) {
        pending = this.secrets.read(secret).then((text) => text.trim());
        this.read.set(d.name, pending);
      }
      return pending.catch((err: Error) => {
        this.read.delete(d.name);
        throw new Error(`its secret ${secret} cannot be read: ${err.name}: ${err.message}`);
      });
    }
    const where = d.urlVariable ? `set ${d.urlVariable} to its URL` : 'give it `urlEnv` in ORRERY_NOTIFY_DESTINATIONS';
    throw new Error(`it has no URL here: ${where}${d.secret ? ` (its secret ${d.secret} is read in the cloud)` : ''}`);
  }

  /** Forgets a destination's URL read from its secret, so the next notice there reads it again. */
  forget(name: string): void {
    this.read.delete(name);
  }
}

/** What the notifier is built from. */
export interface DispatchingNotifierDeps {
  destinations: readonly NotifyDestination[];
  urls: DestinationUrls;
  deliveries: NotificationLog;
  ids: Ids;
  clock: Clock;
  policy?: DeliveryPolicy;
  tools?: DeliveryTools;
}

// A delivery log entry stays small: the message as sent is in the destination, not here.
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Sends each notice to its destination (the one it names, else the default) written for that destination's kind
 * (Slack blocks, or the generic JSON body), retrying as webhook-delivery.ts says, and records every notice in the
 * delivery log: `delivered`, `failed` (with the last answer), or `logged` when no destination is configured (then
 * the notice is written to the log, as before). Never throws into the caller's work.
 */
export class DispatchingNotifier implements Notifier {
  constructor(private readonly deps: DispatchingNotifierDeps) {}

  async notify(notice: Notice): Promise<void> {
    try {
      const id = this.deps.ids.next('ntf');
      const createdAt = this.deps.clock.now().toISOString();
      const destination = destinationFor(this.deps.destinations, notice.destination);
      const outcome = await this.deliver(notice, destination, { id, createdAt });
      await this.record(notice, { id, createdAt, destination, outcome });
    } catch (err) {
      log('warn', 'notice not handled', { user: notice.user, kind: notice.kind, error: (err as Error).message });
    }
  }

  private async deliver(
    notice: Notice,
    d: NotifyDestination | null,
    delivery: { id: string; createdAt: string },
  ): Promise<DeliveryOutcome | null> {
    if (!d) {
      if (!notice.destination) return null;
      const known = this.deps.destinations.map((x) => x.name).join(', ') || 'none';
      return {
        delivered: false,
        attempts: 0,
        error: `no destination is named '${notice.destination}' (known: ${known})`,
      };
    }
    let url: string;
    try {
      url = await this.deps.urls.urlOf(d);
    } catch (err) {
      return { delivered: false, attempts: 0, error: cut((err as Error).message, 500) };
    }
    const payload = d.type === 'slack' ? slackMessage(notice) : webhookBody(notice, delivery);
    const outcome = await postWithRetries(url, payload, this.deps.policy ?? DEFAULT_DELIVERY_POLICY, {
      ...SYSTEM_DELIVERY_TOOLS,
      ...this.deps.tools,
    });
    if (!outcome.delivered) this.deps.urls.forget(d.name);
    return outcome;
  }

  private async record(
    notice: Notice,
    o: { id: string; createdAt: string; destination: NotifyDestination | null; outcome: DeliveryOutcome | null },
  ): Promise<void> {
    const status: DeliveryStatus = !o.outcome ? 'logged' : o.outcome.delivered ? 'delivered' : 'failed';
    const entry: NotificationDelivery = {
      id: o.id,
      user: notice.user,
      kind: notice.kind ?? 'other',
      destination: o.destination?.name ?? notice.destination ?? null,
      subject: cut(notice.subject, 300),
      text: cut(notice.text, 4000),
      ref: notice.ref ?? null,
      status,
      attempts: o.outcome?.attempts ?? 0,
      error: o.outcome?.error ?? null,
      createdAt: o.createdAt,
    };
    if (status === 'logged') log('info', 'notice', { ...notice });
    if (status === 'failed') {
      const { id, user, kind, destination, attempts, error } = entry;
      log('warn', 'notice not delivered', { id, user, kind, destination, attempts, error });
    }
    try {
      await this.deps.deliveries.record(entry);
    } catch (err) {
      log('warn', 'could not record a notification', { id: o.id, user: notice.user, error: (err as Error).message });
    }
  }
}
