import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { CfnRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from './bundling.ts';

/** The repository root: entries and the profile registry are read relative to it. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** What one Orrery Lambda needs besides the house defaults. */
export interface OrreryFunctionProps {
  /** The entry file, relative to the repository root (e.g. functions/src/handlers/http/notebooks-lambda.ts). */
  entry: string;
  handler?: string;
  description: string;
  environment: Record<string, string>;
  /** The profile registry file (relative to the root), bundled beside the code as profiles.yaml. */
  profilesFile: string;
  timeout?: Duration;
  memorySize?: number;
}

/**
 * A NodejsFunction with the house defaults: bundled by the local esbuild (no Docker) as LAMBDA_BUNDLING says,
 * the latest Node runtime on arm64, X-Ray tracing, JSON logs into a log group of its own kept a month, the
 * profile registry copied into the bundle (Lambda environments are capped at 4 KB), and a role that may write
 * to that log group and no other.
 */
export class OrreryFunction extends NodejsFunction {
  /** The entry file, relative to the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: OrreryFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const profiles = join(REPO_ROOT, props.profilesFile);
    super(scope, id, {
      entry: join(REPO_ROOT, props.entry),
      handler: props.handler ?? 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: { ...props.environment, ORRERY_PROFILES_FILE: '/var/task/profiles.yaml' },
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: [...LAMBDA_BUNDLING.external],
        banner: LAMBDA_BUNDLING.banner,
        // Sizes and import times are reported by `npm run bench:bundles`; synth stays quiet.
        logLevel: LogLevel.ERROR,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [`cp "${profiles}" "${output}/profiles.yaml"`],
        },
      },
    });
    this.entry = props.entry;
    this.writeOwnLogsOnly(logGroup);
  }

  // NodejsFunction always attaches AWSLambdaBasicExecutionRole, which may create log groups and write to any
  // of them in the account; this function gets write access to its own log group instead (it exists before
  // the function runs, so CreateLogGroup is not needed).
  private writeOwnLogsOnly(logGroup: LogGroup): void {
    const role = this.role?.node.defaultChild;
    if (role instanceof CfnRole) role.managedPolicyArns = undefined;
    this.addToRolePolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  }
}
