import { SFNClient } from '@aws-sdk/client-sfn';
import { lambdaCredentials, makeDocumentClient, makeS3Client } from '../adapters/aws/clients.ts';
import { DynamoDbNotebookStore } from '../adapters/aws/dynamodb-notebook-store.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { S3BodyStore } from '../adapters/aws/s3-body-store.ts';
import { S3RunFiles } from '../adapters/aws/s3-run-files.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { StepFunctionsWorkflows } from '../adapters/aws/step-functions-workflows.ts';
import { LogNotifier, SlackWebhookNotifier } from '../adapters/system/slack-notifier.ts';
import { defaultCullPolicy } from '../domain/cull-policy.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { UpstreamError } from '../domain/errors.ts';
import type { ServerObservation } from '../domain/launch.ts';
import type { ServerCompute, ServerLaunchSpec } from '../ports/server-compute.ts';
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
 * Wires the ports to DynamoDB, S3 (real AWS, or the emulators when endpoints are set) and the
 * mode's workflows and compute: Step Functions and EKS in the cloud, the local ASL runner and
 * processes in local mode.
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
    runSettings: config.runSettings,
    profiles: config.profiles,
    servers: new DynamoDbServerStore(doc, config.table),
    compute,
    notifier: config.slackWebhookUrl ? new SlackWebhookNotifier(config.slackWebhookUrl) : new LogNotifier(),
    serverSettings: config.serverSettings,
    cullPolicy: defaultCullPolicy(config.serverSettings.cull),
  };
};

/** The cloud's workflows: the state machines CDK deployed. */
export const makeCloudWorkflows = (config: Config): Workflows & ServerWorkflows => {
  const { run, stopRun, launchServer } = config.stateMachines;
  if (!run || !stopRun || !launchServer) throw new Error('configuration: set ORRERY_RUN_STATE_MACHINE_ARN, ORRERY_STOP_RUN_STATE_MACHINE_ARN and ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN');
  return new StepFunctionsWorkflows(new SFNClient({ region: config.region }), { run, stopRun, launchServer });
};

/**
 * The cloud's compute: servers as pods and Services on EKS, through the Kubernetes API with a token
 * made from the Lambda's own IAM identity. Without a cluster configured, server calls answer 503.
 */
export const makeCloudCompute = (config: Config): ServerCompute => {
  const { cluster, endpoint, certificateAuthority, namespace, serviceAccount, publicUrl, reporterImage } = config.eks;
  if (!cluster || !endpoint || !publicUrl || !config.serverSettings.apiUrl) return new UnconfiguredCompute();
  return new LazyCompute(async () => {
    // Evaluated on first use: the Kubernetes client is the slowest part of a cold start, and most requests never
    // need it (esbuild still bundles it; a composition root per function group would leave it out).
    const [{ EksTokenProvider }, { KubernetesServerCompute, makeKubernetesClients }] = await Promise.all([import('../adapters/aws/eks-token.ts'), import('../adapters/k8s/kubernetes-server-compute.ts')]);
    const tokens = new EksTokenProvider({ clusterName: cluster, region: config.region, credentials: lambdaCredentials() });
    const clients = makeKubernetesClients({ endpoint, caData: certificateAuthority, token: () => tokens.token() });
    // The reporter sidecar runs Orrery's image, so a profile may name any Jupyter image.
    return new KubernetesServerCompute({ ...clients, namespace, serviceAccount, reporterImage, publicBaseUrl: publicUrl });
  });
};

/** A compute built on first use. */
class LazyCompute implements ServerCompute {
  private loaded?: Promise<ServerCompute>;
  constructor(private readonly load: () => Promise<ServerCompute>) {}
  private get(): Promise<ServerCompute> {
    this.loaded ??= this.load();
    return this.loaded;
  }
  async putToken(serverId: string, token: string): Promise<void> {
    return (await this.get()).putToken(serverId, token);
  }
  async create(spec: ServerLaunchSpec): Promise<void> {
    return (await this.get()).create(spec);
  }
  async observe(serverId: string): Promise<ServerObservation> {
    return (await this.get()).observe(serverId);
  }
  async remove(serverId: string): Promise<void> {
    return (await this.get()).remove(serverId);
  }
  async stopSparkApplications(serverId: string): Promise<string[]> {
    return (await this.get()).stopSparkApplications(serverId);
  }
}

/** Compute for a deployment without an EKS cluster: every server call is a clear 503. */
class UnconfiguredCompute implements ServerCompute {
  private fail(): never {
    throw new UpstreamError('servers are not configured here: set ORRERY_EKS_CLUSTER, ORRERY_EKS_ENDPOINT, ORRERY_SERVER_PUBLIC_URL and ORRERY_PUBLIC_API_URL');
  }
  async putToken(): Promise<void> {
    this.fail();
  }
  async create(): Promise<void> {
    this.fail();
  }
  async observe(): Promise<never> {
    this.fail();
  }
  async remove(): Promise<void> {
    this.fail();
  }
  async stopSparkApplications(): Promise<string[]> {
    this.fail();
  }
}

/** Everything the cloud's Lambdas need, wired from their environment. */
export const makeCloudDeps = (config: Config): PlatformDeps => makePlatformDeps(config, { workflows: makeCloudWorkflows(config), compute: makeCloudCompute(config) });
