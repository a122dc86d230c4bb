import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The broker's own identity in tests: the keys the fake knows the secret of, so it can check signatures. */
export const FAKE_STS_CALLER = {
  accessKeyId: 'AKIAORRERYBROKERTEST',
  secretAccessKey: 'orrery/broker/test/secret/key/0123456789',
} as const;

const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
const VERSION = '2011-06-15';
// STS's own limits (the API reference's AssumeRole parameters and IAM's session-tag rules).
const MIN_DURATION = 900;
const MAX_DURATION = 43_200;
const DEFAULT_DURATION = 3600;
const CHAINED_MAX = 3600;
const IAM_DEFAULT_MAX = 3600;
const NAME_CHARS = /^[\w+=,.@-]*$/;
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;

/** Keys the fake issued, as its answer carried them. */
export interface FakeStsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
}

/** One request the fake received, parsed; `error` is the STS error code it answered, if any. */
export interface FakeStsRequest {
  action: string | null;
  version: string | null;
  roleArn: string | null;
  roleSessionName: string | null;
  sourceIdentity: string | null;
  /** As sent; null when the request left it out (STS then grants an hour). */
  durationSeconds: number | null;
  tags: Record<string, string>;
  /** The key that signed it and the region of its credential scope. */
  accessKeyId: string | null;
  region: string | null;
  /** The raw form parameters, for anything the fields above do not cover. */
  params: URLSearchParams;
  error?: string;
  issued?: FakeStsKeys;
}

/** What the fake does; tests change it between requests. */
export interface FakeStsState {
  /** Signing keys it accepts (access key id to secret); FAKE_STS_CALLER by default. */
  callers: Map<string, string>;
  /** Role ARNs whose trust policy does not let the caller in: AccessDenied. */
  deny: Set<string>;
  /** A role's MaxSessionDuration; IAM's default (an hour) for roles not listed. */
  maxSessionSeconds: Map<string, number>;
  /** The caller is itself a role session, so STS caps every session at an hour (role chaining). */
  chained: boolean;
  /** How many of the next requests answer Throttling (Infinity: all of them). */
  throttle: number;
  /** When set, keys expire this many seconds after issue whatever duration was asked: forces refreshes. */
  expiresInSeconds?: number;
}

/** A running STS-compatible endpoint on 127.0.0.1 that speaks the Query protocol's AssumeRole. */
export interface FakeSts {
  url: string;
  state: FakeStsState;
  requests: FakeStsRequest[];
  /** Forgets every failure mode and recorded request. */
  reset(): void;
  close(): Promise<void>;
}

class StsFault extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const emptyState = (): FakeStsState => ({
  callers: new Map([[FAKE_STS_CALLER.accessKeyId, FAKE_STS_CALLER.secretAccessKey]]),
  deny: new Set(),
  maxSessionSeconds: new Map(),
  chained: false,
  throttle: 0,
});

const xml = (value: string): string =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

// SigV4 wants RFC 3986 encoding; encodeURIComponent leaves !'()* alone.
const rfc3986 = (value: string): string =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const AUTHORIZATION = new RegExp(
  '^AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, ?' +
    'SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$',
);

