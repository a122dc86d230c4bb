import { makeDocumentClient, makeS3Client } from '../adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { S3BodyStore } from '../adapters/aws/s3-body-store.ts';
import { S3RenderCache } from '../adapters/aws/s3-render-cache.ts';
import { S3RunFiles } from '../adapters/aws/s3-run-files.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { LogNotifier, SlackWebhookNotifier } from '../adapters/system/slack-notifier.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import type { AdminDeps } from '../handlers/http/admin-handlers.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { NotebookRenderer } from '../ports/notebook-renderer.ts';
import type { ServerCompute } from '../ports/server-compute.ts';
import type { ServerWorkflows, Workflows } from '../ports/workflows.ts';
import type { FoliumDeps } from '../use-cases/folium-deps.ts';
import type { RunDeps } from '../use-cases/run-deps.ts';
import type { ServerDeps } from '../use-cases/server-deps.ts';
import type { Config } from './config.ts';

// The composition, one builder per function group: each Lambda entry calls the one it needs, and the bundler
// leaves out every adapter and SDK client the others use; local mode (container.ts) joins them in one process. Workflows and compute are parameters, so a
// function that starts no workflow (a task, the culler) never loads the Step Functions client, and only the
// functions that touch servers load the Kubernetes one (lazily, see cloud-compute.ts). The renderer is a parameter
// too: esbuild keeps an import() chunk wherever the module holding it is bundled, used or not.

// With emulator endpoints (local mode) the clients take the emulators' fixed credentials.
const clientOptions = (config: Config) => ({
  region: config.region,
  dynamoEndpoint: config.dynamoEndpoint,
  s3Endpoint: config.s3Endpoint,
  localCredentials: !!(config.dynamoEndpoint || config.s3Endpoint),
});

/** The cursor codec of a function given no cursor secret (it serves no list): a call is a wiring mistake, said as such. */
export const cursorsNotWired = (): CursorCodec => {
  const refuse = (): never => {
    throw new Error(
      'this function has no cursor secret (ORRERY_CURSOR_SECRET_ARN): only the functions that serve lists are given one; this call is a wiring mistake',
    );
  };
  return { encode: refuse, decode: refuse };
};

const basics = (config: Config) => ({
  clock: new SystemClock(),
  ids: new RandomIds(),
  cursors: config.cursorSecret ? new HmacCursorCodec(config.cursorSecret) : cursorsNotWired(),
});

/** A renderer for functions that never render (the run tasks): a call is a wiring mistake, said as such. */
export const rendererNotWired = (where: string): NotebookRenderer => ({
  async render() {
    throw new Error(`${where} renders no notebooks; this call is a wiring mistake`);
  },
});

/** Folium's deps in the cloud: DynamoDB and S3, and the given renderer (see cloud-renderer.ts) with pages kept in S3. */
export const makeFoliumCloudDeps = (config: Config, renderer: NotebookRenderer): FoliumDeps => {
  const doc = makeDocumentClient(clientOptions(config));
  const s3 = makeS3Client(clientOptions(config));
  return {
    ...basics(config),
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    bodies: new S3BodyStore(s3, config.bucket),
    limits: config.limits,
    renderer,
    renderCache: new S3RenderCache(s3, config.bucket),
  };
};

/** The run use cases' deps in the cloud: Folium's, the run records and files, and the given workflows and renderer. */
export const makeRunCloudDeps = (config: Config, workflows: Workflows, renderer: NotebookRenderer): RunDeps => {
  const doc = makeDocumentClient(clientOptions(config));
  const s3 = makeS3Client(clientOptions(config));
  return {
    ...basics(config),
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    bodies: new S3BodyStore(s3, config.bucket),
    limits: config.limits,
    renderer,
    renderCache: new S3RenderCache(s3, config.bucket),
    runs: new DynamoDbRunStore(doc, config.table),
    runFiles: new S3RunFiles(s3, config.bucket),
    workflows,
    runSettings: config.runSettings,
    profiles: config.profiles,
  };
};

/** The server use cases' deps in the cloud: server records in DynamoDB, the given workflows and compute; no S3. */
export const makeServerCloudDeps = (config: Config, parts: { workflows: ServerWorkflows; compute: ServerCompute }): ServerDeps => ({
  ...basics(config),
  servers: new DynamoDbServerStore(makeDocumentClient(clientOptions(config)), config.table),
  workflows: parts.workflows,
  compute: parts.compute,
  notifier: config.slackWebhookUrl ? new SlackWebhookNotifier(config.slackWebhookUrl) : new LogNotifier(),
  profiles: config.profiles,
  serverSettings: config.serverSettings,
  cullPolicy: defaultCullPolicy(config.serverSettings.cull),
});

/** The admin routes' deps in the cloud: server and run records, read only. */
export const makeAdminCloudDeps = (config: Config): AdminDeps => {
  const doc = makeDocumentClient(clientOptions(config));
  return { ...basics(config), servers: new DynamoDbServerStore(doc, config.table), runs: new DynamoDbRunStore(doc, config.table), profiles: config.profiles };
};
