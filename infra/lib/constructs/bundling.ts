import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { load as loadYaml } from 'js-yaml';

/*
 * How every Orrery Lambda is bundled, in one place: OrreryFunction's asset bundling and `npm run bench:bundles`
 * both call `buildLambda`, so the bench measures the files CDK deploys.
 *
 * Nothing is external but Node's own modules. The AWS SDK is bundled rather than taken from the Node 24
 * runtime: the functions then run the SDK versions package.json pins and the tests exercise (the runtime's
 * copy moves on AWS's schedule), and importing the runtime's unbundled SDK files is slower at cold start than
 * minified chunks.
 *
 * The output is split: every `await import(...)` becomes a chunk of its own that a cold start does not load
 * (the Kubernetes client, only needed on a function's first cluster call). NodejsFunction writes one file and
 * inlines those imports, which is why OrreryFunction runs esbuild itself.
 */

/** The file Lambda loads: handlers are named `index.<export>`. */
export const LAMBDA_ENTRY_FILE = 'index.mjs';

/** The profile registry's name beside the code (the functions read /var/task/profiles.json). */
export const PROFILES_FILE = 'profiles.json';

/**
 * The profile registry (YAML or JSON, as `profilesFile` is written) compiled to JSON, which is all the Lambdas
 * read: their bundles then carry no YAML parser. The functions check the entries at cold start, as local mode does.
 */
export const compileProfiles = (profilesFile: string): string => {
  try {
    return `${JSON.stringify(loadYaml(readFileSync(profilesFile, 'utf8')), null, 2)}\n`;
  } catch (err) {
    throw new Error(`profilesFile ${profilesFile} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
};

/** The role registry's name beside the code (the functions read /var/task/roles.json when one is deployed). */
export const ROLES_FILE = 'roles.json';

/**
 * The role registry (YAML or JSON, as `rolesFile` is written) compiled to JSON, as the profiles are: the Lambdas
 * read JSON only and check the entries at cold start. An empty file is an empty registry.
 */
export const compileRoles = (rolesFile: string): string => {
  try {
    return `${JSON.stringify(loadYaml(readFileSync(rolesFile, 'utf8')) ?? [], null, 2)}\n`;
  } catch (err) {
    throw new Error(`rolesFile ${rolesFile} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
};

/** The Spark pools file's name beside the code (the functions read /var/task/spark-pools.json when one is deployed). */
export const SPARK_POOLS_FILE = 'spark-pools.json';

/**
 * The Spark pools file (YAML or JSON, as `sparkPoolsFile` is written: the list of pools, or `{pools, rules}`)
 * compiled to JSON, as the profiles are: the Lambdas read JSON only and check the entries at cold start.
 */
export const compileSparkPools = (sparkPoolsFile: string): string => {
  try {
    return `${JSON.stringify(loadYaml(readFileSync(sparkPoolsFile, 'utf8')), null, 2)}\n`;
  } catch (err) {
    throw new Error(`sparkPoolsFile ${sparkPoolsFile} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
};

// esbuild's options for one entry split into chunks under outdir, `index.mjs` the entry.
const lambdaEsbuildOptions = (entryPoint: string, outdir: string): BuildOptions & { metafile: true } => ({
  entryPoints: { index: entryPoint },
  outdir,
  bundle: true,
  splitting: true,
  // .mjs everywhere (the chunks' import paths too): Lambda reads the entry as ESM without a package.json.
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  // The runtime is Node 24; esbuild only lowers syntax newer than this.
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  // CommonJS dependencies (sanitize-html, client-node's) call require(); an ESM chunk has none unless one is made.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'error',
});

/**
 * Bundles one Lambda entry into outdir as it is deployed: `index.mjs`, its chunks, and the profile and role
 * registries and the Spark pools (when given) compiled to profiles.json, roles.json and spark-pools.json. Returns
 * esbuild's metafile (what went into which chunk).
 */
export const buildLambda = (
  entryPoint: string,
  outdir: string,
  profilesFile?: string,
  rolesFile?: string,
  sparkPoolsFile?: string,
): Metafile => {
  const { metafile } = buildSync(lambdaEsbuildOptions(entryPoint, outdir));
  if (profilesFile) writeFileSync(join(outdir, PROFILES_FILE), compileProfiles(profilesFile));
  if (rolesFile) writeFileSync(join(outdir, ROLES_FILE), compileRoles(rolesFile));
  if (sparkPoolsFile) writeFileSync(join(outdir, SPARK_POOLS_FILE), compileSparkPools(sparkPoolsFile));
  return metafile;
};

/** The npm package a bundled file comes from, or undefined for our own code. */
export const packageOf = (file: string): string | undefined => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];

/** One output chunk's size and the packages in it, keyed by its path relative to the build's outdir. */
export interface ChunkSummary {
  bytes: number;
  packages: Set<string>;
  /** Chunks it imports statically (loaded with it) and dynamically (loaded on `await import`). */
  staticImports: string[];
  dynamicImports: string[];
}

/** The chunks of one build, from its metafile; paths are relative to outdir (`index.mjs`, `chunks/…`). */
export const chunksOf = (metafile: Metafile, outdir: string): Map<string, ChunkSummary> => {
  // The metafile's paths are relative to the working directory.
  const prefix = (path: string) => relative(outdir, resolve(path));
  const chunks = new Map<string, ChunkSummary>();
  for (const [path, output] of Object.entries(metafile.outputs)) {
    if (path.endsWith('.map')) continue;
    const packages = new Set(Object.keys(output.inputs).flatMap((file) => packageOf(file) ?? []));
    const internal = output.imports.filter((i) => !i.external);
    chunks.set(prefix(path), {
      bytes: output.bytes,
      packages,
      staticImports: internal.filter((i) => i.kind === 'import-statement').map((i) => prefix(i.path)),
      dynamicImports: internal.filter((i) => i.kind === 'dynamic-import').map((i) => prefix(i.path)),
    });
  }
  return chunks;
};

/** What a cold start loads: the entry chunk and every chunk it imports statically, transitively. */
export const coldStartChunks = (chunks: Map<string, ChunkSummary>, entry = LAMBDA_ENTRY_FILE): string[] => {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const next of chunks.get(path)?.staticImports ?? []) visit(next);
  };
  visit(entry);
  return [...seen];
};
