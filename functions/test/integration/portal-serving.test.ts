import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_CSP } from '../../src/contracts/portal-csp.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const APP_JS = 'console.log("portal")';
const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-Ab12Cd.js"></script></head>' +
  '<body><div id="root"></div></body></html>';
const SECRET = 'outside the portal folder';

/** One request with the path sent exactly as written (fetch would normalise `..` away). */
const rawGet = (base: string, path: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const url = new URL(base);
      const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );

describe('the local platform serving the built portal', () => {
  let t: TestPlatform;
  let folder: string;
  let s3: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'orrery-portal-'));
    const dist = join(folder, 'dist');
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets', 'app-Ab12Cd.js'), APP_JS);
    writeFileSync(join(dist, 'assets', 'app-Ab12Cd.css'), 'body{margin:0}');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(folder, 'secret.txt'), SECRET);
    symlinkSync(join(folder, 'secret.txt'), join(dist, 'assets', 'leak.js'));
    t = await startTestPlatform(undefined, { ORRERY_WEB_DIST: dist });
    s3 = t.platform.config.s3Endpoint!;
  });
  afterAll(async () => {
    await t?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers the portal’s routes with index.html, uncached, under the portal CSP that also allows s3rver', async () => {
    for (const path of ['/', '/login', '/notebooks/nb-0000000000000001', '/runs/run-1/rerun?x=1', '/auth/callback']) {
      // Act
      const res = await rawGet(t.platform.url, path);
      // Assess
      expect(res.status, path).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toBe(
        PORTAL_CSP.replace("connect-src 'self'", `connect-src 'self' ${s3}`),
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('generates config.json for local sign-in with the API on the same origin', async () => {
    // Act
    const res = await rawGet(t.platform.url, '/config.json');
    // Assess
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({ apiUrl: '/api', auth: { mode: 'local' } });
  });

  it('serves hashed assets as immutable with their content types, other files revalidated, and HEAD without a body', async () => {
    // Act
    const js = await rawGet(t.platform.url, '/assets/app-Ab12Cd.js');
    const css = await rawGet(t.platform.url, '/assets/app-Ab12Cd.css');
    const svg = await rawGet(t.platform.url, '/favicon.svg');
    const head = await rawGet(t.platform.url, '/assets/app-Ab12Cd.js', {}, 'HEAD');
    // Assess
    expect([js.status, js.headers['content-type'], js.headers['cache-control'], js.body]).toEqual([
      200,
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      APP_JS,
    ]);
    expect([css.status, css.headers['content-type']]).toEqual([200, 'text/css; charset=utf-8']);
    expect([svg.status, svg.headers['content-type'], svg.headers['cache-control']]).toEqual([
      200,
      'image/svg+xml',
      'no-cache',
    ]);
    expect([head.status, head.headers['content-length'], head.body]).toEqual([200, String(APP_JS.length), '']);
  });

  it('answers a missing asset with a 404 in JSON, never with index.html', async () => {
    for (const path of ['/assets/app-OLD.js', '/assets/nothing', '/robots.txt']) {
      // Act
      const res = await rawGet(t.platform.url, path);
      // Assess
      expect(res.status, path).toBe(404);
      expect(res.headers['content-type']).toContain('application/json');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(res.body)).toMatchObject({ error: 'not_found' });
    }
  });

  it('refuses paths that step out of the portal folder, encoded or not, and symlinks that point out of it', async () => {
    for (const path of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%5c%2e%2e%5csecret.txt',
      '/assets/leak.js',
      '/assets/a%00.js',
      '/%E0%A4%A',
    ]) {
      // Act
      const res = await rawGet(t.platform.url, path);
      // Assess
      expect([400, 404], path).toContain(res.status);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toBe(INDEX);
    }
  });

  it('still serves the API and the code exchange, which never fall back to the portal', async () => {
    // Act
    const health = await rawGet(t.platform.url, '/api/healthz');
    const unknown = await rawGet(t.platform.url, '/api/no-such-route');
    const me = await t.api('GET', '/me', t.tokens.alice);
    const exchange = await fetch(`${t.platform.url}/auth/local/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'not-a-code' }),
    });
    const exchangeGet = await rawGet(t.platform.url, '/auth/local/exchange');
    // Assess
    expect(health.status).toBe(200);
    expect(unknown.status).toBe(404);
    expect(unknown.body).not.toBe(INDEX);
    expect(me.body).toMatchObject({ id: 'alice' });
    expect(exchange.status).toBe(401);
    expect(exchangeGet.status).toBe(404);
    expect(exchangeGet.body).not.toBe(INDEX);
  });

  it('lets s3rver answer a CORS preflight for an upload POST from the platform’s origins, by 127.0.0.1 and by localhost, and no other', async () => {
    // Prepare
    const port = new URL(t.platform.url).port;
    const preflight = (origin: string, method = 'POST') =>
      fetch(`${s3}/orrery-notebooks`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
      });
    // Act
    const own = await preflight(`http://127.0.0.1:${port}`);
    const byName = await preflight(`http://localhost:${port}`);
    const other = await preflight('http://evil.example');
    const put = await preflight(`http://127.0.0.1:${port}`, 'PUT');
    // Assess
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-methods')).toContain('POST');
    expect(put.status).toBe(403);
    expect(own.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(byName.status).toBe(200);
    expect(other.status).toBe(403);
  });
});

describe('the local platform before the portal is built', () => {
  let t: TestPlatform;

  beforeAll(async () => {
    t = await startTestPlatform(undefined, { ORRERY_WEB_DIST: join(tmpdir(), 'orrery-no-portal-here') });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the plain sign-in page at / and /login, saying how to build the portal, and 404 elsewhere', async () => {
    // Act
    const home = await rawGet(t.platform.url, '/');
    const login = await rawGet(t.platform.url, '/login');
    const other = await rawGet(t.platform.url, '/notebooks');
    // Assess
    expect(home.status).toBe(200);
    expect(home.body).toContain('npm run build:web');
    expect(login.body).toBe(home.body);
    expect(other.status).toBe(404);
  });
});
