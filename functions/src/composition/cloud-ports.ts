import { type ClientOptions, makeDocumentClient } from '../adapters/aws/clients.ts';
import { HmacCursorCodec } from '../adapters/system/hmac-cursor-codec.ts';
import { DynamoDbNotificationLog } from '../adapters/aws/dynamodb-notification-log.ts';
import { DestinationUrls, DispatchingNotifier } from '../adapters/system/dispatching-notifier.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import { unwrapSecretString } from '../config/cloud-config.ts';
import type { Config } from '../config/config.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { SecretReader } from '../ports/secret-reader.ts';
import { lazySecretReader } from './lambda-config.ts';

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

/**
 * Where notices go: the named destinations (ORRERY_NOTIFY_DESTINATIONS, and ORRERY_SLACK_WEBHOOK_URL as `slack`),
 * else the log; each recorded in the delivery log. Destinations' secrets are read through `secrets` (in the
 * cloud Secrets Manager, loaded on the first read); local mode passes null, its URLs coming from `urlEnv`.
 */
export const makeNotifier = (
  config: Config,
  doc: ReturnType<typeof makeDocumentClient> = documentClient(config),
  secrets: SecretReader | null = lazySecretReader(config.region),
): Notifier =>
  new DispatchingNotifier({
    destinations: config.notify.destinations,
    // A secret made as key/value pairs in the console holds the URL as its one value.
    urls: new DestinationUrls(secrets && { read: async (id) => unwrapSecretString(await secrets.read(id)) }),
    deliveries: new DynamoDbNotificationLog(doc, config.table),
    ids: new RandomIds(),
    clock: new SystemClock(),
  });

/** The names of the notification destinations users may pick when they save a schedule. */
export const notifyDestinationNames = (config: Config): string[] => config.notify.destinations.map((d) => d.name);
