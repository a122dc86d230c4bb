import { join } from 'node:path';
import { AssetHashType, BundlingOutput, DockerImage, Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import { CfnRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { buildLambda, PROFILES_FILE, ROLES_FILE, SPARK_POOLS_FILE } from './bundling.ts';

/** The repository root: entries and the profile registry are read relative to it. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** What one Orrery Lambda needs besides the house defaults. */
export interface OrreryFunctionProps {
  /** The entry file, relative to the repository root (e.g. functions/src/handlers/http/notebooks-lambda.ts). */
  entry: string;
  handler?: string;
  description: string;
  environment: Record<string, string>;
  /** The profile registry file (relative to the root), compiled to JSON beside the code as profiles.json. */
  profilesFile: string;
  /** The role registry file (relative to the root), compiled to JSON beside the code as roles.json; none: no roles. */
  rolesFile?: string;
  /** The Spark pools file (relative to the root), compiled to JSON as spark-pools.json; none: the default pools. */
  sparkPoolsFile?: string;
  timeout?: Duration;
  memorySize?: number;
  /** Concurrency set aside for this function and its ceiling (none: it shares the account's unreserved pool). */
  reservedConcurrentExecutions?: number;
  /** A fixed name for the function's role, where others must name it before it exists (none: CDK's generated one). */
  roleName?: string;
  /** A fixed name for the function, where others must name it before it exists (none: CDK's generated one). */
  functionName?: string;
}

/** Asset bundling is local only; a Docker fallback would be a second, untested way to build the same code. */
class NoDockerImage extends DockerImage {
  constructor() {
    super('orrery-bundles-locally');
  }
  override run(): void {
    throw new Error(
      'Orrery bundles its Lambdas with the local esbuild only (infra/lib/constructs/bundling.ts); ' +
        'the local build did not run',
    );
  }
}

/**
 * The local build of one entry. Its fields are data, not only a method: CDK caches staged assets by their
 * options serialized, so two functions with the same options but different entries would share one bundle.
 */
class LocalBuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly profilesFile: string,
    readonly rolesFile?: string,
    readonly sparkPoolsFile?: string,
  ) {}
  tryBundle(outputDir: string): boolean {
    const roles = this.rolesFile ? join(REPO_ROOT, this.rolesFile) : undefined;
    const sparkPools = this.sparkPoolsFile ? join(REPO_ROOT, this.sparkPoolsFile) : undefined;
    buildLambda(join(REPO_ROOT, this.entry), outputDir, join(REPO_ROOT, this.profilesFile), roles, sparkPools);
    return true;
  }
}

/** The function's code: the entry bundled by `buildLambda` (split into chunks), built when the asset is staged. */
const lambdaCode = (props: OrreryFunctionProps): Code =>
  Code.fromAsset(REPO_ROOT, {
    // Hashed by what is deployed: hashing the source would walk the whole repository, node_modules included.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: new NoDockerImage(),
      outputType: BundlingOutput.NOT_ARCHIVED,
      local: new LocalBuild(props.entry, props.profilesFile, props.rolesFile, props.sparkPoolsFile),
    },
  });

/**
 * A Lambda with the house defaults: its entry bundled by the local esbuild (no Docker) as `buildLambda` says,
 * lazily imported modules in chunks a cold start does not load, the latest Node runtime on arm64, X-Ray
 * tracing, JSON logs into a log group of its own kept a month, the profile registry as JSON beside the code
 * (Lambda environments are capped at 4 KB), and a role that may write to that log group and no other.
 */
export class OrreryFunction extends LambdaFunction {
  /** The entry file, relative to the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: OrreryFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      code: lambdaCode(props),
      handler: `index.${props.handler ?? 'handler'}`,
      functionName: props.functionName,
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: {
        ...props.environment,
        ORRERY_PROFILES_FILE: `/var/task/${PROFILES_FILE}`,
        ...(props.rolesFile ? { ORRERY_ROLES_FILE: `/var/task/${ROLES_FILE}` } : {}),
        ...(props.sparkPoolsFile ? { ORRERY_SPARK_POOLS_FILE: `/var/task/${SPARK_POOLS_FILE}` } : {}),
      },
    });
    this.entry = props.entry;
    this.writeOwnLogsOnly(logGroup);
    const role = this.role?.node.defaultChild;
    if (props.roleName && role instanceof CfnRole) role.roleName = props.roleName;
  }

  // Function attaches AWSLambdaBasicExecutionRole to the role it makes, which may create log groups and write
  // to any of them in the account; this function gets write access to its own log group instead (it exists
  // before the function runs, so CreateLogGroup is not needed).
  private writeOwnLogsOnly(logGroup: LogGroup): void {
    const role = this.role?.node.defaultChild;
    if (role instanceof CfnRole) role.managedPolicyArns = undefined;
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
  }
}
