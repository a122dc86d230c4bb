import * as z from 'zod';
import { CLUSTER_DEFAULTS } from '../contracts/cluster-setup.ts';
import { DEFAULT_CULL_BREAKER_SHARE } from '../domain/cull-breaker.ts';
import { DEFAULT_CULL_SETTINGS } from '../domain/cull-policy.ts';
import { DEFAULT_LAUNCH_SETTINGS } from '../domain/launch.ts';
import { DEFAULT_RENDER_LIMITS } from '../domain/rendering/render-limits.ts';
import { MAX_SESSION_SECONDS, MIN_SESSION_SECONDS } from '../domain/role.ts';
import { DEFAULT_CLAIM_NAMES, isUsableGroupName } from '../domain/user.ts';
import { LOG_LEVELS } from '../observability/settings.ts';
import { DEFAULT_LIMITS } from '../use-cases/folium-deps.ts';
import { DEFAULT_LISTING_CACHE } from '../use-cases/listing-cache.ts';
import { DEFAULT_RUN_SETTINGS } from '../use-cases/run-deps.ts';
import { DEFAULT_SCHEDULE_SETTINGS } from '../use-cases/schedule-deps.ts';
import { DEFAULT_SERVER_SETTINGS } from '../use-cases/server-deps.ts';
import { DEFAULT_SPARK_RULES } from '../domain/spark-sizing.ts';
import { fillLinkTemplate, LINK_PLACEHOLDERS, unknownLinkPlaceholders } from '../domain/spark-links.ts';
import { decimal, documented as v, optionalUrl, wholeNumber } from './variable-docs.ts';

// The variables the functions read, in the cloud and in local mode, each with its reference entry
// (docs/configuration.md is generated from them: `npm run docs:config`). Local mode's own settings are in
// local-variables.ts, which no Lambda loads.

const BOTH = ['cloud', 'local'] as const;
const CLOUD = ['cloud'] as const;
const text = () => z.string().min(1, 'a value, not empty (leave it unset instead)');
const required = (what: string) => z.string({ error: `set it to ${what}` }).min(1, `set it to ${what}`);
const bytes = (fallback: number) => wholeNumber(fallback, 1);
// STS's bounds for a session, in whole seconds.
const sessionCap = () => {
  const message = `a whole number of seconds from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}`;
  return z.coerce
    .number({ error: message })
    .int(message)
    .min(MIN_SESSION_SECONDS, message)
    .max(MAX_SESSION_SECONDS, message);
};
const CURSOR_SECRET = 'at least 16 random characters';
const SHARE = 'use a share from 0 to 1 (0.2 is a fifth';
// Local tokens carry these claims (adapters/local/user-directory.ts), so local mode fixes the names.
const localClaim = (name: string) => `${name}, what local tokens carry`;

const STORAGE = {
  AWS_REGION: v(text().default('us-east-1'), {
    description: 'The AWS region of the table, bucket and state machines.',
    modes: BOTH,
    deploy: "Lambda itself (the function's region)",
    setLocally: '`us-east-1`',
  }),
  ORRERY_TABLE: v(required('the DynamoDB table name'), {
    description: 'The DynamoDB table that holds every record.',
    modes: BOTH,
    deploy: "the data stack's table",
    setLocally: '`orrery`, in dynalite',
  }),
  ORRERY_BUCKET: v(required('the S3 bucket for notebook bodies'), {
    description: 'The S3 bucket of notebook bodies, uploads, run files and rendered pages.',
    modes: BOTH,
    deploy: "the data stack's bucket",
    setLocally: '`orrery-notebooks`, in s3rver',
  }),
  ORRERY_DYNAMODB_ENDPOINT: v(optionalUrl(), {
    description: "A DynamoDB endpoint other than AWS's: the emulator.",
    modes: ['local'],
    setLocally: "dynalite's address",
  }),
  ORRERY_S3_ENDPOINT: v(optionalUrl(), {
    description: "An S3 endpoint other than AWS's: the emulator.",
    modes: ['local'],
    setLocally: "s3rver's address",
  }),
  ORRERY_CURSOR_SECRET: v(z.string().min(16, `set ORRERY_CURSOR_SECRET to ${CURSOR_SECRET}`).optional(), {
    description:
      `The key that seals list cursors (${CURSOR_SECRET}); only the functions that serve lists need one. In the ` +
      'cloud it is read from the secret `ORRERY_CURSOR_SECRET_ARN` names, which wins over a value set here.',
    modes: BOTH,
    setLocally: 'the cursor secret in `ORRERY_HOME/secrets.json`',
    secret: true,
  }),
  ORRERY_CURSOR_SECRET_ARN: v(text().optional(), {
    description:
      'The Secrets Manager secret whose value becomes `ORRERY_CURSOR_SECRET`, read at cold start (so the value ' +
      "never appears in the function's configuration).",
    modes: CLOUD,
    deploy: "the data stack's cursor secret (the notebooks, runs and admin functions)",
  }),
};

