import { mkdtempSync, rmSync } from 'node:fs';
import { stringify } from 'lossless-json';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPlatform, type LocalPlatform } from '../../src/handlers/local/local-platform.ts';
import { people } from './fakes.ts';

/** A JSON response as tests read it. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

/** Calls the local API with an optional token. */
export const callApi = async (
  base: string,
  method: string,
  path: string,
  token?: string | null,
  body?: unknown,
  raw?: string,
): Promise<ApiResponse> => {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : stringify(body)),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // HTML and empty bodies stay text.
  }
  return { status: res.status, body: parsed, headers: res.headers, text };
};

/**
 * The local platform in a throwaway data folder on a free port, with tokens for the test people.
 * It serves no portal (so the plain sign-in page) unless `env.ORRERY_WEB_DIST` names a built one:
 * whether a developer happened to build web/ must not change what API tests see. It keeps no warm runners or warm
 * servers unless `env.ORRERY_WARM_RUNNERS` / `ORRERY_WARM_SERVERS` ask: a suite that runs no notebook and launches
 * no server should not start kernels or Jupyter on a shared machine.
 */
export const startTestPlatform = async (
  home = mkdtempSync(join(tmpdir(), 'orrery-home-')),
  env: Record<string, string> = {},
) => {
  const platform: LocalPlatform = await startLocalPlatform({
    home,
    port: 0,
    env: {
      ORRERY_LOG_LEVEL: 'silent',
      ORRERY_WEB_DIST: join(home, 'no-portal-built'),
      ORRERY_WARM_RUNNERS: '0',
      ORRERY_WARM_SERVERS: '0',
      ...env,
    },
  });
  const tokens: Record<keyof typeof people, string> = {} as never;
  for (const [key, p] of Object.entries(people)) {
    platform.users.upsert(p.id, { teams: p.teams, admin: p.admin, name: p.name });
    tokens[key as keyof typeof people] = await platform.users.tokenFor(p.id);
  }
  return {
    platform,
    home,
    tokens,
    api: (method: string, path: string, token?: string | null, body?: unknown) =>
      callApi(platform.apiUrl, method, path, token, body),
    raw: (method: string, path: string, token: string | null, raw: string) =>
      callApi(platform.apiUrl, method, path, token, undefined, raw),
    close: async (keep = false) => {
      await platform.close();
      if (!keep) rmSync(home, { recursive: true, force: true });
    },
  };
};

/** What startTestPlatform returns. */
export type TestPlatform = Awaited<ReturnType<typeof startTestPlatform>>;
