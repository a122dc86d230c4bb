import { makeDocumentClient, makeS3Client } from '../adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { S3BodyStore } from '../adapters/aws/s3-body-store.ts';
import { S3RunFiles } from '../adapters/aws/s3-run-files.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { LogNotifier, SlackWebhookNotifier } from '../adapters/system/slack-notifier.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { HtmlNotebookRenderer } from '../adapters/system/html-notebook-renderer.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { ServerCompute } from '../ports/server-compute.ts';
import type { ServerWorkflows, Workflows } from '../ports/workflows.ts';
import type { RunDeps } from '../use-cases/run-deps.ts';
import type { ServerDeps } from '../use-cases/server-deps.ts';
import type { Config } from './config.ts';

/** Everything every use case needs: Folium, runs and servers. */
export type PlatformDeps = RunDeps & ServerDeps;

/** What differs between the cloud and local mode besides endpoints: workflows and compute. */
export interface ModeAdapters {
  workflows: Workflows & ServerWorkflows;
  compute: ServerCompute;
}

/**
 * Wires every port at once, for local mode (one process serves every route, task and the culler): DynamoDB
 * and S3 (the emulators when endpoints are set) and the mode's workflows and compute.
 */
export const makePlatformDeps = (config: Config, { workflows, compute }: ModeAdapters): PlatformDeps => {
  const local = !!(config.dynamoEndpoint || config.s3Endpoint);
  const clientOptions = { region: config.region, dynamoEndpoint: config.dynamoEndpoint, s3Endpoint: config.s3Endpoint, localCredentials: local };
  const doc = makeDocumentClient(clientOptions);
  const s3 = makeS3Client(clientOptions);
  return {
    notebooks: new DynamoDbNotebookStore(doc, config.table),
    bodies: new S3BodyStore(s3, config.bucket),
    runs: new DynamoDbRunStore(doc, config.table),
    runFiles: new S3RunFiles(s3, config.bucket),
    workflows,
    clock: new SystemClock(),
    ids: new RandomIds(),
    cursors: new HmacCursorCodec(config.cursorSecret),
    limits: config.limits,
    renderer: new HtmlNotebookRenderer(),
    runSettings: config.runSettings,
    profiles: config.profiles,
    servers: new DynamoDbServerStore(doc, config.table),
    compute,
    notifier: config.slackWebhookUrl ? new SlackWebhookNotifier(config.slackWebhookUrl) : new LogNotifier(),
    serverSettings: config.serverSettings,
    cullPolicy: defaultCullPolicy(config.serverSettings.cull),
  };
};

// The cloud's Lambdas are composed per function group (cloud-composition.ts) and never import this module;
// the cloud's workflows and compute are re-exported for callers that knew them from here.
export { makeCloudCompute } from './cloud-compute.ts';
export { makeCloudWorkflows } from './cloud-workflows.ts';
