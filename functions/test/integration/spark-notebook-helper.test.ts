import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverIdFor } from '../../src/domain/server.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { eventually, jupyterServerAvailable, waitForServer } from '../support/servers.ts';

const IMAGES = join(import.meta.dirname, '..', '..', '..', 'images');
// Debian has no pyspark: the kernel puts the suite's fake first on its path, which records what the builder got.
const FAKE_PYSPARK = join(IMAGES, 'notebook-server', 'tests', 'fake_pyspark');

/**
 * Runs code in a kernel through its connection file (jupyter_client, as a notebook front end does); prints one JSON
 * object: what the code printed and the HTML it displayed. Exits 1 with the traceback (no colours) when it fails.
 * Arguments: connection file, code.
 */
const EXECUTE = `
import json, re, sys
from jupyter_client import BlockingKernelClient
connection_file, code = sys.argv[1:3]
kc = BlockingKernelClient(connection_file=connection_file)
kc.load_connection_file()
kc.start_channels()
kc.wait_for_ready(timeout=60)
out, html, errors = [], [], []
def hook(msg):
    kind, content = msg["msg_type"], msg["content"]
    if kind == "stream":
        out.append(content["text"])
    elif kind in ("display_data", "execute_result") and "text/html" in content.get("data", {}):
        html.append(content["data"]["text/html"])
    elif kind == "error":
        errors.append("\\n".join(content["traceback"]))
reply = kc.execute_interactive(code, timeout=60, output_hook=hook)
kc.stop_channels()
sys.stdout.write(json.dumps({"out": "".join(out), "html": html}))
if reply["content"]["status"] != "ok":
    sys.stderr.write(re.sub(r"\\x1b\\[[0-9;]*m", "", "".join(errors)))
    sys.exit(1)
`;

const NAME = 'sparky';
const run = promisify(execFile);

let t: TestPlatform;
let jupyter: { url: string; token: string };