const IDENTITY = {
  ORRERY_CLAIM_USER: v(text().default(DEFAULT_CLAIM_NAMES.user), {
    description: 'The token claim that names the user.',
    modes: BOTH,
    deploy: '`identity.claims.user` (Cognito: `sub`; the API functions)',
    setLocally: localClaim('`sub`'),
  }),
  ORRERY_CLAIM_NAME: v(text().default(DEFAULT_CLAIM_NAMES.name), {
    description: 'The claim with the name shown.',
    modes: BOTH,
    deploy: '`identity.claims.name` (Cognito: `email`; the API functions)',
    setLocally: localClaim('`name`'),
  }),
  ORRERY_CLAIM_TEAMS: v(text().default(DEFAULT_CLAIM_NAMES.teams), {
    description:
      'The groups claim: a JSON array of group names (a string is one group). Names are taken whole, never ' +
      "split: one with whitespace, a comma or a control character is left out of the user's teams and logged " +
      'as `group names refused`.',
    modes: BOTH,
    deploy: '`identity.claims.teams` (Cognito: `cognito:groups`; the API functions)',
    setLocally: localClaim('`cognito:groups`'),
  }),
  ORRERY_ADMIN_GROUP: v(
    z
      .string()
      .refine(
        (g) => g === '' || isUsableGroupName(g),
        'a group name without spaces or commas (empty: no group makes admins)',
      )
      .default(DEFAULT_CLAIM_NAMES.adminGroup),
    {
      description:
        'Members of this group (its name, or its id where the IdP puts ids in the claim, as Entra ID does) are ' +
        'admins; empty: no group makes admins.',
      modes: BOTH,
      deploy: '`identity.adminGroup` or `identity.claims.adminGroup` (the API functions)',
      setLocally: localClaim('`orrery-admins`'),
    },
  ),
  ORRERY_ADMIN_CLAIM: v(
    z
      .string()
      .regex(/^([^=\s]+(=.+)?)?$/, 'a claim name, or claim=value')
      .optional(),
    {
      description:
        'A dedicated admin claim instead of, or beside, the group: `claim` makes admins of tokens whose `claim` is ' +
        '`true`; `claim=value` of those whose `claim` is `value` or a list holding it (e.g. `roles=Orrery.Admin`).',
      modes: BOTH,
      deploy: '`identity.claims.admin` (OIDC, when set; the API functions)',
      setLocally: localClaim('none'),
    },
  ),
};

const NOTEBOOKS = {
  ORRERY_INLINE_MAX_BYTES: v(bytes(DEFAULT_LIMITS.inlineBytes), {
    description: 'The largest notebook accepted inline in a JSON request.',
    modes: BOTH,
  }),
  ORRERY_UPLOAD_MAX_BYTES: v(bytes(DEFAULT_LIMITS.uploadBytes), {
    description:
      'The largest notebook accepted through an upload form (its signed policy makes storage refuse a larger ' +
      'file; the commit checks the size again).',
    modes: BOTH,
  }),
  ORRERY_LIST_CACHE_ITEMS: v(wholeNumber(DEFAULT_LISTING_CACHE.maxItems, 0, 1_000_000), {
    description:
      'Notebook listing pages are kept in memory, each under the listing stamp (a counter every notebook write ' +
      'moves) read before it, and served again while it has not moved: at most this many notebooks across ' +
      'pages; 0 turns the cache off. See [list-performance.md](list-performance.md).',
    modes: BOTH,
  }),
  ORRERY_URL_SECONDS: v(wholeNumber(DEFAULT_LIMITS.urlSeconds, 60, 43_200), {
    description: 'The lifetime of presigned upload forms and download URLs.',
    modes: BOTH,
  }),
  ORRERY_RENDER_OUTPUT_MAX_BYTES: v(bytes(DEFAULT_RENDER_LIMITS.maxOutputBytes), {
    description:
      'Rendered pages (the `/html` routes) show at most this many bytes of one output: the head, then ' +
      '`output truncated (N KB more)`; an image over it becomes a note. See [rendering.md](rendering.md).',
    modes: BOTH,
  }),
  ORRERY_PROFILES_FILE: v(text().optional(), {
    description:
      'The profile registry servers and runs choose from (see `config/profiles.example.yaml`): YAML or JSON in ' +
      'local mode, JSON in the cloud. Without it or `ORRERY_PROFILES`: `cpu-small`, `cpu-large-spot`, `gpu-t4`, ' +
      '`pyspark`.',
    modes: BOTH,
    deploy: '`profilesFile`, compiled to JSON at build (`/var/task/profiles.json`)',
  }),
  ORRERY_PROFILES: v(text().optional(), {
    description:
      'The profile registry inline, read when `ORRERY_PROFILES_FILE` is unset: YAML or JSON in local mode, ' +
      'JSON in the cloud.',
    modes: BOTH,
  }),
};

