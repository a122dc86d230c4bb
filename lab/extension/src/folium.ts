import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { IDocumentManager } from '@jupyterlab/docmanager';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import {
  type FoliumNotebook,
  type FoliumVersion,
  messageOf,
  type OrreryConfig,
  orrery,
  type Page,
  portalLink,
} from './api.ts';
import { el, FormBody, field } from './dom.ts';

// Upload to Folium, Open from Folium and Run in Folium. A notebook remembers where it came from in its metadata
// (`orrery: {notebookId, version, title}`), so its next upload is a new version of the same Folium notebook.

/** What a notebook's metadata remembers of its Folium notebook. */
export interface FoliumOrigin {
  notebookId: string;
  version: number;
  title?: string;
}

/** The Folium origin of an open notebook, if it has one. */
export const originOf = (panel: NotebookPanel | null): FoliumOrigin | null => {
  const value = panel?.model?.getMetadata('orrery') as Partial<FoliumOrigin> | undefined;
  return value && typeof value.notebookId === 'string' ? (value as FoliumOrigin) : null;
};

interface NewNotebookForm {
  title: string;
  tags: string;
  visibility: string;
  message: string;
}

const newNotebookForm = (suggested: string): FormBody<NewNotebookForm> => {
  const title = el('input', { type: 'text', value: suggested, name: 'title', required: '' });
  const tags = el('input', { type: 'text', name: 'tags', placeholder: 'sales, weekly' });
  const visibility = el('select', { name: 'visibility' }, [
    el('option', { value: 'private', text: 'Private: you and admins' }),
    el('option', { value: 'team', text: 'Team: your team' }),
    el('option', { value: 'org', text: 'Organisation: anyone signed in' }),
  ]);
  const message = el('input', { type: 'text', name: 'message', placeholder: 'Initial version' });
  const node = el('div', {}, [
    field('Title', title),
    field('Tags (comma-separated)', tags),
    field('Visibility', visibility),
    field('Message', message),
  ]);
  return new FormBody(node, () => ({
    title: title.value,
    tags: tags.value,
    visibility: visibility.value,
    message: message.value,
  }));
};

const versionForm = (origin: FoliumOrigin): FormBody<{ message: string }> => {
  const message = el('input', { type: 'text', name: 'message', placeholder: 'What changed' });
  const node = el('div', {}, [
    el('p', {
      text:
        `A new version of “${origin.title ?? origin.notebookId}” ` +
        `(this notebook came from version ${origin.version}).`,
    }),
    field('Message', message),
  ]);
  return new FormBody(node, () => ({ message: message.value }));
};

/** Asks what to upload: a new version of the origin, or a new notebook; null when cancelled. */
const askUpload = async (panel: NotebookPanel): Promise<Record<string, unknown> | null> => {
  const origin = originOf(panel);
  if (origin) {
    const result = await showDialog({
      title: 'Upload to Folium',
      body: versionForm(origin),
      buttons: [
        Dialog.cancelButton(),
        Dialog.createButton({ label: 'Upload as a new notebook', actions: ['new'] }),
        Dialog.okButton({ label: 'Upload new version' }),
      ],
    });
    if (result.button.actions.includes('new')) return askNew(panel);
    if (!result.button.accept || !result.value) return null;
    return { notebookId: origin.notebookId, title: origin.title, message: result.value.message };
  }
  return askNew(panel);
};

const askNew = async (panel: NotebookPanel): Promise<Record<string, unknown> | null> => {
  const suggested =
    panel.context.path
      .split('/')
      .pop()
      ?.replace(/\.ipynb$/, '') ?? '';
  const result = await showDialog({
    title: 'Upload to Folium as a new notebook',
    body: newNotebookForm(suggested),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Upload' })],
  });
  return result.button.accept && result.value ? { ...result.value } : null;
};

interface Uploaded {
  notebookId: string;
  version: number;
  title: string | null;
  url: string | null;
}

/** Saves, uploads (asking once), records the origin in the metadata and saves again; tells the link. */
export const uploadToFolium = async (panel: NotebookPanel | null): Promise<void> => {
  if (!panel) {
    await showDialog({ title: 'Upload to Folium', body: 'Open a notebook first.', buttons: [Dialog.okButton()] });
    return;
  }
  const form = await askUpload(panel);
  if (!form) return;
  try {
    await panel.context.save();
    const done = await orrery<Uploaded>('upload', 'POST', { path: panel.context.path, ...form });
    const title = done.title ?? (form.title as string | undefined) ?? done.notebookId;
    panel.model?.setMetadata('orrery', { notebookId: done.notebookId, version: done.version, title });
    await panel.context.save();
    const url = done.url;
    Notification.success(`Uploaded “${title}” to Folium as version ${done.version}.${url ? ` ${url}` : ''}`, {
      autoClose: 10_000,
      actions: url ? [{ label: 'Open in Folium', callback: () => window.open(url, '_blank', 'noopener') }] : [],
    });
  } catch (err) {
    Notification.error(`Upload to Folium failed: ${messageOf(err)}`, { autoClose: false });
  }
};

/** Opens the portal's run form for the notebook, or explains why it cannot. */
export const runInFolium = async (panel: NotebookPanel | null, config: OrreryConfig | null): Promise<boolean> => {
  const origin = originOf(panel);
  const link = origin ? portalLink(config, origin.notebookId, true) : null;
  if (origin && link) {
    window.open(link, '_blank', 'noopener');
    return false;
  }
  const why = !panel
    ? 'Open a notebook first.'
    : !origin
      ? 'This notebook was never uploaded to Folium: Folium runs the versions it stores. Upload it first, then run it.'
      : 'The portal’s address is unknown to this server (ORRERY_PORTAL_URL is not set).';
  const result = await showDialog({
    title: 'Run in Folium',
    body: why,
    buttons: panel && !origin ? [Dialog.cancelButton(), Dialog.okButton({ label: 'Upload now' })] : [Dialog.okButton()],
  });
  return Boolean(panel && !origin && result.button.accept);
};