/** Starts a kernel in the server; returns its id and connection file. */
const startKernel = async () => {
  const res = await fetch(`${jupyter.url}api/kernels`, {
    method: 'POST',
    headers: { authorization: `token ${jupyter.token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  return { id, connection: join(t.home, 'servers', serverIdFor('alice', NAME), 'runtime', `kernel-${id}.json`) };
};

/** Runs code in a kernel: what it printed and the HTML it displayed. */
const inKernel = async (connection: string, code: string): Promise<{ out: string; html: string[] }> => {
  const { stdout } = await run('/usr/bin/python3', ['-c', EXECUTE, connection, code], { timeout: 90_000 });
  return JSON.parse(stdout);
};

const session = async (id: string) => (await t.api('GET', `/spark/sessions/${id}`, t.tokens.alice)).body;

describe.skipIf(!jupyterServerAvailable())('the notebook helper (orrery.spark) in a local server’s kernel', () => {
  beforeAll(async () => {
    t = await startTestPlatform(mkdtempSync(join(tmpdir(), 'orrery-spark-helper-')), {
      ORRERY_CULL_HEARTBEAT_SECONDS: '864000',
    });
    const launch = await t.api('POST', '/servers', t.tokens.alice, { name: NAME, profile: 'pyspark' });
    expect(launch.status, launch.text).toBe(202);
    const server = await waitForServer(t, NAME, t.tokens.alice, ['RUNNING', 'FAILED']);
    expect(server.status, server.reason).toBe('RUNNING');
    jupyter = { url: server.url, token: launch.body.token };
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('builds Spark from the conf the platform derived, and spark.stop() ends the session', async () => {
    // Prepare
    const kernel = await startKernel();
    // Act
    const made = await inKernel(
      kernel.connection,
      [
        'import json, sys',
        `sys.path.insert(0, ${JSON.stringify(FAKE_PYSPARK)})`,
        'import orrery',
        'from orrery.spark import create_spark_session',
        'from pyspark.sql import SparkSession',
        "spark = create_spark_session(app_name='e2e')",
        "print(json.dumps({'built': SparkSession.built, 'id': spark.orrery.id, 'package': orrery.__file__}))",
      ].join('\n'),
    );
    const { built, id, package: packageFile } = JSON.parse(made.out);
    const listed = await t.api('GET', `/spark/sessions?server=${NAME}`, t.tokens.alice);
    await inKernel(kernel.connection, 'spark.stop()\nspark.stop()');
    // Assess: the package from the checkout, through the server's PYTHONPATH.
    expect(packageFile).toBe(join(IMAGES, 'notebook-server', 'orrery', '__init__.py'));
    expect(built).toHaveLength(1);
    const options = built[0].options as Record<string, string>;
    expect(built[0].appName).toBe('e2e');
    expect(options['spark.app.name']).toBe('e2e');
    expect(options['spark.master']).toMatch(/^local\[\d+\]$/);
    expect(options['spark.driver.memory']).toMatch(/^\d+g$/);
    expect(options['spark.ui.port']).toMatch(/^40[4-9]\d$/);
    expect(options).toMatchObject({
      'spark.executor.cores': '4',
      'spark.executor.memory': '28g',
      'spark.dynamicAllocation.enabled': 'true',
      'spark.dynamicAllocation.maxExecutors': '2',
    });
    expect(options['spark.sql.shuffle.partitions']).toBe(options['spark.default.parallelism']);
    expect(options['spark.kubernetes.executor.podTemplateFile']).toBeUndefined();
    // The rich display names the local UI and the cost.
    expect(made.html.join('')).toContain(`http://127.0.0.1:${options['spark.ui.port']}/`);
    expect(made.html.join('')).toContain('/h now, at most');
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([[id, 'ACTIVE']]);
    const ended = await session(id);
    expect(ended.status).toBe('STOPPED');
    expect(ended.stopReason).toBe('owner');
  }, 120_000);

  it('ends a session nobody stopped when its kernel shuts down', async () => {
    // Prepare
    const kernel = await startKernel();
    const made = await inKernel(
      kernel.connection,
      [
        'import sys',
        `sys.path.insert(0, ${JSON.stringify(FAKE_PYSPARK)})`,
        'from orrery.spark import create_spark_session',
        "spark = create_spark_session(app_name='left-open')",
        'print(spark.orrery.id)',
      ].join('\n'),
    );
    const id = made.out.trim();
    expect((await session(id)).status).toBe('ACTIVE');
    // Act: Jupyter asks the kernel to shut down; Python runs its exit handlers.
    const res = await fetch(`${jupyter.url}api/kernels/${kernel.id}`, {
      method: 'DELETE',
      headers: { authorization: `token ${jupyter.token}` },
    });
    // Assess
    expect(res.status).toBe(204);
    await eventually(async () => (await session(id)).status === 'STOPPED', 'the session to be stopped at exit');
  }, 120_000);

  it('without pyspark says so, returns the previewed conf, and records no session', async () => {
    // Prepare
    const kernel = await startKernel();
    const before = await t.api('GET', `/spark/sessions?server=${NAME}`, t.tokens.alice);
    // Act: pyspark cannot be imported, even where a developer installed it.
    const made = await inKernel(
      kernel.connection,
      [
        'import json, sys',
        "sys.modules['pyspark'] = sys.modules['pyspark.sql'] = None",
        'from orrery.spark import create_spark_session',
        "info = create_spark_session(app_name='dry')",
        "print(json.dumps({'dryRun': info.dry_run, 'id': info.id, 'conf': info.conf}))",
      ].join('\n'),
    );
    const after = await t.api('GET', `/spark/sessions?server=${NAME}`, t.tokens.alice);
    // Assess
    expect(made.out).toMatch(/^pyspark is not installed in this kernel/);
    expect(made.html.join('')).toContain('a preview: the sizing only');
    const info = JSON.parse(made.out.slice(made.out.lastIndexOf('\n{') + 1));
    expect(info).toMatchObject({ dryRun: true, id: '' });
    expect(info.conf).toMatchObject({ 'spark.app.name': 'dry', 'spark.executor.cores': '4' });
    // A preview is the sizing only: the local placement (local[N]) is not part of it.
    expect(info.conf['spark.master']).toBeUndefined();
    expect(after.status, after.text).toBe(200);
    expect(after.body.items).toEqual(before.body.items);
  }, 120_000);
});