const RUNS = {
  ORRERY_RUN_STATE_MACHINE_ARN: v(text().optional(), {
    description: 'The run workflow (local mode runs the same ASL itself).',
    modes: CLOUD,
    deploy: "the workflows stack's run state machine",
  }),
  ORRERY_STOP_RUN_STATE_MACHINE_ARN: v(text().optional(), {
    description: 'The workflow that cancels a run.',
    modes: CLOUD,
    deploy: "the workflows stack's stop-run state machine",
  }),
  ORRERY_RUNNER_IMAGE: v(text().default(DEFAULT_RUN_SETTINGS.runner.image), {
    description: 'The image of the runner Job (local runs use `ORRERY_PYTHON`).',
    modes: CLOUD,
    deploy: '`images.runner`',
  }),
  ORRERY_RUNNER_NAMESPACE: v(text().default(CLUSTER_DEFAULTS.runnerNamespace), {
    description: 'The namespace runner Jobs go to.',
    modes: CLOUD,
    deploy: '`eks.runnerNamespace`',
  }),
  ORRERY_RUNNER_SERVICE_ACCOUNT: v(text().default(DEFAULT_RUN_SETTINGS.runner.serviceAccount), {
    description: 'The service account of runner Jobs.',
    modes: CLOUD,
    deploy: '`eks.runnerServiceAccount`',
  }),
  ORRERY_RUN_MAX_OUTPUT_BYTES: v(bytes(DEFAULT_RUN_SETTINGS.output.maxOutputBytes), {
    description:
      "The runner's cap of one output of a run (bytes as saved): a longer stream keeps its head and tail around " +
      'an `… output truncated …` line, a bigger image or table only its text form.',
    modes: BOTH,
  }),
  ORRERY_RUN_MAX_NOTEBOOK_OUTPUT_BYTES: v(bytes(DEFAULT_RUN_SETTINGS.output.maxNotebookOutputBytes), {
    description:
      "The runner's cap of all outputs of a run together: later outputs are dropped with a marker and the run " +
      'says `outputTruncated: true`. An output notebook over these caps ends the run FAILED, unread.',
    modes: BOTH,
  }),
};

