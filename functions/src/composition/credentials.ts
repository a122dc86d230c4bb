import { DynamoDbCredentialLog } from '../adapters/aws/dynamodb-credential-log.ts';
import { DynamoDbRunStore } from '../adapters/aws/dynamodb-run-store.ts';
import { DynamoDbServerStore } from '../adapters/aws/dynamodb-server-store.ts';
import { DynamoDbSparkSessionStore } from '../adapters/aws/dynamodb-spark-session-store.ts';
import { RandomIds } from '../adapters/system/random-ids.ts';
import { SystemClock } from '../adapters/system/system-clock.ts';
import type { Config } from '../config/config.ts';
import { ROLE_CHAINING_MAX_SECONDS } from '../domain/session-cap.ts';
import { makeCredentialHandlers } from '../handlers/http/credential-handlers.ts';
import { makeApiRouter, type ApiRouter } from '../http/api-router.ts';
import type { CredentialBroker } from '../ports/credential-broker.ts';
import type { DataCatalog } from '../ports/data-catalog.ts';
import { makeLabCredentialHandlers } from '../handlers/http/lab-handlers.ts';
import type { ListTablesDeps } from '../use-cases/list-tables.ts';
import type { CredentialDeps } from '../use-cases/credential-deps.ts';
import type { IssueRunCredentialsDeps } from '../use-cases/issue-run-credentials.ts';
import type { IssueServerCredentialsDeps } from '../use-cases/issue-server-credentials.ts';
import { cursorCodec, documentClient } from './cloud-ports.ts';
import { loadLambdaConfig } from './lambda-config.ts';
import { lazyPort, loadOnce } from './lazy-port.ts';

/**
 * The credential broker: STS with the SDK's default credential chain (the function's role in the cloud, the
 * developer's own credentials locally; AWS_ENDPOINT_URL_STS is honoured by the SDK). The STS client loads on the
 * first issue, so listing roles and reading the log never pay for it, and a machine without AWS credentials
 * starts as usual: only an issue fails, with a 503 that says what to set.
 */
export const makeStsBroker = (region: string): CredentialBroker =>
  lazyPort(
    async () => {
      const { makeStsClient, StsCredentialBroker } = await import('../adapters/aws/sts-credential-broker.ts');
      return new StsCredentialBroker(makeStsClient(region));
    },
    { assumeRole: true },
  );

/**
 * The Glue Data Catalog, listed with keys for a server's role: the Glue client loads on the first listing, so no
 * other credentials route pays for it.
 */
export const makeGlueCatalog = (region: string): DataCatalog => {
  const load = loadOnce(async () => {
    const { GlueDataCatalog, glueClientFor } = await import('../adapters/aws/glue-data-catalog.ts');
    return new GlueDataCatalog(glueClientFor(region));
  });
  return { kind: 'glue', needsKeys: true, listTables: async (request) => (await load()).listTables(request) };
};

/**
 * The broker's cap in the cloud: a Lambda's own credentials are always a role session, so every AssumeRole it makes
 * is role chaining, which AWS caps at one hour; ORRERY_CREDENTIALS_MAX_SESSION_SECONDS may set it lower.
 */
export const cloudSessionCap = (config: Pick<Config, 'credentialSessionCapSeconds'>): number =>
  config.credentialSessionCapSeconds ?? ROLE_CHAINING_MAX_SECONDS;

/**
 * The credentials routes' deps in the cloud: the role registry, the STS broker and the log in DynamoDB, and the
 * server and run records a sidecar's or runner's token is checked against (and the Spark sessions an executor's
 * sidecar names).
 */
export const makeCredentialDeps = (
  config: Config,
): CredentialDeps &
  Pick<IssueServerCredentialsDeps, 'servers' | 'sparkSessions'> &
  Pick<IssueRunCredentialsDeps, 'runs'> &
  Pick<ListTablesDeps, 'catalogs' | 'tableTemplates'> => {
  const doc = documentClient(config);
  return {
    roles: config.roles,
    broker: makeStsBroker(config.region),
    credentialLog: new DynamoDbCredentialLog(doc, config.table),
    servers: new DynamoDbServerStore(doc, config.table),
    sparkSessions: new DynamoDbSparkSessionStore(doc, config.table),
    runs: new DynamoDbRunStore(doc, config.table),
    clock: new SystemClock(),
    ids: new RandomIds(),
    cursors: cursorCodec(config),
    sessionCapSeconds: cloudSessionCap(config),
    catalogs: [makeGlueCatalog(config.region)],
    tableTemplates: config.tableTemplates,
  };
};

/** The credentials function. */
export const makeCredentialsFunction = async (): Promise<ApiRouter> => {
  const config = await loadLambdaConfig();
  const deps = makeCredentialDeps(config);
  const options = { claimNames: config.claimNames };
  return makeApiRouter({ ...makeCredentialHandlers(deps, options), ...makeLabCredentialHandlers(deps, options) });
};
