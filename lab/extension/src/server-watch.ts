import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { messageOf, OrreryRequestError, orrery, type ServerRecord } from './api.ts';
import { timeLeft } from './dom.ts';

// The server as Orrery sees it: polled so a cull warning reaches the user where they work (a notification with the
// time left and Keep alive), and the keep-alive and shut-down actions.

/** How often the server record is read (the culler warns minutes ahead, so half a minute is early enough). */
export const POLL_MS = 30_000;

const REASONS: Record<string, string> = {
  idle: 'it has been idle',
  'max-age': 'it reached its maximum age',
  'no-heartbeat': 'Orrery stopped hearing from it',
};

/** Watches the server record and keeps at most one cull-warning notification up to date. */
export class ServerWatch {
  private notification: string | null = null;
  private timer: number | null = null;
  private stopped = false;

  /** Reads the record now and then every POLL_MS. */
  start(): void {
    void this.poll();
    this.timer = window.setInterval(() => void this.poll(), POLL_MS);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && void this.poll());
  }

  /** Reads the server record once and shows, updates or clears the cull warning. */
  async poll(): Promise<void> {
    if (this.stopped) return;
    try {
      this.show(await orrery<ServerRecord>('server'));
    } catch {
      // A blip (or a server outside Orrery): the next poll tries again; actions report their own errors.
    }
  }

  /** Shows what a server record says: a cull warning, or none. */
  show(server: ServerRecord): void {
    const warning = server.status === 'RUNNING' ? server.cullWarning : null;
    if (!warning) {
      if (this.notification) Notification.dismiss(this.notification);
      this.notification = null;
      return;
    }
    const left = (Date.parse(warning.stopsAt) - Date.now()) / 1000;
    const why = REASONS[warning.reason] ?? warning.reason;
    const message =
      `Orrery will stop this server in ${timeLeft(left)} because ${why}. ` +
      'Your files stay; running kernels and unsaved work are lost.';
    const actions: Notification.IAction[] = [
      {
        label: 'Keep alive',
        caption: 'Tell Orrery you are still working here',
        displayType: 'accent',
        callback: (event) => {
          event.preventDefault();
          void this.keepAlive();
        },
      },
    ];
    if (this.notification && Notification.update({ id: this.notification, message, type: 'warning', actions })) return;
    this.notification = Notification.warning(message, { autoClose: false, actions });
  }

  /** Keep this server alive: resets the idle clock and clears the warning. */
  async keepAlive(): Promise<void> {
    try {
      const server = await orrery<ServerRecord>('keepalive', 'POST', {});
      this.show(server);
      Notification.success('Orrery keeps this server running: the idle clock starts again.', { autoClose: 5000 });
    } catch (err) {
      Notification.error(`Keep alive failed: ${messageOf(err)}`, { autoClose: false });
    }
  }

  /** Shut down this server through Orrery (after a confirmation): the record ends STOPPED, "stopped by owner". */
  async shutDown(): Promise<void> {
    const result = await showDialog({
      title: 'Shut down this server?',
      body:
        'Orrery stops this server: its kernels end and unsaved changes are lost. Files you saved stay, and you can ' +
        'start it again from the portal.',
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Shut down' })],
    });
    if (!result.button.accept) return;
    const stopping = Notification.emit('Orrery is stopping this server…', 'in-progress', { autoClose: false });
    try {
      await orrery<ServerRecord>('shutdown', 'POST');
    } catch (err) {
      // The answer may never come back: the server that relays it is the one stopping (status 0, no answer).
      if (!(err instanceof OrreryRequestError && err.status === 0)) {
        Notification.update({ id: stopping, message: `Shutting down failed: ${messageOf(err)}`, type: 'error' });
        return;
      }
    }
    this.stopped = true;
    if (this.timer !== null) window.clearInterval(this.timer);
    if (this.notification) Notification.dismiss(this.notification);
    const message = 'Orrery is stopping this server: its kernels end. You can close this tab.';
    Notification.update({ id: stopping, message, type: 'info', autoClose: false });
  }
}
