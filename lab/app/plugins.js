// The JupyterLab plugins this app is assembled from, as JupyterLab's examples/app assembles one. The build config
// reads EXTENSION_PACKAGES to copy each package's schemas, themes and styles; index.js imports the same list (an
// import needs a literal name, so the two lists are checked against each other when the build starts).
//
// Left out on purpose, because Debian's jupyter_server 1.23 + jupyterlab_server 2.16 have no server side for them:
// the extension manager and the plugin manager (JupyterLab's own /lab/api/extensions and /lab/api/plugins), the
// language-server plugins (jupyter_lsp), the debugger (no debugpy in Debian's ipykernel set), JupyterHub's menu,
// and the big optional renderers (mermaid, vega) to keep the build small.

/** The packages whose plugins (and mime renderers) the app registers. */
const EXTENSION_PACKAGES = [
  '@jupyterlab/application-extension',
  '@jupyterlab/apputils-extension',
  '@jupyterlab/cell-toolbar-extension',
  '@jupyterlab/celltags-extension',
  '@jupyterlab/codemirror-extension',
  '@jupyterlab/completer-extension',
  '@jupyterlab/console-extension',
  '@jupyterlab/csvviewer-extension',
  '@jupyterlab/docmanager-extension',
  '@jupyterlab/documentsearch-extension',
  '@jupyterlab/filebrowser-extension',
  '@jupyterlab/fileeditor-extension',
  '@jupyterlab/help-extension',
  '@jupyterlab/htmlviewer-extension',
  '@jupyterlab/imageviewer-extension',
  '@jupyterlab/inspector-extension',
  '@jupyterlab/launcher-extension',
  '@jupyterlab/logconsole-extension',
  '@jupyterlab/mainmenu-extension',
  '@jupyterlab/markdownviewer-extension',
  '@jupyterlab/markedparser-extension',
  '@jupyterlab/mathjax-extension',
  '@jupyterlab/metadataform-extension',
  '@jupyterlab/notebook-extension',
  '@jupyterlab/rendermime-extension',
  '@jupyterlab/running-extension',
  '@jupyterlab/services-extension',
  '@jupyterlab/settingeditor-extension',
  '@jupyterlab/shortcuts-extension',
  '@jupyterlab/statusbar-extension',
  '@jupyterlab/terminal-extension',
  '@jupyterlab/theme-dark-extension',
  '@jupyterlab/theme-dark-high-contrast-extension',
  '@jupyterlab/theme-light-extension',
  '@jupyterlab/toc-extension',
  '@jupyterlab/tooltip-extension',
  '@jupyterlab/translation-extension',
  '@jupyterlab/ui-components-extension',
  '@jupyterlab/workspaces-extension',
];

/** The packages of mime renderers (registered as mimeExtensions). */
const MIME_PACKAGES = ['@jupyterlab/javascript-extension', '@jupyterlab/json-extension', '@jupyterlab/pdf-extension'];

/**
 * Plugins of the packages above that call a server JupyterLab's own Python package has and Debian's servers do not
 * (so the browser would log a 404 for each): the news/update checker and the language-server glue.
 */
const DISABLED_PLUGINS = [/^@jupyterlab\/apputils-extension:announcements$/, /:language-server$/];

module.exports = { EXTENSION_PACKAGES, MIME_PACKAGES, DISABLED_PLUGINS };
