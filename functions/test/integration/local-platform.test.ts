import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tinyNotebook } from '../support/notebooks.ts';
import { callApi, startTestPlatform } from '../support/platform.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const tsx = (script: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('the local platform', () => {
  it('keeps every notebook and body across a restart on the same data folder', async () => {
    // Prepare
    const first = await startTestPlatform(undefined);
    const created = await first.api('POST', '/notebooks', first.tokens.alice, {
      title: 'Survivor',
      tags: ['keep'],
      content: tinyNotebook('still here'),
    });
    await first.close(true);
    // Act
    const second = await startTestPlatform(first.home);
    try {
      // Assess
      const id = created.body.notebook.id;
      expect((await second.api('GET', `/notebooks/${id}`, second.tokens.alice)).body.title).toBe('Survivor');
      expect((await second.api('GET', '/notebooks?tag=keep', second.tokens.alice)).body.items).toHaveLength(1);
      const html = await second.api('GET', `/notebooks/${id}/versions/1/html`, second.tokens.alice);
      expect(html.text).toContain('still here');
      expect(second.platform.firstStart).toBe(false);
    } finally {
      await second.close();
    }
  });

  it('keeps the data folder the developer’s alone: secrets 0600 and the folder 0700, also when left open before', async () => {
    // Prepare: a data folder an earlier version (or a copy) left readable by everyone.
    const first = await startTestPlatform(undefined);
    await first.close(true);
    chmodSync(first.home, 0o755);
    chmodSync(join(first.home, 'secrets.json'), 0o644);
    chmodSync(join(first.home, 'login-codes.json'), 0o644);
    // Act
    const second = await startTestPlatform(first.home);
    try {
      // Assess
      const mode = (file: string) => statSync(join(first.home, file)).mode & 0o777;
      expect([mode('.'), mode('secrets.json'), mode('login-codes.json')]).toEqual([0o700, 0o600, 0o600]);
    } finally {
      await second.close();
    }
  });

  it('prints a one-time login link whose code buys a token once', async () => {
    const t = await startTestPlatform();
    try {
      const code = new URL(t.platform.loginLink).hash.replace('#code=', '');
      const page = await fetch(`${t.platform.url}/login`);
      expect(page.headers.get('content-security-policy')).toMatch(/script-src 'sha256-/);
      const exchange = () =>
        fetch(`${t.platform.url}/auth/local/exchange`, { method: 'POST', body: JSON.stringify({ code }) });
      const first = await exchange();
      const { token, user } = (await first.json()) as { token: string; user: string };
      expect(user).toBe('admin');
      expect((await callApi(t.platform.apiUrl, 'GET', '/me', token)).body).toMatchObject({ id: 'admin', admin: true });
      expect((await exchange()).status).toBe(401);
    } finally {
      await t.close();
    }
  });

  it('says the port is busy and exits when started twice on one port', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const home = mkdtempSync(join(tmpdir(), 'orrery-busy-'));
    try {
      const { port } = blocker.address() as AddressInfo;
      const run = tsx('scripts/local/start.ts', [], { PORT: String(port), ORRERY_HOME: home });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`port ${port} is busy`);
    } finally {
      blocker.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('starts from the npm start script, serves, and stops everything on Ctrl-C', async () => {
    const home = mkdtempSync(join(tmpdir(), 'orrery-start-'));
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => probe.once('listening', r));
    const { port } = probe.address() as AddressInfo;
    probe.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), ORRERY_HOME: home },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    try {
      for (let i = 0; i < 100 && !out.includes('Stop with Ctrl-C'); i += 1)
        await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain(`http://127.0.0.1:${port}/login#code=`);
      expect(out).toContain(home);
      expect((await callApi(`http://127.0.0.1:${port}/api`, 'GET', '/healthz')).body).toEqual({ status: 'ok' });
      const token = tsx('scripts/local/token.ts', ['carol', '--team', 'ml'], { ORRERY_HOME: home }).stdout.trim();
      expect((await callApi(`http://127.0.0.1:${port}/api`, 'GET', '/me', token)).body).toMatchObject({
        id: 'carol',
        teams: ['ml'],
      });
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      await expect(fetch(`http://127.0.0.1:${port}/api/healthz`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  });
});
