import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, apiPath, parseProgressBatch, uploadBody, type Upload } from './api-client.ts';

interface Seen {
  url: string;
  init: RequestInit;
}

const fakeFetch = (answer: () => Response) => {
  const seen: Seen[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push({ url: String(input), init: init ?? {} });
    return answer();
  }) as typeof fetch;
  return { fn, seen };
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const clientWith = (answer: () => Response, token: string | null = 'tok-1') => {
  const fake = fakeFetch(answer);
  let unauthorized = 0;
  const client = new ApiClient({
    apiUrl: '/api/',
    getToken: () => token,
    onUnauthorized: () => unauthorized++,
    fetch: fake.fn,
  });
  return { client, seen: fake.seen, unauthorized: () => unauthorized };
};

describe('ApiClient', () => {
  it('sends the bearer token to the route under apiUrl and returns the parsed body', async () => {
    // Prepare
    const { client, seen } = clientWith(() =>
      json(200, { id: 'alice', name: 'Alice', teams: [], admin: false, entitlements: {} }),
    );
    // Act
    const me = await client.me();
    // Assess
    expect(me.id).toBe('alice');
    expect(seen[0]?.url).toBe('/api/me');
    expect((seen[0]!.init.headers as Record<string, string>).authorization).toBe('Bearer tok-1');
    expect(seen[0]?.init.method).toBe('GET');
  });

  it('sends no authorization header when there is no token', async () => {
    // Prepare
    const { client, seen } = clientWith(() => json(200, { items: [] }), null);
    // Act
    await client.listProfiles();
    // Assess
    expect((seen[0]!.init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('encodes path segments and leaves empty query values out', async () => {
    // Prepare
    const { client, seen } = clientWith(() => json(200, { items: [], nextCursor: null }));
    // Act
    await client.listRuns({ status: 'FAILED', cursor: 'a b/c', notebook: undefined, limit: 25 });
    await client.getServer('dev/../x');
    // Assess
    expect(seen[0]?.url).toBe('/api/runs?status=FAILED&cursor=a+b%2Fc&limit=25');
    expect(seen[1]?.url).toBe('/api/servers/dev%2F..%2Fx');
  });

  it('posts JSON bodies with their content type', async () => {
    // Prepare
    const { client, seen } = clientWith(() => json(202, { server: { name: 'dev' }, token: 't' }));
    // Act
    await client.launchServer({ name: 'dev', profile: 'small' });
    // Assess
    expect(seen[0]?.init.method).toBe('POST');
    expect(seen[0]?.url).toBe('/api/servers');
    expect((seen[0]!.init.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(String(seen[0]?.init.body))).toEqual({ name: 'dev', profile: 'small' });
  });

  it('previews Spark, lists active sessions and stops one at the Spark routes', async () => {
    // Prepare
    const { client, seen } = clientWith(() => json(200, { items: [], nextCursor: null }));
    // Act
    await client.previewSpark({ pool: 'spot', conf: { 'spark.executor.cores': '8' } });
    await client.listSparkSessions({ status: 'ACTIVE', limit: 50 });
    await client.stopSparkSession('abc 1');
    // Assess
    expect(seen.map((s) => `${s.init.method} ${s.url}`)).toEqual([
      'POST /api/spark/preview',
      'GET /api/spark/sessions?status=ACTIVE&limit=50',
      'DELETE /api/spark/sessions/abc%201',
    ]);
    expect(JSON.parse(String(seen[0]?.init.body))).toEqual({ pool: 'spot', conf: { 'spark.executor.cores': '8' } });
  });

  it('creates, lists, previews, pauses, triggers and deletes schedules at the schedule routes', async () => {
    // Prepare
    const { client, seen } = clientWith(() => json(200, { items: [], nextCursor: null }));
    // Act
    await client.createSchedule('nb-1', { name: 'Nightly', expression: 'rate(1 hour)' });
    await client.listSchedules({ limit: 25 });
    await client.previewSchedule({ expression: 'cron(0 9 ? * MON-FRI *)', timezone: 'Europe/Berlin', count: 5 });
    await client.getSchedule('sch-1');
    await client.updateSchedule('sch-1', { paused: true });
    await client.triggerSchedule('sch-1');
    await client.deleteSchedule('sch-1');
    // Assess
    expect(seen.map((s) => `${s.init.method} ${s.url}`)).toEqual([
      'POST /api/notebooks/nb-1/schedules',
      'GET /api/schedules?limit=25',
      'GET /api/schedules/preview?expression=cron%280+9+%3F+*+MON-FRI+*%29&timezone=Europe%2FBerlin&count=5',
      'GET /api/schedules/sch-1',
      'PATCH /api/schedules/sch-1',
      'POST /api/schedules/sch-1/trigger',
      'DELETE /api/schedules/sch-1',
    ]);
    expect(JSON.parse(String(seen[4]?.init.body))).toEqual({ paused: true });
  });

  it('turns an error answer into an ApiError with the API code, message and request id', async () => {
    // Prepare
    const { client, unauthorized } = clientWith(() =>
      json(409, { error: 'conflict', message: 'a server named dev exists', requestId: 'req-9' }),
    );
    // Act
    const error = await client.launchServer({ name: 'dev' }).catch((err: unknown) => err);
    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 409,
      code: 'conflict',
      message: 'a server named dev exists',
      requestId: 'req-9',
    });
    expect(unauthorized()).toBe(0);
  });

  it('keeps the per-field details of a 400 and drops malformed ones', async () => {
    // Prepare
    const details = [
      { path: 'parameters.days', message: 'expected int' },
      { path: 7, message: 'not a path' },
      { path: 'body.profile', message: 'unknown profile' },
    ];
    const { client } = clientWith(() =>
      json(400, { error: 'validation_error', message: 'parameters.days: expected int', requestId: 'req-3', details }),
    );
    // Act
    const error = await client.startRun('nb-1', { parameters: {} }).catch((err: unknown) => err);
    // Assess
    expect((error as ApiError).details).toEqual([
      { path: 'parameters.days', message: 'expected int' },
      { path: 'body.profile', message: 'unknown profile' },
    ]);
  });

  it('calls onUnauthorized on a 401 and still rejects the call', async () => {
    // Prepare
    const { client, unauthorized } = clientWith(() =>
      json(401, { error: 'unauthorized', message: 'token expired', requestId: 'r' }),
    );
    // Act
    const error = await client.listServers().catch((err: unknown) => err);
    // Assess
    expect(unauthorized()).toBe(1);
    expect(error).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('describes an answer that is not the API JSON by its status', async () => {
    // Prepare
    const { client } = clientWith(
      () =>
        new Response('<html>bad gateway</html>', {
          status: 502,
          statusText: 'Bad Gateway',
          headers: { 'x-request-id': 'edge-1' },
        }),
    );
    // Act
    const error = await client.getRun('run-12345678').catch((err: unknown) => err);
    // Assess
    expect(error).toMatchObject({ status: 502, code: 'http_502', requestId: 'edge-1' });
    expect((error as Error).message).toContain('502');
  });

  it('reports a network failure as an ApiError with status 0', async () => {
    // Prepare
    const client = new ApiClient({
      apiUrl: '/api',
      getToken: () => 't',
      onUnauthorized: () => {},
      fetch: (async () => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch,
    });
    // Act
    const error = await client.me().catch((err: unknown) => err);
    // Assess
    expect(error).toMatchObject({ status: 0, code: 'network' });
  });

  it('says a 2xx answer that is not JSON is not the API, as an ApiError', async () => {
    // Prepare
    const { client } = clientWith(
      () =>
        new Response('<html>edge page</html>', {
          status: 200,
          headers: { 'content-type': 'text/html', 'x-request-id': 'edge-2' },
        }),
    );
    // Act
    const error = await client.me().catch((err: unknown) => err);
    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 200, code: 'bad_response', requestId: 'edge-2' });
  });

  it('passes a render request its abort signal and rejects with the abort itself, not a network error', async () => {
    // Prepare
    const controller = new AbortController();
    const fetchFn = ((_input: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      )) as typeof fetch;
    const client = new ApiClient({ apiUrl: '/api', getToken: () => 't', onUnauthorized: () => {}, fetch: fetchFn });
    // Act
    const rendering = client.renderVersion('nb-1', 2, controller.signal).catch((err: unknown) => err);
    controller.abort();
    const error = await rendering;
    // Assess
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
  });

  it('returns rendered HTML as text', async () => {
    // Prepare
    const { client, seen } = clientWith(
      () => new Response('<p>hi</p>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    // Act
    const html = await client.renderVersion('nb-12345678', 2);
    // Assess
    expect(html).toBe('<p>hi</p>');
    expect(seen[0]?.url).toBe('/api/notebooks/nb-12345678/versions/2/html');
  });

  it('asks for progress after the last event id and parses the batch', async () => {
    // Prepare
    const body = 'retry: 1000\n\nid: 3\ndata: {"id":3,"at":"t","progress":50,"message":"Pulling the image"}\n\n';
    const { client, seen } = clientWith(
      () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    );
    // Act
    const batch = await client.serverProgress('dev', 2);
    // Assess
    expect(seen[0]?.url).toBe('/api/servers/dev/progress?after=2');
    expect(batch).toEqual({ events: [{ id: 3, at: 't', progress: 50, message: 'Pulling the image' }], done: false });
  });
});

describe('parseProgressBatch', () => {
  it('reads several events and is done at a ready event', () => {
    // Prepare
    const text =
      'retry: 1000\n\n' +
      'id: 1\ndata: {"id":1,"at":"a","progress":10,"message":"Server requested"}\n\n' +
      'id: 2\ndata: {"id":2,"at":"b","progress":100,"message":"Jupyter is answering","ready":true}\n\n';
    // Act
    const batch = parseProgressBatch(text);
    // Assess
    expect(batch.events.map((e) => e.id)).toEqual([1, 2]);
    expect(batch.done).toBe(true);
  });

  it('is done at a failed event, and reads CRLF line ends and data split over lines', () => {
    // Prepare
    const text =
      'id: 4\r\ndata: {"id":4,"at":"a",\r\ndata: "progress":100,"message":"image pull failed","failed":true}\r\n\r\n';
    // Act
    const batch = parseProgressBatch(text);
    // Assess
    expect(batch.events[0]?.message).toBe('image pull failed');
    expect(batch.done).toBe(true);
  });

  it('is not done on an empty batch, and done when the server says to come back in a minute', () => {
    // Prepare
    const waiting = 'retry: 1000\n\n';
    const over = 'retry: 60000\n\n';
    // Act
    const [a, b] = [parseProgressBatch(waiting), parseProgressBatch(over)];
    // Assess
    expect(a).toEqual({ events: [], done: false });
    expect(b).toEqual({ events: [], done: true });
  });
});

describe('apiPath', () => {
  it('joins apiUrl and path without doubling slashes', () => {
    // Prepare
    const urls = ['/api', '/api/', 'https://api.example.com/v1//'];
    // Act
    const paths = urls.map((u) => apiPath(u, '/me', { a: 1, b: null, c: '' }));
    // Assess
    expect(paths).toEqual(['/api/me?a=1', '/api/me?a=1', 'https://api.example.com/v1/me?a=1']);
  });
});

/** Stands in for the browser's XMLHttpRequest: records what is opened and sent, answers with `status`. */
const fakeXhr = (status: number, responseText = '') => {
  const sent: Array<{ method: string; url: string; body: unknown }> = [];
  class FakeXhr {
    status = 0;
    responseText = '';
    upload: { onprogress?: (e: { lengthComputable: boolean; loaded: number; total: number }) => void } = {};
    onload?: () => void;
    onerror?: () => void;
    onabort?: () => void;
    private opened = { method: '', url: '' };
    open(method: string, url: string) {
      this.opened = { method, url };
    }
    setRequestHeader() {}
    abort() {}
    send(body: unknown) {
      sent.push({ ...this.opened, body });
      this.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 });
      Object.assign(this, { status, responseText });
      this.onload?.();
    }
  }
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  return sent;
};

const form: Upload = {
  method: 'POST',
  url: 'https://bucket.s3.example/',
  fields: { key: 'uploads/nb-1/up-1', Policy: 'cG9saWN5', 'X-Amz-Signature': 'abc' },
  maxBytes: 1000,
  expiresAt: '2030-01-01T00:00:00Z',
  uploadId: 'up-1',
};

describe('uploadBody', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('POSTs the form fields as they are and then the file as the last part, reporting progress', async () => {
    // Prepare
    const sent = fakeXhr(204);
    const progress: number[] = [];
    // Act
    await uploadBody(form, new Blob(['{"cells": []}']), (f) => progress.push(f));
    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: 'POST', url: 'https://bucket.s3.example/' });
    const entries = [...(sent[0]!.body as FormData).entries()];
    expect(entries.map(([name]) => name)).toEqual(['key', 'Policy', 'X-Amz-Signature', 'file']);
    expect(entries.slice(0, 3).map(([, value]) => value)).toEqual(['uploads/nb-1/up-1', 'cG9saWN5', 'abc']);
    expect(await (entries[3]![1] as Blob).text()).toBe('{"cells": []}');
    expect(progress).toEqual([0.5, 1]);
  });

  it('refuses a file over the form’s limit before sending a byte, saying both sizes', async () => {
    // Prepare
    const sent = fakeXhr(204);
    // Act
    const error = await uploadBody(
      { ...form, maxBytes: 1024 * 1024 },
      new Blob([new Uint8Array(3 * 1024 * 1024)]),
      () => undefined,
    ).catch((e: unknown) => e);
    // Assess
    expect(sent).toEqual([]);
    expect(error).toMatchObject({
      status: 413,
      message: 'The file is 3.0 MB; the largest notebook this platform takes is 1.0 MB.',
    });
  });

  it('says the file is over the limit when storage refuses it as too large', async () => {
    // Prepare
    fakeXhr(
      400,
      '<?xml version="1.0"?><Error><Code>EntityTooLarge</Code>' +
        '<Message>Your proposed upload exceeds the maximum allowed size</Message></Error>',
    );
    // Act
    const error = await uploadBody({ ...form, maxBytes: 5 * 1024 * 1024 }, new Blob(['x']), () => undefined).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'EntityTooLarge',
      message: 'Storage refused the file: it is over the 5.0 MB upload limit.',
    });
  });
});
