import type { Notice, Notifier } from '../../ports/notifier.ts';
import { log } from '../../observability/logger.ts';

/** Posts notices to a Slack incoming webhook; a failed delivery is logged, never thrown into the culler's work. */
export class SlackWebhookNotifier implements Notifier {
  constructor(
    private readonly webhookUrl: string,
    private readonly fetchFn: typeof fetch = fetch,
  ) {}

  async notify(notice: Notice): Promise<void> {
    try {
      const res = await this.fetchFn(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: `*${notice.subject}* (for ${notice.user})\n${notice.text}` }),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) log('warn', 'slack webhook refused a notice', { status: res.status, user: notice.user });
    } catch (err) {
      log('warn', 'slack webhook unreachable', { error: (err as Error).message, user: notice.user });
    }
  }
}

/** Keeps notices in the log only: what local mode does without a webhook. */
export class LogNotifier implements Notifier {
  async notify(notice: Notice): Promise<void> {
    log('info', 'notice', { ...notice });
  }
}
