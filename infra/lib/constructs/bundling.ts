import type { BuildOptions } from 'esbuild';

/**
 * How every Orrery Lambda is bundled, in one place: OrreryFunction hands these to NodejsFunction (which runs the
 * local esbuild), and `npm run bench:bundles` hands the same values to esbuild directly, so the bench measures
 * the file CDK deploys.
 *
 * Nothing is external but Node's own modules. The AWS SDK is bundled rather than taken from the Node 24
 * runtime: the functions then run the SDK versions package.json pins and the tests exercise (the runtime's
 * copy moves on AWS's schedule), and importing the runtime's unbundled SDK files is slower at cold start than
 * one minified file (NodejsFunction would otherwise mark `@aws-sdk/*` external by default).
 */
export const LAMBDA_BUNDLING = {
  format: 'esm',
  platform: 'node',
  // The runtime is Node 24; esbuild only lowers syntax newer than this.
  target: 'node22',
  minify: true,
  mainFields: ['module', 'main'],
  external: [] as string[],
  // CommonJS dependencies (sanitize-html, js-yaml's users, client-node's) call require(); an ESM bundle has none unless one is made.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
} as const;

/** esbuild's options for one entry bundled as OrreryFunction bundles it (the bench adds a metafile to see what weighs). */
export const lambdaEsbuildOptions = (entryPoint: string, outfile: string): BuildOptions => ({
  entryPoints: [entryPoint],
  outfile,
  bundle: true,
  format: LAMBDA_BUNDLING.format,
  platform: LAMBDA_BUNDLING.platform,
  target: LAMBDA_BUNDLING.target,
  minify: LAMBDA_BUNDLING.minify,
  mainFields: [...LAMBDA_BUNDLING.mainFields],
  external: [...LAMBDA_BUNDLING.external],
  banner: { js: LAMBDA_BUNDLING.banner },
  logLevel: 'error',
});