interface Pick {
  notebook: FoliumNotebook;
  version: number;
}

/** The search-and-pick body of Open from Folium. */
class OpenForm extends FormBody<Pick | null> {
  private picked: FoliumNotebook | null = null;
  private readonly results = el('ul', { class: 'orrery-results', role: 'listbox', 'aria-label': 'Notebooks' });
  private readonly versions = el('select', { name: 'version', 'aria-label': 'Version', disabled: '' });
  private readonly status = el('p', { class: 'orrery-muted', role: 'status' });
  private readonly searchOnEnter: (event: KeyboardEvent) => void;

  constructor() {
    const q = el('input', { type: 'search', name: 'q', placeholder: 'Title starts with…' });
    const tag = el('input', { type: 'search', name: 'tag', placeholder: 'tag' });
    const search = el('button', { class: 'jp-mod-styled jp-mod-accept', type: 'button', text: 'Search' });
    const node = el('div', { class: 'orrery-open' }, [el('div', { class: 'orrery-row' }, [q, tag, search])]);
    super(node, () => (this.picked ? { notebook: this.picked, version: Number(this.versions.value) } : null));
    node.append(this.status, this.results, field('Version', this.versions));
    const run = () => void this.search(q.value.trim(), tag.value.trim().toLowerCase());
    search.addEventListener('click', run);
    // The dialog takes Enter in any input as its default button (Open) in the capture phase, before the input
    // sees it: Enter in a search box would close the dialog with nothing picked. The document's capture phase
    // comes first, so Enter there searches, as the Search button does.
    this.searchOnEnter = (event: KeyboardEvent) => {
      if (event.key !== 'Enter' || (event.target !== q && event.target !== tag)) return;
      event.preventDefault();
      event.stopPropagation();
      run();
    };
    document.addEventListener('keydown', this.searchOnEnter, true);
    run();
  }

  /** Stops listening for Enter once the dialog is gone. */
  override dispose(): void {
    document.removeEventListener('keydown', this.searchOnEnter, true);
    super.dispose();
  }

  private async search(q: string, tag: string): Promise<void> {
    this.status.textContent = 'Searching…';
    const query = new URLSearchParams({ ...(q ? { q } : {}), ...(tag ? { tag } : {}), limit: '50' });
    try {
      const page = await orrery<Page<FoliumNotebook>>(`notebooks?${query}`);
      this.results.replaceChildren(...page.items.map((nb) => this.row(nb)));
      this.status.textContent = page.items.length ? 'Pick a notebook, then a version.' : 'No notebook matches.';
    } catch (err) {
      this.status.textContent = messageOf(err);
    }
  }

  private row(nb: FoliumNotebook): HTMLLIElement {
    const tags = nb.tags.length ? ` · ${nb.tags.join(', ')}` : '';
    const item = el('li', { role: 'option', tabindex: '0', 'data-notebook-id': nb.id }, [
      el('strong', { text: nb.title }),
      el('span', { class: 'orrery-muted', text: ` v${nb.latestVersion} · ${nb.owner}${tags}` }),
    ]);
    const choose = () => void this.choose(nb, item);
    item.addEventListener('click', choose);
    item.addEventListener('keydown', (event) => event.key === 'Enter' && choose());
    return item;
  }

  private async choose(nb: FoliumNotebook, item: HTMLLIElement): Promise<void> {
    this.picked = nb;
    for (const other of this.results.children) other.setAttribute('aria-selected', String(other === item));
    this.versions.replaceChildren(el('option', { text: 'Loading…' }));
    try {
      const page = await orrery<Page<FoliumVersion>>(`notebooks/${encodeURIComponent(nb.id)}/versions`);
      const options = page.items.map((v) =>
        el('option', {
          value: String(v.version),
          text: `${v.version} — ${v.message} (${v.author}, ${v.createdAt.slice(0, 10)})`,
        }),
      );
      this.versions.replaceChildren(...options);
      this.versions.disabled = options.length === 0;
    } catch (err) {
      this.status.textContent = messageOf(err);
    }
  }
}

/** Searches Folium, picks a version and opens it from the server's files (written next to the file browser's path). */
export const openFromFolium = async (docs: IDocumentManager, directory: string): Promise<void> => {
  const result = await showDialog({
    title: 'Open from Folium',
    body: new OpenForm(),
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Open' })],
  });
  const pick = result.button.accept ? result.value : null;
  if (!pick || !Number.isInteger(pick.version) || pick.version < 1) return;
  try {
    const body = { notebookId: pick.notebook.id, version: pick.version, title: pick.notebook.title, directory };
    const opened = await orrery<{ path: string }>('open', 'POST', body);
    docs.openOrReveal(opened.path);
    Notification.info(`Opened “${pick.notebook.title}” version ${pick.version} as ${opened.path}.`, {
      autoClose: 6000,
    });
  } catch (err) {
    Notification.error(`Open from Folium failed: ${messageOf(err)}`, { autoClose: false });
  }
};

/**
 * The notebook the commands act on: the main area's current tab when it is a notebook (the tracker's own current
 * widget follows focus, which a restored layout may have left on another tab), else the tracker's.
 */
export const currentNotebook = (tracker: INotebookTracker, shell: { currentWidget: unknown }): NotebookPanel | null => {
  const current = shell.currentWidget;
  return current && tracker.has(current as NotebookPanel) ? (current as NotebookPanel) : tracker.currentWidget;
};