const SERVERS = {
  ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN: v(text().optional(), {
    description: 'The server launch workflow.',
    modes: CLOUD,
    deploy: "the workflows stack's launch state machine",
  }),
  ORRERY_PUBLIC_API_URL: v(optionalUrl(), {
    description: "The API's address, which servers report their activity to and runners fetch AWS keys from.",
    modes: BOTH,
    deploy: "the HTTP API's URL",
    setLocally: "the local server's `/api`",
  }),
  ORRERY_PORTAL_URL: v(optionalUrl(), {
    description:
      "The portal's address, which servers hand JupyterLab's Orrery extension for its links (a notebook in Folium, " +
      'the run form); without it those links are left out.',
    modes: BOTH,
    deploy: "`https://<portal.domainName>` when the portal has a domain of its own (CloudFront's is known too late)",
    setLocally: "the local server's address",
  }),
  ORRERY_SERVER_LIMIT: v(wholeNumber(DEFAULT_SERVER_SETTINGS.limitPerUser, 1, 100), {
    description: 'Servers (pending, running or stopping) one user may have at once.',
    modes: BOTH,
  }),
  // The launch workflow's own timeout is 2 h; the launch must fail well inside it so its Catch records why.
  ORRERY_LAUNCH_TIMEOUT_SECONDS: v(wholeNumber(DEFAULT_LAUNCH_SETTINGS.timeoutSeconds, 5, 3600), {
    description: 'Jupyter must answer this soon after a launch, or it ends FAILED and is cleaned up.',
    modes: BOTH,
  }),
  ORRERY_UNSCHEDULABLE_SECONDS: v(wholeNumber(DEFAULT_LAUNCH_SETTINGS.unschedulableSeconds, 0), {
    description: "A pod the scheduler cannot place this long fails with the scheduler's message.",
    modes: CLOUD,
  }),
  ORRERY_CULL_WARN_SECONDS: v(wholeNumber(DEFAULT_CULL_SETTINGS.warnBeforeSeconds, 0), {
    description: 'How long before a cull the owner is warned (the warning always gives at least this long).',
    modes: BOTH,
  }),
  ORRERY_CULL_HEARTBEAT_SECONDS: v(wholeNumber(DEFAULT_CULL_SETTINGS.heartbeatSeconds, 60), {
    description:
      'A running server that has not reported for this long is warned, then stopped FAILED ' +
      '`ORRERY_CULL_WARN_SECONDS` later if still silent (its pod or process is gone).',
    modes: BOTH,
  }),
  // A share of running servers, not a percentage: 0.2 trips the culler's breaker when more than a fifth are silent.
  ORRERY_CULL_BREAKER_SHARE: v(
    z.coerce
      .number({ error: `${SHARE})` })
      .min(0, `${SHARE})`)
      .max(1, `${SHARE}; 1 turns the breaker off)`)
      .default(DEFAULT_CULL_BREAKER_SHARE),
    {
      description:
        "The culler's breaker: when more than this share (0 to 1) of running servers, and at least two, are " +
        'silent in one sweep, none is warned or stopped for silence; it logs `cull breaker tripped` and emits the ' +
        'metric `CullBreakerTripped`. `1` turns it off.',
      modes: BOTH,
    },
  ),
  ORRERY_PROGRESS_WAIT_MS: v(wholeNumber(DEFAULT_SERVER_SETTINGS.progressWaitMs, 0, 25_000), {
    description: 'How long a progress request waits for the next spawn event before answering with none.',
    modes: BOTH,
  }),
  ORRERY_VOLUME_UNUSED_DAYS: v(wholeNumber(DEFAULT_SERVER_SETTINGS.volumes.unusedDays, 0, 3650), {
    description:
      'A stopped server unused this many days has its home (its volume; locally its folder) listed for admins on ' +
      '`GET /admin/volumes` with its size and monthly cost. Nothing is deleted: only the owner or an admin deleting ' +
      'the server removes it.',
    modes: BOTH,
  }),
  ORRERY_VOLUME_PRICE_PER_GIB_MONTH: v(
    z.coerce
      .number({ error: 'a price in US dollars, such as 0.08' })
      .min(0, 'a price in US dollars, such as 0.08')
      .default(DEFAULT_SERVER_SETTINGS.volumes.pricePerGiBMonth),
    {
      description:
        "What a GiB-month of server homes costs, in US dollars, for the admins' list of unused volumes (default: " +
        "gp3's list price in us-east-1; use your region's).",
      modes: BOTH,
    },
  ),
  ORRERY_SLACK_WEBHOOK_URL: v(optionalUrl(), {
    description:
      'A Slack incoming webhook that becomes the destination `slack` (see `ORRERY_NOTIFY_DESTINATIONS`), the ' +
      'default unless an entry there is: cull warnings and stops and every notice without a destination go to it; ' +
      'without any destination they go to the log. In the cloud it is read from the secret ' +
      '`ORRERY_SLACK_WEBHOOK_SECRET_NAME` names, which wins over a value set here.',
    modes: BOTH,
    secret: true,
  }),
  ORRERY_SLACK_WEBHOOK_SECRET_NAME: v(text().optional(), {
    description:
      'The Secrets Manager secret whose value (the webhook URL, or a JSON object holding only it) becomes ' +
      '`ORRERY_SLACK_WEBHOOK_URL`, read at cold start.',
    modes: CLOUD,
    deploy: '`slackWebhookSecretName`, when set (the culler)',
  }),
};

