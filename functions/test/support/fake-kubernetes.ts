import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Kubernetes object as the fake keeps it: plain JSON. */
export type KubeObject = Record<string, any>;

/** What the fake API server holds; tests read it and change it (a pod's status) directly. */
export interface FakeKubernetesState {
  pods: Map<string, KubeObject>;
  services: Map<string, KubeObject>;
  secrets: Map<string, KubeObject>;
  persistentvolumeclaims: Map<string, KubeObject>;
  sparkapplications: Map<string, KubeObject>;
  /** Without the Spark operator's CRD, its URLs answer 404 as a real API server does. */
  sparkCrdInstalled: boolean;
  /**
   * The status Jupyter answers through the service proxy, by proxied path (`/user/a/b/api`); 503 otherwise, as with no
   * endpoints.
   */
  proxy: Map<string, number>;
  /** Requests that answer a 500 instead: by method and a pattern on the path. */
  failures: { method: string; path: RegExp }[];
  /** When set, a request it refuses answers 403 Forbidden, as RBAC would; by default everything is allowed. */
  authorize?: (request: RecordedRequest, attributes: RequestAttributes) => boolean;
}

/** What RBAC decides on: the verb, and the API group, resource (`services/proxy` for a subresource) and namespace. */
export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace: string;
  name?: string;
}

/** An RBAC rule as a Role holds it. */
export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Whether any rule grants the request, as the API server's RBAC authorizer matches them (`*` included). */
export const rbacAllows = (rules: readonly RbacRule[], a: RequestAttributes): boolean =>
  rules.some((r) =>
    [
      [r.apiGroups, a.apiGroup],
      [r.resources, a.resource],
      [r.verbs, a.verb],
    ].every(([allowed, value]) => (allowed as string[]).some((x) => x === '*' || x === value)),
  );

const RESOURCE_PATH = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?/;
const VERBS: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch' };

/** The request's RBAC attributes from its method and path (`name:port/proxy/...` is the proxy subresource). */
export const requestAttributes = (r: RecordedRequest): RequestAttributes | null => {
  const m = RESOURCE_PATH.exec(r.rawPath);
  if (!m) return null;
  const [, group = '', namespace = '', resource = '', rawName, subresource] = m;
  const name = rawName === undefined ? undefined : decodeURIComponent(rawName).replace(/:\d+$/, '');
  const collection = r.method === 'GET' ? (r.query.get('watch') === 'true' ? 'watch' : 'list') : 'deletecollection';
  const verb = VERBS[r.method] ?? (name === undefined ? collection : r.method === 'GET' ? 'get' : 'delete');
  return {
    verb,
    apiGroup: group,
    resource: subresource ? `${resource}/${subresource}` : resource,
    namespace,
    ...(name ? { name } : {}),
  };
};

/** One request the fake received, as it arrived. */
export interface RecordedRequest {
  method: string;
  /** The path exactly as sent, still percent-encoded. */
  rawPath: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: KubeObject | undefined;
}

/** A running fake Kubernetes API server on 127.0.0.1. */
export interface FakeKubernetes {
  url: string;
  state: FakeKubernetesState;
  requests: RecordedRequest[];
  /** Forgets every object, failure and recorded request. */
  reset(): void;
  close(): Promise<void>;
}

type Kind = 'pods' | 'services' | 'secrets' | 'persistentvolumeclaims' | 'sparkapplications';

const CORE = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|services|secrets|persistentvolumeclaims)(?:\/([^/]+))?$/;
const SPARK = /^\/apis\/sparkoperator\.k8s\.io\/v1beta2\/namespaces\/([^/]+)\/(sparkapplications)(?:\/([^/]+))?$/;
const PROXY = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/:]+):(\d+)\/proxy(\/.*)$/;

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: code < 400 ? 'Success' : 'Failure',
  reason,
  message,
  code,
});

// Equality (`a=b`) and existence (`a`) requirements, the two forms the adapter sends.
const matches = (labels: Record<string, string> = {}, selector: string | null): boolean =>
  !selector ||
  selector.split(',').every((req) => {
    const [key, value] = req.split('=');
    return value === undefined ? key! in labels : labels[key!] === value;
  });

const readBody = async (req: IncomingMessage): Promise<KubeObject | undefined> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as KubeObject) : undefined;
};

