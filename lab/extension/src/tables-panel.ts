import { Notification } from '@jupyterlab/apputils';
import { NotebookActions, type NotebookPanel } from '@jupyterlab/notebook';
import { tableRowsIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';
import { type DataTable, messageOf, orrery, type TableTemplate } from './api.ts';
import { el } from './dom.ts';

// The Data tables side panel: the tables the server's role can see (Glue in the cloud, SQLite files locally),
// searchable, each with Insert code per template: a new cell below the active one, with the template's code.

/** Adds a code cell with `code` below the active cell of the current notebook; false when no notebook is open. */
export const insertCode = (panel: NotebookPanel | null, code: string): boolean => {
  if (!panel) return false;
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  if (notebook.activeCell?.model.type !== 'code') NotebookActions.changeCellType(notebook, 'code');
  notebook.activeCell?.model.sharedModel.setSource(code);
  // Into the new cell, after the click has settled, so Shift+Enter runs it (the button would keep the focus).
  notebook.mode = 'edit';
  requestAnimationFrame(() => notebook.activeCell?.editor?.focus());
  return true;
};

/** The panel widget. */
export class TablesPanel extends Widget {
  private readonly list = el('ul', { class: 'orrery-tables-list', 'aria-label': 'Data tables' });
  private readonly status = el('p', { class: 'orrery-muted', role: 'status' });
  private readonly search = el('input', {
    type: 'search',
    placeholder: 'Search tables',
    'aria-label': 'Search tables',
  });
  private loaded = false;
  private debounce: number | null = null;

  constructor(private readonly notebook: () => NotebookPanel | null) {
    super();
    this.id = 'orrery-data-tables';
    this.addClass('orrery-tables');
    this.title.icon = tableRowsIcon;
    this.title.caption = 'Data tables';
    const reload = el('button', {
      type: 'button',
      class: 'jp-mod-styled',
      text: 'Reload',
      title: 'Read the catalog again',
    });
    reload.addEventListener('click', () => void this.load());
    this.search.addEventListener('input', () => {
      if (this.debounce !== null) window.clearTimeout(this.debounce);
      this.debounce = window.setTimeout(() => void this.load(), 300);
    });
    this.node.append(
      el('h2', { text: 'Data tables' }),
      el('div', { class: 'orrery-row' }, [this.search, reload]),
      this.status,
      this.list,
    );
  }

  /** Loads the first time the panel is shown. */
  protected override onAfterShow(): void {
    if (!this.loaded) void this.load();
  }

  /** Reads the tables matching the search box. */
  async load(): Promise<void> {
    this.loaded = true;
    this.status.textContent = 'Reading the catalog…';
    const q = this.search.value.trim();
    try {
      const page = await orrery<{ items: DataTable[]; note?: string }>(
        `tables${q ? `?q=${encodeURIComponent(q)}` : ''}`,
      );
      this.list.replaceChildren(...page.items.map((table) => this.row(table)));
      const count = page.items.length
        ? `${page.items.length} table${page.items.length === 1 ? '' : 's'} this server can read.`
        : q
          ? 'No table matches.'
          : 'No table is visible to this server.';
      this.status.textContent = page.note ? `${count} ${page.note}` : count;
    } catch (err) {
      this.list.replaceChildren();
      this.status.textContent = messageOf(err);
    }
  }

  private row(table: DataTable): HTMLLIElement {
    const columns = table.columns.map((c) => `${c.name} ${c.type}`.trim()).join(', ');
    const buttons = table.templates.map((template) => this.insertButton(table, template));
    return el('li', { class: 'orrery-table', 'data-table': `${table.database}.${table.name}` }, [
      el('div', { class: 'orrery-table-name' }, [
        el('strong', { text: table.name }),
        el('span', { class: 'orrery-muted', text: ` ${table.database} · ${table.catalog}` }),
      ]),
      el('div', { class: 'orrery-muted orrery-columns', text: columns, title: columns }),
      el('div', { class: 'orrery-inserts' }, buttons),
    ]);
  }

  private insertButton(table: DataTable, template: TableTemplate): HTMLButtonElement {
    const button = el('button', {
      type: 'button',
      class: 'jp-mod-styled orrery-insert',
      text: `Insert code: ${template.label}`,
      title: `Add a ${template.language} cell that queries ${table.database}.${table.name}`,
    });
    button.addEventListener('click', () => {
      try {
        if (!insertCode(this.notebook(), template.code)) {
          Notification.info('Open a notebook first: the code goes below its active cell.', { autoClose: 5000 });
        }
      } catch (err) {
        Notification.error(`Could not insert the code: ${messageOf(err)}`, { autoClose: false });
      }
    });
    return button;
  }
}