// The four are set together by the deploy (the schedules stack's resources, named by construction); local mode
// has none: its calendar is an in-process cron.
const SCHEDULES = {
  ORRERY_SCHEDULE_GROUP: v(text().optional(), {
    description:
      'The EventBridge Scheduler group that holds one schedule per Orrery schedule (and their one-time retries). ' +
      'Set with the three below, or none of them.',
    modes: CLOUD,
    deploy: "the schedules stack's group, `<name>-reruns`",
  }),
  ORRERY_SCHEDULER_ROLE_ARN: v(text().optional(), {
    description: 'The role Scheduler assumes to invoke the fire function (it may do nothing else but reach the DLQ).',
    modes: CLOUD,
    deploy: "the schedules stack's Scheduler execution role",
  }),
  ORRERY_SCHEDULE_TARGET_ARN: v(text().optional(), {
    description: 'The function every schedule invokes with `{scheduleId, scheduledTime}`: the fire function.',
    modes: CLOUD,
    deploy: "the schedules stack's fire function",
  }),
  ORRERY_SCHEDULE_DLQ_ARN: v(text().optional(), {
    description: 'The SQS queue Scheduler sends an invocation to once its retries failed (its depth is alarmed on).',
    modes: CLOUD,
    deploy: "the schedules stack's dead-letter queue",
  }),
};

const NOTIFICATIONS = {
  ORRERY_NOTIFY_DESTINATIONS: v(text().optional(), {
    description:
      'The destinations notices may go to, named by admins (users choose a name, never a URL), as JSON: ' +
      '`[{"name": "data-alerts", "type": "slack", "secret": "orrery/notify/data-alerts", "urlEnv": ' +
      '"ORRERY_NOTIFY_URL_DATA_ALERTS", "default": true}, {"name": "ops", "type": "webhook", "secret": "…"}]`. ' +
      '`type` is `slack` (an incoming webhook, sent blocks) or `webhook` (any URL, sent a JSON body). Each URL is a ' +
      'secret: in the cloud the Secrets Manager secret `secret` names (the URL, or a JSON object holding only it), ' +
      'read when the first notice goes there; locally the variable `urlEnv` names (an entry may name both). At most ' +
      'one entry is the `default`, where notices that name no destination go (cull warnings, Spark high-cost ' +
      'alerts, schedules without a destination). `ORRERY_SLACK_WEBHOOK_URL` is the destination `slack` (the ' +
      'default unless an entry is) unless an entry takes that name. Without either, notices are only logged; each ' +
      'is in the delivery log (`GET /notifications`) either way.',
    modes: BOTH,
    defaultText: 'none (only `slack`, when `ORRERY_SLACK_WEBHOOK_URL` is set)',
  }),
};

const CLUSTER = {
  ORRERY_EKS_CLUSTER: v(text().optional(), {
    description:
      'The EKS cluster servers run in; without it, its endpoint and the public URLs, server routes answer ' + '503.',
    modes: CLOUD,
    deploy: '`eks.clusterName`',
  }),
  ORRERY_EKS_ENDPOINT: v(optionalUrl(), {
    description: "The cluster's API server.",
    modes: CLOUD,
    deploy: '`eks.endpoint`',
  }),
  ORRERY_EKS_CA: v(text().optional(), {
    description: "The cluster's certificate authority (base64).",
    modes: CLOUD,
    deploy: '`eks.certificateAuthority`',
  }),
  ORRERY_SERVER_NAMESPACE: v(text().default(CLUSTER_DEFAULTS.serverNamespace), {
    description: 'The namespace user servers go to.',
    modes: CLOUD,
    deploy: '`eks.serverNamespace`',
  }),
  ORRERY_SERVER_SERVICE_ACCOUNT: v(text().default(CLUSTER_DEFAULTS.serverServiceAccount), {
    description: 'The service account of server pods.',
    modes: CLOUD,
    deploy: '`eks.serverServiceAccount`',
  }),
  ORRERY_SERVER_PUBLIC_URL: v(optionalUrl(), {
    description: 'Where users reach servers: the proxy in front of their Services.',
    modes: CLOUD,
    deploy: '`serverPublicUrl`',
  }),
  ORRERY_REPORTER_IMAGE: v(text().default('orrery/notebook-server:latest'), {
    description: 'The image of the activity reporter beside each server pod.',
    modes: CLOUD,
    deploy: '`images.reporter`',
  }),
};

