import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePlatformDeps } from '../../../src/composition/local.ts';
import { makeNotebookDeps } from '../../../src/composition/notebooks.ts';
import { makeRunRouteDeps } from '../../../src/composition/runs.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { CLOUD_ENV_WITH_CURSORS } from '../../support/cloud-env.ts';
import { RecordingWorkflows, ScriptedCompute } from '../../support/fakes.ts';

const ENV = CLOUD_ENV_WITH_CURSORS;
const NO_SUCH_KEY =
  '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>absent</Message></Error>';

// A stand-in for S3 on the loopback: records each request's method and path, and answers every GET with NoSuchKey.
let s3: Server;
const requests: string[] = [];
let endpoint = '';

beforeAll(async () => {
  s3 = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split('?')[0]}`);
    req.resume();
    req.on('end', () => res.writeHead(404, { 'content-type': 'application/xml' }).end(NO_SUCH_KEY));
  });
  await new Promise<void>((done) => s3.listen(0, '127.0.0.1', done));
  endpoint = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => s3.close(() => done())));

describe('the render cache and the output cap in the composition', () => {
  it('keeps pages in the bucket under rendered/ for the notebooks and runs functions and for local mode', async () => {
    // Prepare
    const config = loadConfig({ ...ENV, ORRERY_S3_ENDPOINT: endpoint });
    const caches = {
      notebooks: makeNotebookDeps(config).renderCache,
      runs: makeRunRouteDeps(config).renderCache,
      local: makePlatformDeps(config, { workflows: new RecordingWorkflows(), compute: new ScriptedCompute() })
        .renderCache,
    };
    const before = requests.length;

    // Act
    const pages = await Promise.all(Object.entries(caches).map(([name, cache]) => cache.get(`page-of-${name}`)));

    // Assess: nothing reached S3 before the first read; each read asked the bucket and took NoSuchKey as a miss.
    expect(before).toBe(0);
    expect(pages).toEqual([null, null, null]);
    expect(requests.sort()).toEqual([
      'GET /b/rendered/page-of-local',
      'GET /b/rendered/page-of-notebooks',
      'GET /b/rendered/page-of-runs',
    ]);
  });

  it('takes the per-output cap from ORRERY_RENDER_OUTPUT_MAX_BYTES, 10 MiB unless set', () => {
    // Act
    const fallback = loadConfig(ENV).limits.renderOutputBytes;
    const set = loadConfig({ ...ENV, ORRERY_RENDER_OUTPUT_MAX_BYTES: '2097152' }).limits.renderOutputBytes;

    // Assess
    expect(fallback).toBe(10 * 1024 * 1024);
    expect(set).toBe(2 * 1024 * 1024);
    expect(() => loadConfig({ ...ENV, ORRERY_RENDER_OUTPUT_MAX_BYTES: '0' })).toThrow(/ORRERY_RENDER_OUTPUT_MAX_BYTES/);
  });
});
