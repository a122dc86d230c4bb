import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { type CredentialsStatus, messageOf, orrery, type Role, type ServerRecord } from './api.ts';
import { clock, el, FormBody, timeLeft } from './dom.ts';

// AWS credentials: the server's role and its keys' expiry (a live countdown in the status bar), refresh now,
// switch role, and the roles the user holds. The keys themselves stay in the credentials sidecar.

/** When the current keys expire (epoch ms), from a status read at `readAt`. */
const expiresAt = (status: CredentialsStatus, readAt: number): number | null =>
  status.expiration
    ? Date.parse(status.expiration)
    : status.secondsLeft !== undefined
      ? readAt + status.secondsLeft * 1000
      : null;

/** The status bar item: "AWS analyst · 42:13"; a click opens the credentials dialog. */
export class CredentialsStatusItem extends Widget {
  private status: CredentialsStatus | null = null;
  private ends: number | null = null;
  private readonly ticker: number;

  constructor(open: () => void) {
    super({ node: el('button', { class: 'orrery-status-credentials', type: 'button', title: 'AWS credentials' }) });
    this.node.addEventListener('click', open);
    this.ticker = window.setInterval(() => this.render(), 1000);
    this.hide();
  }

  /** Shows a new status (or hides the item when the server has no credentials service). */
  set(status: CredentialsStatus | null): void {
    this.status = status;
    this.ends = status ? expiresAt(status, Date.now()) : null;
    this.render();
  }

  private render(): void {
    const status = this.status;
    if (!status) {
      this.hide();
      return;
    }
    this.show();
    if (!status.role) this.node.textContent = 'AWS: no role';
    else if (this.ends === null) this.node.textContent = `AWS ${status.role}: no keys`;
    else this.node.textContent = `AWS ${status.role} · ${clock((this.ends - Date.now()) / 1000)}`;
    this.node.title = status.message ?? 'AWS credentials of this server: click for details, refresh or switch role';
    this.toggleClass('orrery-expiring', this.ends !== null && this.ends - Date.now() < 5 * 60_000);
  }

  override dispose(): void {
    window.clearInterval(this.ticker);
    super.dispose();
  }
}

const statusLine = (status: CredentialsStatus): string => {
  if (!status.role) return status.message ?? 'This server has no AWS role.';
  const where = status.account ? ` in ${status.account}` : '';
  if (status.secondsLeft === undefined) return `Role ${status.role}${where}. ${status.message ?? ''}`.trim();
  return `Role ${status.role}${where}; the keys expire in ${timeLeft(status.secondsLeft)} and renew by themselves.`;
};

const rolesTable = (roles: Role[], current: string | null): { node: HTMLElement; chosen: () => string | null } => {
  const rows = roles.map((role) =>
    el('tr', {}, [
      el('td', {}, [
        el('input', {
          type: 'radio',
          name: 'orrery-role',
          value: role.name,
          'aria-label': role.name,
          ...(role.name === current ? { checked: '' } : {}),
        }),
      ]),
      el('td', { text: role.name }),
      el('td', { text: role.account }),
      el('td', { text: role.environment }),
      el('td', { class: 'orrery-muted', text: role.description ?? '' }),
    ]),
  );
  const head = el(
    'tr',
    {},
    ['', 'Role', 'Account', 'Environment', ''].map((h) => el('th', { text: h })),
  );
  const table = el('table', { class: 'orrery-roles' }, [el('thead', {}, [head]), el('tbody', {}, rows)]);
  const node = roles.length
    ? table
    : el('p', { text: 'You hold no AWS role. An admin grants roles to teams or users.' });
  const chosen = () => node.querySelector<HTMLInputElement>('input[name="orrery-role"]:checked')?.value ?? null;
  return { node, chosen };
};

/** The AWS credentials dialog; `changed` gets each new status (for the status bar). */
export const showCredentials = async (changed: (status: CredentialsStatus) => void): Promise<void> => {
  let status: CredentialsStatus;
  let roles: Role[];
  try {
    [status, roles] = await Promise.all([
      orrery<CredentialsStatus>('credentials'),
      orrery<{ items: Role[] }>('roles').then((page) => page.items),
    ]);
  } catch (err) {
    await showDialog({ title: 'AWS credentials', body: messageOf(err), buttons: [Dialog.okButton()] });
    return;
  }
  changed(status);
  const table = rolesTable(roles, status.role);
  const body = new FormBody(
    el('div', { class: 'orrery-credentials' }, [
      el('p', { class: 'orrery-credentials-status', text: statusLine(status) }),
      el('h3', { text: 'Your roles' }),
      table.node,
    ]),
    () => table.chosen(),
  );
  const result = await showDialog({
    title: 'AWS credentials',
    body,
    // With no role there are no keys to refresh, and with no role held there is nothing to switch to.
    buttons: [
      Dialog.cancelButton({ label: 'Close' }),
      ...(status.role ? [Dialog.createButton({ label: 'Refresh now', actions: ['refresh'] })] : []),
      ...(roles.length ? [Dialog.okButton({ label: 'Switch role' })] : []),
    ],
  });
  if (result.button.actions.includes('refresh')) await refreshCredentials(changed);
  else if (result.button.accept) await switchRole(result.value ?? null, status.role, changed);
};

/** Refresh now: the sidecar fetches new keys at once. */
export const refreshCredentials = async (changed: (status: CredentialsStatus) => void): Promise<void> => {
  try {
    const status = await orrery<CredentialsStatus>('credentials/refresh', 'POST', {});
    changed(status);
    if (status.message) Notification.warning(status.message, { autoClose: false });
    else Notification.success(`New AWS keys for ${status.role}: ${statusLine(status)}`, { autoClose: 6000 });
  } catch (err) {
    Notification.error(`Refreshing the AWS keys failed: ${messageOf(err)}`, { autoClose: false });
  }
};

const switchRole = async (
  role: string | null,
  current: string | null,
  changed: (status: CredentialsStatus) => void,
): Promise<void> => {
  if (!role || role === current) return;
  try {
    const answer = await orrery<{ server: ServerRecord; credentials: CredentialsStatus }>('role', 'PUT', { role });
    changed(answer.credentials);
    const line = statusLine(answer.credentials);
    Notification.success(`This server now gets keys for ${answer.server.role}. ${line}`, { autoClose: 8000 });
  } catch (err) {
    Notification.error(`Switching to ${role} failed: ${messageOf(err)}`, { autoClose: false });
  }
};