const CREDENTIALS = {
  ORRERY_ROLES_FILE: v(text().optional(), {
    description:
      'The role registry: the AWS roles `POST /credentials` may assume and who holds each (see ' +
      '`config/roles.example.yaml`): YAML or JSON in local mode, JSON in the cloud. Without it or `ORRERY_ROLES`, ' +
      'no roles: the credentials routes list none and issue none. A bad entry stops start-up with the path and ' +
      'the problem.',
    modes: BOTH,
    deploy: '`rolesFile`, compiled to JSON at build (`/var/task/roles.json`)',
  }),
  ORRERY_ROLES: v(text().optional(), {
    description:
      'The role registry inline, read when `ORRERY_ROLES_FILE` is unset: YAML or JSON in local mode, JSON in the ' +
      'cloud.',
    modes: BOTH,
  }),
  ORRERY_CREDENTIALS_MAX_SESSION_SECONDS: v(sessionCap().optional(), {
    description:
      'The longest session the broker issues, whatever a role allows: `POST /credentials` refuses a longer ' +
      '`durationSeconds` with a 400 that explains the cap, `GET /credentials/roles` shows each maximum lowered to ' +
      'it, and servers and runs simply refresh sooner. A broker whose own credentials are a role session ' +
      "(a Lambda's, or an SSO profile locally) is role chaining, which AWS caps at 3600 seconds: set 3600 locally " +
      'in that case.',
    modes: BOTH,
    defaultText: "3600 in the cloud (the functions' credentials are a role session); none locally (each role's own)",
  }),
};

const LAB = {
  ORRERY_TABLE_TEMPLATES_FILE: v(text().optional(), {
    description:
      "The code templates of JupyterLab's data-tables panel, per catalog (`sqlite`, `glue`), replacing the " +
      'defaults of each catalog it names (see `config/table-templates.example.yaml`): YAML or JSON in local mode, ' +
      'JSON in the cloud. Placeholders are checked at start-up: in Python every value is written as a string ' +
      'literal (`{{ table | py }}`), in SQL only quoted identifiers (`{{ sql_table }}`). The deploy sets none: ' +
      'the functions use the defaults.',
    modes: BOTH,
  }),
};

// A link template: empty (no link), or a URL once its placeholders are filled; an unknown placeholder is refused.
const PLACEHOLDERS = LINK_PLACEHOLDERS.map((p) => `{${p}}`).join(', ');
const DOC_PLACEHOLDERS = LINK_PLACEHOLDERS.map((p) => `\`{${p}}\``).join(', ');
const SAMPLE = { appId: 'spark-a1b2', sessionId: 'a1b2', server: 'etl', owner: 'ada' };
const linkTemplate = () =>
  z
    .string()
    .superRefine((template, ctx) => {
      if (template === '') return;
      const unknown = unknownLinkPlaceholders(template);
      if (unknown.length) {
        const named = unknown.map((u) => `{${u}}`).join(', ');
        ctx.addIssue({ code: 'custom', message: `unknown placeholder ${named}: use ${PLACEHOLDERS}` });
      } else if (!/^https?:\/\//.test(template) || !URL.canParse(fillLinkTemplate(template, SAMPLE))) {
        ctx.addIssue({
          code: 'custom',
          message: `an http(s) URL, with ${PLACEHOLDERS} where they go (empty: no link)`,
        });
      }
    })
    .default('');

