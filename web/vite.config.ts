import { defineConfig } from 'vite';
import { buildSizePlugin } from './build-size-plugin.ts';

const root = import.meta.dirname;

/** The portal's build: `npx vite build web` (or `--config web/vite.config.ts`) writes web/dist. */
export const config = defineConfig(({ command }) => ({
  root,
  base: '/',
  // No React plugin: Vite 8's built-in Oxc transform compiles JSX with the automatic runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  plugins: [buildSizePlugin()],
  // A build is always production code, even when NODE_ENV says otherwise (vitest sets it to "test" for the
  // browser tests' build): React would otherwise ship its development build, some 60 KB more gzipped.
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  build: {
    outDir: `${root}/dist`,
    emptyOutDir: true,
    target: 'es2022',
    assetsDir: 'assets',
    sourcemap: false,
    rolldownOptions: {
      // react-router ships "use client" for server components; in a browser-only bundle it means nothing.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        // React and the router change rarely: their own chunk stays cached across portal deploys.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: 'oidc', test: /node_modules[\\/]oauth4webapi[\\/]/ },
          ],
        },
      },
    },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
}));

// Vite loads its config through the default export; the house rule's one exception.
export default config;