const send = (res: ServerResponse, code: number, body: unknown, type = 'application/json') => {
  res.writeHead(code, { 'content-type': type });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

const emptyState = (): FakeKubernetesState => ({
  pods: new Map(),
  services: new Map(),
  secrets: new Map(),
  persistentvolumeclaims: new Map(),
  sparkapplications: new Map(),
  sparkCrdInstalled: true,
  proxy: new Map(),
  failures: [],
  authorize: undefined,
});

/** Create, read, replace, delete, list and delete by label one kind of object in one namespace. */
const serveObjects = (
  state: FakeKubernetesState,
  r: RecordedRequest,
  namespace: string,
  kind: Kind,
  name: string | undefined,
): [number, unknown] => {
  const store = state[kind];
  const found = name ? store.get(name) : undefined;
  const existing = found?.metadata?.namespace === namespace ? found : undefined;
  const missing = status(404, 'NotFound', `${kind} "${name}" not found`);
  if (!name && r.method === 'GET') {
    const items = [...store.values()].filter(
      (o) => o.metadata?.namespace === namespace && matches(o.metadata?.labels, r.query.get('labelSelector')),
    );
    return [200, { apiVersion: 'v1', kind: 'List', metadata: {}, items }];
  }
  if (!name && r.method === 'DELETE') {
    // deletecollection: every object the label selector matches, answered with them as a list.
    const items = [...store.values()].filter(
      (o) => o.metadata?.namespace === namespace && matches(o.metadata?.labels, r.query.get('labelSelector')),
    );
    for (const o of items) store.delete(o.metadata.name);
    return [200, { apiVersion: 'v1', kind: 'List', metadata: {}, items }];
  }
  if (!name && r.method === 'POST') {
    const object = { ...r.body, metadata: { ...r.body?.metadata, namespace } };
    if (store.has(object.metadata.name))
      return [409, status(409, 'AlreadyExists', `${kind} "${object.metadata.name}" already exists`)];
    store.set(object.metadata.name, object);
    return [201, object];
  }
  if (!existing) return [404, missing];
  if (r.method === 'GET') return [200, existing];
  if (r.method === 'PUT') {
    store.set(name!, { ...r.body, metadata: { ...r.body?.metadata, namespace } });
    return [200, store.get(name!)];
  }
  if (r.method === 'DELETE') {
    store.delete(name!);
    return [200, kind === 'secrets' || kind === 'sparkapplications' ? status(200, '', '') : existing];
  }
  return [405, status(405, 'MethodNotAllowed', r.method)];
};

const route = (state: FakeKubernetesState, r: RecordedRequest): [number, unknown] => {
  const path = decodeURIComponent(r.rawPath);
  const attributes = requestAttributes(r);
  if (state.authorize && attributes && !state.authorize(r, attributes)) {
    const what = `${attributes.resource}${attributes.apiGroup ? `.${attributes.apiGroup}` : ''}`;
    return [
      403,
      status(
        403,
        'Forbidden',
        `${what} is forbidden: cannot ${attributes.verb} resource "${attributes.resource}" ` +
          `in namespace "${attributes.namespace}"`,
      ),
    ];
  }
  if (state.failures.some((f) => f.method === r.method && f.path.test(path))) {
    // A careless client would repeat this message, credentials and all.
    return [500, status(500, 'InternalError', `etcd is unhappy; request carried ${r.authorization}`)];
  }
  const proxy = PROXY.exec(r.rawPath);
  if (proxy) {
    const code = state.proxy.get(decodeURIComponent(proxy[4]!)) ?? 503;
    return [
      code,
      code === 200
        ? { version: '2.14.0' }
        : status(code, 'ServiceUnavailable', `no endpoints available for service "${proxy[2]}"`),
    ];
  }
  const core = CORE.exec(path);
  if (core) return serveObjects(state, r, core[1]!, core[2] as Kind, core[3]);
  const spark = SPARK.exec(path);
  if (spark && !state.sparkCrdInstalled)
    return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
  if (spark) return serveObjects(state, r, spark[1]!, 'sparkapplications', spark[3]);
  return [404, status(404, 'NotFound', `no route for ${r.method} ${path}`)];
};

/** Starts a fake API server for the endpoints the server-compute adapter uses, recording every request. */
export const startFakeKubernetes = async (): Promise<FakeKubernetes> => {
  const state = emptyState();
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        rawPath: url.pathname,
        query: url.searchParams,
        authorization: req.headers.authorization,
        body: await readBody(req),
      };
      requests.push(recorded);
      const [code, body] = route(state, recorded);
      send(res, code, body);
    })().catch((err: unknown) => send(res, 500, status(500, 'InternalError', String(err))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    reset: () => {
      Object.assign(state, emptyState());
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The client keeps connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
};