const SPARK = {
  ORRERY_SPARK_POOLS_FILE: v(text().optional(), {
    description:
      "The Spark pool registry: where sessions' executors run (image, allowed images, nodeSelector, tolerations) " +
      'and their price per core-hour, as a list of pools or as `{pools: [...], rules: {...}}` whose `rules` change ' +
      "any of the sizing rules' numbers (see `config/spark-pools.example.yaml`): YAML or JSON in local mode, JSON " +
      'in the cloud. The first pool is the default unless `rules.defaultPool` names another. Without it: `batch` ' +
      "(on-demand nodes, $0.041 per core-hour), `spot` ($0.015) and issue 15's rules. A bad entry stops start-up " +
      'with the path (`0.image`, `rules.maximum.cores`) and the problem.',
    modes: BOTH,
    deploy: '`sparkPoolsFile`, when set, compiled to JSON at build (`/var/task/spark-pools.json`)',
  }),
  ORRERY_SCHEDULES_PER_USER: v(wholeNumber(DEFAULT_SCHEDULE_SETTINGS.maxPerUser, 1, 10_000), {
    description: 'The most schedules one user may keep; one more is refused (429) until they delete one.',
    modes: BOTH,
  }),
  ORRERY_SCHEDULE_CATCH_UP_SECONDS: v(wholeNumber(DEFAULT_SCHEDULE_SETTINGS.catchUpSeconds, 60, 604_800), {
    description:
      "How far back a schedule's `missed: all` reaches by default when it did not say (its own catchUpSeconds wins).",
    modes: BOTH,
  }),
  ORRERY_SCHEDULE_MAX_CATCH_UP: v(wholeNumber(DEFAULT_SCHEDULE_SETTINGS.maxCatchUp, 1, 1000), {
    description: 'The most missed due times one catch-up starts for a schedule with `missed: all`.',
    modes: BOTH,
  }),
  // Unset, the pools file's rules decide (else the defaults): a value here wins over the file.
  ORRERY_SPARK_DAILY_COST_THRESHOLD_USD: v(
    decimal(DEFAULT_SPARK_RULES.dailyCostThresholdUsd, 0, undefined, 'a price in US dollars').unwrap().optional(),
    {
      description:
        'A Spark session whose maximum hourly cost × 24 exceeds this many US dollars is high-cost: its answer ' +
        "carries a warning and the owner is notified. Set, it wins over the pools file's " +
        '`rules.dailyCostThresholdUsd`.',
      modes: BOTH,
      defaultText: [
        `\`${DEFAULT_SPARK_RULES.dailyCostThresholdUsd}\``,
        "or the pools file's `rules.dailyCostThresholdUsd`",
      ].join(', '),
    },
  ),
  ORRERY_SPARK_MAX_AGE_SECONDS: v(wholeNumber(DEFAULT_SPARK_RULES.maxAgeSeconds, 60).unwrap().optional(), {
    description:
      'The culler stops Spark sessions older than this, and says so in the cull log. Set, it wins over the pools ' +
      "file's `rules.maxAgeSeconds`.",
    modes: BOTH,
    defaultText: `\`${DEFAULT_SPARK_RULES.maxAgeSeconds}\`, or the pools file's \`rules.maxAgeSeconds\``,
  }),
  ORRERY_SPARK_HISTORY_URL: v(linkTemplate(), {
    description:
      `The Spark history server's page of a session, a template with ${DOC_PLACEHOLDERS} (each URL-encoded), ` +
      'e.g. `https://spark-history.example.com/history/{appId}/jobs/`; empty: no history link.',
    modes: BOTH,
    deploy: '`sparkHistoryUrl`, when set',
    defaultText: 'empty (no link)',
  }),
  ORRERY_SPARK_MONITORING_URL: v(linkTemplate(), {
    description:
      `A monitoring dashboard of a session, a template with ${DOC_PLACEHOLDERS} (each URL-encoded), e.g. ` +
      '`https://grafana.example.com/d/spark?var-app={appId}`; empty: no monitoring link.',
    modes: BOTH,
    deploy: '`sparkMonitoringUrl`, when set',
    defaultText: 'empty (no link)',
  }),
};

const OBSERVABILITY = {
  ORRERY_LOG_LEVEL: v(z.enum(LOG_LEVELS, `one of ${LOG_LEVELS.join(', ')}`).default('info'), {
    description: 'The least level of the JSON log that is written; `silent` writes no log line and no metric.',
    modes: BOTH,
  }),
};

/** Every variable the functions read, in both modes: the schema the Lambdas and local mode parse. */
export const FUNCTION_VARIABLES = z.object({
  ...STORAGE,
  ...IDENTITY,
  ...NOTEBOOKS,
  ...RUNS,
  ...SERVERS,
  ...SCHEDULES,
  ...NOTIFICATIONS,
  ...CLUSTER,
  ...CREDENTIALS,
  ...LAB,
  ...SPARK,
  ...OBSERVABILITY,
});

/** The functions' variables, parsed and checked. */
export type FunctionVariables = z.output<typeof FUNCTION_VARIABLES>;
