import { type ClientOptions, makeDocumentClient } from '../adapters/aws/clients.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { LogNotifier, SlackWebhookNotifier } from '../adapters/system/slack-notifier.ts';
import type { Config } from '../config/config.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { Notifier } from '../ports/notifier.ts';

// The pieces every function group's module (notebooks.ts, runs.ts, …) builds its deps from. Each group module
// names the adapters its routes use and no others, so the bundler leaves every other adapter and SDK client out
// of that function; local mode (local.ts) builds every port at once from the same pieces.

/** Where the SDK clients point; with emulator endpoints (local mode) they take the emulators' fixed credentials. */
export const clientOptions = (config: Config): ClientOptions => ({
  region: config.region,
  dynamoEndpoint: config.dynamoEndpoint,
  s3Endpoint: config.s3Endpoint,
  localCredentials: !!(config.dynamoEndpoint || config.s3Endpoint),
});

/** The DynamoDB document client a function's stores share. */
export const documentClient = (config: Config) => makeDocumentClient(clientOptions(config));

/**
 * The cursor codec of a function that serves lists. The CDK app gives the cursor secret to exactly those
 * functions, so one without it is misconfigured: it stops at cold start, naming the variable.
 */
export const cursorCodec = (config: Config): CursorCodec => {
  if (!config.cursorSecret) {
    throw new Error(
      'configuration: set ORRERY_CURSOR_SECRET_ARN (or ORRERY_CURSOR_SECRET): ' +
        'this function serves lists and signs their cursors with it',
    );
  }
  return new HmacCursorCodec(config.cursorSecret);
};

/** Where cull warnings go: the Slack webhook when one is configured, else the log. */
export const makeNotifier = (config: Config): Notifier =>
  config.slackWebhookUrl ? new SlackWebhookNotifier(config.slackWebhookUrl) : new LogNotifier();

/** The names of the notification destinations users may pick (none until destinations are configured). */
export const notifyDestinationNames = (_config: Config): string[] => [];
