// The layer rules of functions/src, and the one door infra/ and web/ use into it, as dependency-cruiser checks
// them (scripts/test/architecture.test.ts runs it over functions/src, infra/ and web/src with `npm test`).
// CommonJS on purpose: dependency-cruiser loads its configuration with require(), so this file is a module
// with `module.exports` (hence .cjs in a "type": "module" package), and the house rule against default
// exports bends here as it does in vitest.config.ts.
//
// Every rule counts type-only imports too (tsPreCompilationDeps), so a type in the wrong module shows up as
// the dependency it is. Paths are relative to the repository root.

const SRC = '^functions/src/';
const layer = (...names) => `${SRC}(${names.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No module reaches itself through its imports, type-only ones included (a type in the wrong module).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-imports-only-domain',
      comment: 'The domain is pure rules: it imports nothing else of functions/src.',
      severity: 'error',
      from: { path: layer('domain') },
      to: { path: SRC, pathNot: layer('domain') },
    },
    {
      name: 'domain-and-ports-no-aws-sdk',
      comment: 'Only adapters/aws speaks to AWS; the domain and the ports never see an SDK type.',
      severity: 'error',
      from: { path: layer('domain', 'ports', 'use-cases') },
      to: { path: '(^|node_modules/)@(aws-sdk|smithy)/' },
    },
    {
      name: 'aws-sdk-only-in-adapters-aws',
      comment: 'Only functions/src/adapters/aws imports @aws-sdk/* and @smithy/*; the rest takes clients from there.',
      severity: 'error',
      from: { path: SRC, pathNot: `${SRC}adapters/aws/` },
      to: { path: '(^|node_modules/)@(aws-sdk|smithy)/' },
    },
    {
      name: 'ports-import-only-domain',
      comment: 'A port is an interface over domain types.',
      severity: 'error',
      from: { path: layer('ports') },
      to: { path: SRC, pathNot: layer('ports', 'domain') },
    },
    {
      name: 'use-cases-import-only-domain-and-ports',
      comment: 'A use case sees domain types and ports: no adapter, handler, composition, HTTP, config or logging.',
      severity: 'error',
      from: { path: layer('use-cases') },
      to: { path: SRC, pathNot: layer('use-cases', 'ports', 'domain') },
    },
    {
      name: 'adapters-no-wiring-or-edges',
      comment: 'An adapter implements a port: it never reaches handlers, composition, use cases, HTTP or config.',
      severity: 'error',
      from: { path: layer('adapters') },
      to: { path: layer('handlers', 'composition', 'use-cases', 'http', 'config') },
    },
    {
      name: 'handlers-no-adapters',
      comment:
        'Handlers get adapters through composition only. One bend: the run tasks build the runner Job with the pure ' +
        'manifest builder of adapters/k8s (data the Prepare state hands the state machine; no I/O, no SDK).',
      severity: 'error',
      from: { path: layer('handlers'), pathNot: '^functions/src/handlers/tasks/run-tasks\\.ts$' },
      to: { path: layer('adapters') },
    },
    {
      name: 'run-tasks-only-the-runner-job-builder',
      comment: 'The run tasks may use the runner Job builder and no other adapter.',
      severity: 'error',
      from: { path: '^functions/src/handlers/tasks/run-tasks\\.ts$' },
      to: { path: layer('adapters'), pathNot: '^functions/src/adapters/k8s/runner-job\\.ts$' },
    },
    {
      name: 'composition-only-from-entries',
      comment:
        'Only the entries call the composition: the Lambda entries (handlers/**/*-lambda.ts) and the local ' +
        'platform (handlers/local/local-platform.ts). Nothing else of functions/src depends on the wiring.',
      severity: 'error',
      from: {
        path: SRC,
        pathNot: [`${SRC}composition/`, '-lambda\\.ts$', `${SRC}handlers/local/local-platform\\.ts$`],
      },
      to: { path: layer('composition') },
    },
    {
      name: 'http-is-a-framework',
      comment: 'The HTTP layer knows routes, domain errors and logging; no adapters, handlers, use cases or config.',
      severity: 'error',
      from: { path: layer('http') },
      to: { path: layer('adapters', 'handlers', 'composition', 'use-cases', 'config') },
    },
    {
      name: 'config-no-adapters-or-edges',
      comment: 'Configuration is parsed and checked, not wired: no adapters, handlers, composition or HTTP.',
      severity: 'error',
      from: { path: layer('config') },
      to: { path: layer('adapters', 'handlers', 'composition', 'http') },
    },
    {
      name: 'observability-stands-alone',
      comment: 'Logging and metrics import only the contracts (metric names).',
      severity: 'error',
      from: { path: layer('observability') },
      to: { path: SRC, pathNot: layer('observability', 'contracts') },
    },
    {
      name: 'contracts-import-only-domain',
      comment: 'What infra/ and web/ read stays small: contracts import only the domain and each other.',
      severity: 'error',
      from: { path: layer('contracts') },
      to: { path: SRC, pathNot: layer('contracts', 'domain') },
    },
    {
      name: 'infra-and-web-only-through-contracts',
      comment:
        'infra/ and web/ reach functions/ through `#functions/contracts` alone. Their tests may check the two sides ' +
        'agree (the committed cluster manifests, the portal form against the API validator) and are not held to it.',
      severity: 'error',
      from: { path: '^(infra|web/src)/', pathNot: '\\.test\\.tsx?$' },
      to: { path: '^functions/', pathNot: '^functions/src/contracts/index\\.ts$' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/', 'cdk\\.out'] },
    // Node's own conditions, so `#functions/contracts` (package.json "imports") resolves as Node and tsx resolve it.
    enhancedResolveOptions: {
      conditionNames: ['import', 'node', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
