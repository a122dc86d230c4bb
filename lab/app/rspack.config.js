// How lab/app becomes the static JupyterLab under lab/build: JupyterLab's examples/app recipe on @jupyter/builder's
// base rules (css, svg, fonts, `fullySpecified: false` for the packages' extensionless ESM imports), plus swc for
// the Orrery extension's TypeScript. scripts/build-lab.mjs runs it with ORRERY_LAB_OUT set to a fresh folder and
// swaps that folder in when the build succeeds.
const fs = require('node:fs');
const path = require('node:path');
const rspack = require('@rspack/core');
const { Build } = require('@jupyter/builder');
const base = require('@jupyter/builder/lib/webpack.config.base');
const { EXTENSION_PACKAGES, MIME_PACKAGES } = require('./plugins.js');

const lab = path.resolve(__dirname, '..');

// index.js must import exactly the packages plugins.js lists (their assets are copied from that list).
const entry = fs.readFileSync(path.join(__dirname, 'index.js'), 'utf8');
const imported = [...entry.matchAll(/import\('(@jupyterlab\/[^']+)'\)/g)]
  .map((m) => m[1])
  .filter((name) => name !== '@jupyterlab/application');
const listed = [...EXTENSION_PACKAGES, ...MIME_PACKAGES];
const differ = [...imported.filter((n) => !listed.includes(n)), ...listed.filter((n) => !imported.includes(n))];
if (differ.length) throw new Error(`lab/app/index.js and plugins.js disagree about: ${differ.join(', ')}`);

const out = path.resolve(process.env.ORRERY_LAB_OUT || path.join(lab, 'build'));

// Copies every package's schemas (out/schemas) and builds its theme (out/themes), and writes out/style.js, the
// stylesheet imports the entry loads first; returns one extra config per theme.
const themeConfigs = Build.ensureAssets({ packageNames: [...EXTENSION_PACKAGES, ...MIME_PACKAGES], output: out });

// Loaders (css-loader, style-loader) come from lab/node_modules whatever the working folder.
const resolveLoader = { modules: [path.join(lab, 'node_modules')] };

const typescript = {
  test: /\.tsx?$/,
  exclude: /node_modules/,
  loader: 'builtin:swc-loader',
  options: {
    jsc: {
      parser: { syntax: 'typescript', tsx: true, decorators: true },
      transform: { react: { runtime: 'automatic' } },
      target: 'es2022',
    },
  },
  type: 'javascript/auto',
};

/** The app bundle: bundle.js (the page loads it) and its hashed chunks. */
const app = {
  ...base,
  name: 'app',
  mode: 'production',
  devtool: false,
  context: __dirname,
  entry: { bundle: './index.js' },
  output: {
    ...base.output,
    path: out,
    filename: '[name].js',
    chunkFilename: '[name].[contenthash:8].js',
    assetModuleFilename: 'assets/[name].[contenthash:8][ext]',
    clean: false,
  },
  module: { rules: [...base.module.rules, typescript] },
  resolve: {
    ...base.resolve,
    extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    // The extension's ESM-style `./x.js` imports name its .ts sources.
    extensionAlias: { '.js': ['.ts', '.tsx', '.js'] },
    // lab/node_modules first: the extension (../extension) must share this app's single copy of every
    // @jupyterlab/@lumino package, even when lab/extension has a node_modules of its own (the image build's).
    modules: [path.join(lab, 'node_modules'), 'node_modules'],
    alias: { 'orrery-lab-styles$': path.join(out, 'style.js') },
    // The @jupyterlab packages are CommonJS and require() what @jupyter/ydoc import()s. For a package that ships
    // both builds (yjs, lib0), each style would get its own copy: two Yjs modules, and every notebook then fails
    // ("Not same Y.Doc", cells that never run). require() takes the ESM build too, so there is one of each.
    byDependency: { commonjs: { conditionNames: ['import', 'module', 'browser', 'require', 'default'] } },
  },
  resolveLoader,
  performance: { hints: false },
  // MathJax's loader reads __dirname for Node; in the browser it never takes that branch.
  ignoreWarnings: [/"__dirname" is used and has been mocked/],
  plugins: [
    ...base.plugins,
    new rspack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify('production') }),
  ],
};

module.exports = [app, ...themeConfigs.map((theme) => ({ ...theme, context: __dirname, resolveLoader }))];
