import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: entries and the profile registry are read relative to it. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');

/** What one Orrery Lambda needs besides the house defaults. */
export interface OrreryFunctionProps {
  /** The entry file, relative to the repository root (e.g. functions/src/handlers/http/api-lambda.ts). */
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
 * A NodejsFunction with the house defaults: bundled by the local esbuild (no Docker), minified ESM,
 * the latest Node runtime on arm64, X-Ray tracing, JSON logs into a log group kept a month, and the
 * profile registry copied into the bundle (Lambda environments are capped at 4 KB).
 */
export class OrreryFunction extends NodejsFunction {
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
        minify: true,
        target: 'node22',
        mainFields: ['module', 'main'],
        // Sizes are reported by `npm run bench:bundles`; synth stays quiet.
        logLevel: LogLevel.ERROR,
        // CommonJS dependencies call require(); ESM bundles have none unless one is made.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => [`cp "${profiles}" "${output}/profiles.yaml"`],
        },
      },
    });
  }
}
