// The entry of the JupyterLab every local Orrery server serves at /lab (see docs/jupyterlab.md): JupyterLab's core
// plugins from npm plus the Orrery extension (../extension/src), bundled together by rspack.config.js.
import { PageConfig } from '@jupyterlab/coreutils';
import { DISABLED_PLUGINS } from './plugins.js';

// Chunks and assets load from the static URL the server hands the page (it carries the server's base path).
__webpack_public_path__ = `${PageConfig.getOption('fullStaticUrl')}/`;

// Written by the build (Build.ensureAssets): one import per package's stylesheet, in a stable order.
const styles = import('orrery-lab-styles');

/** The plugins of one package, whether it exports one plugin or a list, as ES or CommonJS module. */
const pluginsOf = (mod) => {
  const exported = Object.hasOwn(mod, '__esModule') || 'default' in mod ? mod.default : mod;
  const list = Array.isArray(exported) ? exported : [exported];
  return list.filter((plugin) => !DISABLED_PLUGINS.some((re) => re.test(plugin.id)));
};

const start = async () => {
  await styles;
  const { JupyterLab } = await import('@jupyterlab/application');
  // Literal imports (the bundler needs the names); plugins.js keeps the same list for the build's asset copy.
  const extensions = await Promise.all([
    import('@jupyterlab/application-extension'),
    import('@jupyterlab/apputils-extension'),
    import('@jupyterlab/cell-toolbar-extension'),
    import('@jupyterlab/celltags-extension'),
    import('@jupyterlab/codemirror-extension'),
    import('@jupyterlab/completer-extension'),
    import('@jupyterlab/console-extension'),
    import('@jupyterlab/csvviewer-extension'),
    import('@jupyterlab/docmanager-extension'),
    import('@jupyterlab/documentsearch-extension'),
    import('@jupyterlab/filebrowser-extension'),
    import('@jupyterlab/fileeditor-extension'),
    import('@jupyterlab/help-extension'),
    import('@jupyterlab/htmlviewer-extension'),
    import('@jupyterlab/imageviewer-extension'),
    import('@jupyterlab/inspector-extension'),
    import('@jupyterlab/launcher-extension'),
    import('@jupyterlab/logconsole-extension'),
    import('@jupyterlab/mainmenu-extension'),
    import('@jupyterlab/markdownviewer-extension'),
    import('@jupyterlab/markedparser-extension'),
    import('@jupyterlab/mathjax-extension'),
    import('@jupyterlab/metadataform-extension'),
    import('@jupyterlab/notebook-extension'),
    import('@jupyterlab/rendermime-extension'),
    import('@jupyterlab/running-extension'),
    import('@jupyterlab/services-extension'),
    import('@jupyterlab/settingeditor-extension'),
    import('@jupyterlab/shortcuts-extension'),
    import('@jupyterlab/statusbar-extension'),
    import('@jupyterlab/terminal-extension'),
    import('@jupyterlab/theme-dark-extension'),
    import('@jupyterlab/theme-dark-high-contrast-extension'),
    import('@jupyterlab/theme-light-extension'),
    import('@jupyterlab/toc-extension'),
    import('@jupyterlab/tooltip-extension'),
    import('@jupyterlab/translation-extension'),
    import('@jupyterlab/ui-components-extension'),
    import('@jupyterlab/workspaces-extension'),
    // The Orrery menu, panel and status items (lab/extension), bundled from source.
    import('../extension/src/index.ts'),
  ]);
  const mimeExtensions = await Promise.all([
    import('@jupyterlab/javascript-extension'),
    import('@jupyterlab/json-extension'),
    import('@jupyterlab/pdf-extension'),
  ]);
  const lab = new JupyterLab({ mimeExtensions });
  lab.registerPlugins(extensions.flatMap(pluginsOf));
  await lab.start();
  await lab.restored;
  // The browser tests wait for this mark: the shell is up and the layout restored.
  document.body.dataset.orreryLab = 'ready';
};

window.addEventListener('load', () => {
  start().catch((err) => {
    console.error('JupyterLab failed to start', err);
  });
});
