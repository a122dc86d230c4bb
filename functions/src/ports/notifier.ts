/** One message to a user about their things (a cull warning, a stop). */
export interface Notice {
  user: string;
  subject: string;
  text: string;
}

/** Tells users what the platform did or is about to do: Slack in the cloud and locally when configured. */
export interface Notifier {
  /** Sends a notice; a failure to deliver is reported, never thrown into the caller's work. */
  notify(notice: Notice): Promise<void>;
}
