import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { MenuSvg } from '@jupyterlab/ui-components';
import { type CredentialsStatus, type OrreryConfig, orrery } from './api.ts';
import { CredentialsStatusItem, refreshCredentials, showCredentials } from './credentials.ts';
import { currentNotebook, openFromFolium, runInFolium, uploadToFolium } from './folium.ts';
import { ServerWatch } from './server-watch.ts';
import { TablesPanel } from './tables-panel.ts';
import '../style/index.css';

// The Orrery JupyterLab extension: an Orrery menu (and palette entries) for Folium, AWS credentials and the server's
// life, a status-bar countdown of the AWS keys, and the Data tables side panel. Everything goes through the Jupyter
// server's orrery/ routes (lab/orrery_lab/handlers.py); docs/jupyterlab-extension.md tells what each item does.

/** The extension's package name (plugin ids start with it). */
export const PACKAGE = '@orrery/jupyterlab-extension';

/** The commands, in menu order. */
export const COMMANDS = {
  upload: 'orrery:upload-to-folium',
  open: 'orrery:open-from-folium',
  run: 'orrery:run-in-folium',
  credentials: 'orrery:aws-credentials',
  refresh: 'orrery:refresh-aws-credentials',
  keepAlive: 'orrery:keep-alive',
  shutDown: 'orrery:shut-down',
  tables: 'orrery:data-tables',
} as const;

const CATEGORY = 'Orrery';

interface Parts {
  app: JupyterFrontEnd;
  tracker: INotebookTracker;
  docs: IDocumentManager;
  browser: IDefaultFileBrowser | null;
  watch: ServerWatch;
  credentials: (status: CredentialsStatus) => void;
  config: () => OrreryConfig | null;
}

const addCommands = ({ app, tracker, docs, browser, watch, credentials, config }: Parts): void => {
  const { commands, shell } = app;
  const hasNotebook = () => tracker.currentWidget !== null;
  commands.addCommand(COMMANDS.upload, {
    label: 'Upload to Folium…',
    caption: 'Save this notebook and upload it to Folium (a new notebook, or a new version of the one it came from)',
    isEnabled: hasNotebook,
    execute: () => uploadToFolium(currentNotebook(tracker, shell)),
  });
  commands.addCommand(COMMANDS.open, {
    label: 'Open from Folium…',
    caption: 'Search Folium, pick a version and open it here',
    execute: () => openFromFolium(docs, browser?.model.path ?? ''),
  });
  commands.addCommand(COMMANDS.run, {
    label: 'Run in Folium',
    caption: "Open the portal's run form for this notebook in a new tab",
    execute: async () => {
      if (await runInFolium(currentNotebook(tracker, shell), config())) await commands.execute(COMMANDS.upload);
    },
  });
  commands.addCommand(COMMANDS.credentials, {
    label: 'AWS credentials…',
    caption: "The server's role and key expiry; switch role, refresh now, your roles",
    execute: () => showCredentials(credentials),
  });
  commands.addCommand(COMMANDS.refresh, {
    label: 'Refresh AWS credentials now',
    execute: () => refreshCredentials(credentials),
  });
  commands.addCommand(COMMANDS.keepAlive, {
    label: 'Keep this server alive',
    caption: 'Tell Orrery you are still working here: the idle clock starts again',
    execute: () => watch.keepAlive(),
  });
  commands.addCommand(COMMANDS.shutDown, {
    label: 'Shut down this server…',
    caption: 'Stop this server through Orrery',
    execute: () => watch.shutDown(),
  });
  commands.addCommand(COMMANDS.tables, {
    label: 'Data tables',
    caption: 'Show the tables this server can query',
    execute: () => shell.activateById('orrery-data-tables'),
  });
};

const addMenu = (app: JupyterFrontEnd, mainMenu: IMainMenu | null, palette: ICommandPalette | null): void => {
  const groups = [
    [COMMANDS.upload, COMMANDS.open, COMMANDS.run],
    [COMMANDS.credentials, COMMANDS.tables],
    [COMMANDS.keepAlive, COMMANDS.shutDown],
  ];
  if (mainMenu) {
    const menu = new MenuSvg({ commands: app.commands });
    menu.id = 'jp-mainmenu-orrery';
    menu.title.label = 'Orrery';
    groups.forEach((group, index) => {
      if (index > 0) menu.addItem({ type: 'separator' });
      for (const command of group) menu.addItem({ command });
    });
    mainMenu.addMenu(menu, true, { rank: 1000 });
  }
  for (const command of [...groups.flat(), COMMANDS.refresh]) palette?.addItem({ command, category: CATEGORY });
};

const activate = (
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  docs: IDocumentManager,
  mainMenu: IMainMenu | null,
  palette: ICommandPalette | null,
  statusBar: IStatusBar | null,
  browser: IDefaultFileBrowser | null,
): void => {
  let config: OrreryConfig | null = null;
  const watch = new ServerWatch();
  const item = new CredentialsStatusItem(() => void app.commands.execute(COMMANDS.credentials));
  statusBar?.registerStatusItem(`${PACKAGE}:credentials`, { item, align: 'left', rank: 100 });
  const credentials = (status: CredentialsStatus) => item.set(status);
  addCommands({ app, tracker, docs, browser, watch, credentials, config: () => config });
  addMenu(app, mainMenu, palette);
  app.shell.add(new TablesPanel(() => currentNotebook(tracker, app.shell)), 'left', { rank: 600 });
  const readCredentials = () => void orrery<CredentialsStatus>('credentials').then(credentials, () => undefined);
  void orrery<OrreryConfig>('config').then((answer) => {
    config = answer;
    if (!answer.configured) return;
    watch.start();
    if (answer.credentials) {
      readCredentials();
      window.setInterval(readCredentials, 60_000);
    }
  });
};

/** The Orrery menu, commands, status-bar item, cull-warning notifications and Data tables panel. */
export const orreryPlugin: JupyterFrontEndPlugin<void> = {
  id: `${PACKAGE}:plugin`,
  description: 'Orrery inside JupyterLab: Folium, AWS credentials, the server and its data tables.',
  autoStart: true,
  requires: [INotebookTracker, IDocumentManager],
  optional: [IMainMenu, ICommandPalette, IStatusBar, IDefaultFileBrowser],
  activate,
};

/** The Orrery JupyterLab plugins. */
export const plugins: JupyterFrontEndPlugin<void>[] = [orreryPlugin];

// JupyterLab loads an extension's plugins from its module's default export (prebuilt extensions included): the
// one default export of the project.
export default plugins;
