import type { Notice } from '../domain/notice.ts';

export type { Notice, NoticeKind } from '../domain/notice.ts';

/** Tells users what the platform did or is about to do: Slack in the cloud and locally when configured. */
export interface Notifier {
  /** Sends a notice; a failure to deliver is recorded, never thrown into the caller's work. */
  notify(notice: Notice): Promise<void>;
}