/** SigV4 as the AWS documentation spells it out, for a request whose query and body are as received. */
const expectedSignature = (req: IncomingMessage, body: Buffer, parts: string[], secret: string): string => {
  const [, , date, region, service, signedHeaders] = parts as [string, string, string, string, string, string];
  const url = new URL(req.url ?? '/', 'http://fake');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders
    .split(';')
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = (req.headers['x-amz-content-sha256'] as string | undefined) ?? sha256Hex(body);
  const canonical = [req.method, url.pathname, canonicalQuery, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date']), scope, sha256Hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
};

/** Who signed the request, refusing it as STS would when it is unsigned, signed by a stranger, or tampered with. */
const authenticate = (state: FakeStsState, req: IncomingMessage, body: Buffer, r: FakeStsRequest): void => {
  const header = req.headers.authorization;
  if (!header) throw new StsFault(403, 'MissingAuthenticationToken', 'Request is missing Authentication Token');
  const parts = AUTHORIZATION.exec(header);
  if (!parts) throw new StsFault(400, 'IncompleteSignature', 'Authorization header is not AWS4-HMAC-SHA256');
  r.accessKeyId = parts[1]!;
  r.region = parts[3]!;
  if (parts[4] !== 'sts') throw new StsFault(400, 'IncompleteSignature', `credential scope names ${parts[4]}`);
  const secret = state.callers.get(parts[1]!);
  if (!secret) {
    throw new StsFault(403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
  }
  if (expectedSignature(req, body, [...parts], secret) !== parts[6]) {
    throw new StsFault(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
};

const constraint = (value: string, field: string, rule: string) =>
  new StsFault(
    400,
    'ValidationError',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`,
  );

const parseTags = (params: URLSearchParams): Record<string, string> => {
  const tags: Record<string, string> = {};
  for (let n = 1; params.has(`Tags.member.${n}.Key`); n += 1) {
    tags[params.get(`Tags.member.${n}.Key`)!] = params.get(`Tags.member.${n}.Value`) ?? '';
  }
  return tags;
};

/** The checks STS makes of AssumeRole's parameters, in its words. */
const validate = (r: FakeStsRequest): void => {
  if (r.action !== 'AssumeRole') throw new StsFault(400, 'InvalidAction', `Could not find operation ${r.action}`);
  if (r.version !== VERSION) {
    throw new StsFault(400, 'InvalidAction', `Could not find operation AssumeRole for version ${r.version}`);
  }
  if (!r.roleArn || r.roleArn.length < 20)
    throw constraint(String(r.roleArn), 'roleArn', 'Member must have length greater than or equal to 20');
  const name = r.roleSessionName ?? '';
  if (name.length < 2 || name.length > 64)
    throw constraint(name, 'roleSessionName', 'Member must have length between 2 and 64');
  if (!NAME_CHARS.test(name))
    throw constraint(name, 'roleSessionName', 'Member must satisfy regular expression pattern: [\\w+=,.@-]*');
  const source = r.sourceIdentity;
  if (source !== null && (source.length < 2 || source.length > 64 || !NAME_CHARS.test(source))) {
    throw constraint(
      source,
      'sourceIdentity',
      'Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2 to 64',
    );
  }
  const duration = r.durationSeconds;
  if (duration !== null && (!Number.isInteger(duration) || duration < MIN_DURATION || duration > MAX_DURATION)) {
    throw constraint(String(duration), 'durationSeconds', 'Member must have value between 900 and 43200');
  }
  const keys = Object.keys(r.tags);
  if (keys.length > MAX_TAGS)
    throw constraint(String(keys.length), 'tags', 'Member must have length less than or equal to 50');
  for (const key of keys) {
    if (!TAG_KEY.test(key) || key.toLowerCase().startsWith('aws:'))
      throw constraint(key, 'tags.key', 'Member must satisfy the tag key pattern');
    if (!TAG_VALUE.test(r.tags[key]!))
      throw constraint(r.tags[key]!, 'tags.value', 'Member must satisfy the tag value pattern');
  }
};

/** What the role's own settings and the caller's kind of identity allow. */
const authorize = (state: FakeStsState, r: FakeStsRequest): number => {
  const roleArn = r.roleArn!;
  if (state.deny.has(roleArn)) {
    throw new StsFault(
      403,
      'AccessDenied',
      `User: arn:aws:sts::111111111111:assumed-role/orrery-broker/${r.accessKeyId} is not authorized to perform: ` +
        `sts:AssumeRole on resource: ${roleArn}`,
    );
  }
  const duration = r.durationSeconds ?? DEFAULT_DURATION;
  if (state.chained && duration > CHAINED_MAX) {
    throw new StsFault(
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > (state.maxSessionSeconds.get(roleArn) ?? IAM_DEFAULT_MAX)) {
    throw new StsFault(
      400,
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  }
  return duration;
};

const accessKeyId = (): string =>
  `ASIA${randomBytes(12)
    .toString('base64')
    .replace(/[^A-Z0-9]/gi, '')
    .toUpperCase()
    .padEnd(16, 'X')
    .slice(0, 16)}`;

/** The AssumeRoleResponse STS sends, element for element. */
const assumeRoleResponse = (r: FakeStsRequest, keys: FakeStsKeys, requestId: string): string => {
  const [, , , , account = '', resource = ''] = r.roleArn!.split(':');
  const roleName = resource.split('/').pop() ?? resource;
  const roleId = `AROA${createHash('sha1').update(r.roleArn!).digest('hex').slice(0, 17).toUpperCase()}`;
  const source = r.sourceIdentity === null ? '' : `\n    <SourceIdentity>${xml(r.sourceIdentity)}</SourceIdentity>`;
  const packed =
    Object.keys(r.tags).length > 0 ? `\n    <PackedPolicySize>${Object.keys(r.tags).length}</PackedPolicySize>` : '';
  return `<AssumeRoleResponse xmlns="${NAMESPACE}">
  <AssumeRoleResult>${source}
    <AssumedRoleUser>
      <AssumedRoleId>${roleId}:${xml(r.roleSessionName!)}</AssumedRoleId>
      <Arn>arn:aws:sts::${xml(account)}:assumed-role/${xml(roleName)}/${xml(r.roleSessionName!)}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${keys.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${xml(keys.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xml(keys.sessionToken)}</SessionToken>
      <Expiration>${keys.expiration}</Expiration>
    </Credentials>${packed}
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`;
};

const errorResponse = (fault: StsFault, requestId: string): string =>
  `<ErrorResponse xmlns="${NAMESPACE}">
  <Error>
    <Type>${fault.status >= 500 ? 'Receiver' : 'Sender'}</Type>
    <Code>${fault.code}</Code>
    <Message>${xml(fault.message)}</Message>
  </Error>
  <RequestId>${requestId}</RequestId>
</ErrorResponse>
`;

const send = (res: ServerResponse, status: number, body: string, requestId: string): void => {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  });
  res.end(body);
};

const numberOrNull = (value: string | null): number | null => (value === null ? null : Number(value));

/** Parses, checks and answers one request, recording it first so tests see refused requests too. */
const handle = async (
  state: FakeStsState,
  requests: FakeStsRequest[],
  req: IncomingMessage,
  requestId: string,
): Promise<[number, string]> => {
  const body = await readBody(req);
  const params = new URLSearchParams(new URL(req.url ?? '/', 'http://fake').search);
  for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params.append(key, value);
  const r: FakeStsRequest = {
    action: params.get('Action'),
    version: params.get('Version'),
    roleArn: params.get('RoleArn'),
    roleSessionName: params.get('RoleSessionName'),
    sourceIdentity: params.get('SourceIdentity'),
    durationSeconds: numberOrNull(params.get('DurationSeconds')),
    tags: parseTags(params),
    accessKeyId: null,
    region: null,
    params,
  };
  requests.push(r);
  try {
    authenticate(state, req, body, r);
    validate(r);
    if (state.throttle > 0) {
      state.throttle -= 1;
      throw new StsFault(400, 'Throttling', 'Rate exceeded');
    }
    const duration = authorize(state, r);
    const lifetime = Math.min(duration, state.expiresInSeconds ?? duration);
    const keys: FakeStsKeys = {
      accessKeyId: accessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `FwoGZXIvYXdzE${randomBytes(96).toString('base64')}`,
      // STS writes whole seconds, without milliseconds.
      expiration: new Date(Date.now() + lifetime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    r.issued = keys;
    return [200, assumeRoleResponse(r, keys, requestId)];
  } catch (err) {
    if (!(err instanceof StsFault)) throw err;
    r.error = err.code;
    return [err.status, errorResponse(err, requestId)];
  }
};

/** Starts the fake STS on a free loopback port; close() ends it and its kept-alive connections. */
export const startFakeSts = async (): Promise<FakeSts> => {
  const state = emptyState();
  const requests: FakeStsRequest[] = [];
  const server = createServer((req, res) => {
    const requestId = randomUUID();
    handle(state, requests, req, requestId).then(
      ([status, body]) => send(res, status, body, requestId),
      (err: unknown) =>
        send(res, 500, errorResponse(new StsFault(500, 'InternalFailure', String(err)), requestId), requestId),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A forgotten fake must not keep the test process alive.
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    reset: () => {
      Object.assign(state, emptyState());
      delete state.expiresInSeconds;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
};
