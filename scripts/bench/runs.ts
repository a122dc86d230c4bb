// Runs a 5-cell parameterized notebook 7 times through the local API (POST to COMPLETED) and 7 times
// with `python3 -m nbconvert --to notebook --execute`, interleaved on the same machine, and prints both
// medians, their ratio and the state transitions per run. Usage: npm run bench:runs [-- --runs 7]
// The platform keeps ORRERY_WARM_RUNNERS warm runners (default 2; 0 measures cold runs); before each timed step
// the pool is full again, so neither side is timed while a replacement runner starts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readLocalSettings } from '../../functions/src/config/local-variables.ts';
import { type LocalPlatform, startLocalPlatform } from '../../functions/src/handlers/local/local-platform.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Number(values.runs);
const ROOT = resolve(import.meta.dirname, '..', '..');
const PYTHON = readLocalSettings(process.env).python;
const NOTEBOOK = readFileSync(join(ROOT, 'functions/test/fixtures/exact-parameters.ipynb'), 'utf8');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const WARM = readLocalSettings(process.env).warmRunners;

/** Waits until the platform's warm runners are all ready again (a pool of 0 is always full). */
const poolFull = async (platform: LocalPlatform) => {
  const deadline = Date.now() + 120_000;
  while (platform.compute.readyWarmRunners() < WARM.size * WARM.kernels.length) {
    if (Date.now() > deadline) throw new Error('the warm runners were not ready within 2 minutes');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const main = async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.ORRERY_LOG_LEVEL = 'silent';
  const home = mkdtempSync(join(tmpdir(), 'orrery-bench-runs-'));
  const platform = await startLocalPlatform({ home, port: 0, env: { ...process.env, ORRERY_LOG_LEVEL: 'silent' } });
  const api = async <T>(method: string, path: string, token: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${platform.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return (await res.json()) as T;
  };
  try {
    platform.users.upsert('bench', { teams: ['bench'] });
    const token = await platform.users.tokenFor('bench');
    const created = await api<{ notebook: { id: string } }>('POST', '/notebooks', token, {
      title: 'bench',
      content: NOTEBOOK,
    });
    const notebookId = created.notebook.id;
    const file = join(home, 'bench.ipynb');
    writeFileSync(file, NOTEBOOK);
    console.log(
      `machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}; ${RUNS} runs each, interleaved; ${WARM.size} warm runner(s) per kernelspec`,
    );
    const platformMs: number[] = [];
    const nbconvertMs: number[] = [];
    const transitions: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      await poolFull(platform);
      let start = performance.now();
      const run = await api<{ id: string }>('POST', `/notebooks/${notebookId}/runs`, token, {
        parameters: { big: i, text: `run ${i}` },
      });
      for (;;) {
        const now = await api<{ status: string; error?: unknown }>('GET', `/runs/${run.id}`, token);
        if (['COMPLETED', 'FAILED', 'STOPPED'].includes(now.status)) {
          if (now.status !== 'COMPLETED')
            throw new Error(`run ${run.id} ended ${now.status}: ${JSON.stringify(now.error)}`);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      platformMs.push(performance.now() - start);
      await platform.workflows.idle();
      transitions.push(platform.workflows.transitions.get(run.id) ?? NaN);
      await poolFull(platform);
      start = performance.now();
      const code = await new Promise<number | null>((done) =>
        spawn(
          PYTHON,
          ['-m', 'nbconvert', '--to', 'notebook', '--execute', file, '--output', join(home, `out-${i}.ipynb`)],
          { stdio: 'ignore' },
        ).once('close', done),
      );
      if (code !== 0) throw new Error(`nbconvert exited with ${code}`);
      nbconvertMs.push(performance.now() - start);
    }
    const p = median(platformMs);
    const n = median(nbconvertMs);
    console.log(
      `platform (POST → COMPLETED): median ${p.toFixed(0)} ms   [${platformMs.map((x) => x.toFixed(0)).join(', ')}]`,
    );
    console.log(
      `nbconvert --execute:         median ${n.toFixed(0)} ms   [${nbconvertMs.map((x) => x.toFixed(0)).join(', ')}]`,
    );
    const goal = WARM.size > 0 ? '0.5 or less, warm' : 'under 1.15, cold';
    console.log(`ratio platform / nbconvert:  ${(p / n).toFixed(3)}   (goal: ${goal})`);
    console.log(`state transitions per run:   ${[...new Set(transitions)].join(', ')} (states entered, success path)`);
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await platform.close();
    rmSync(home, { recursive: true, force: true });
  }
};

await main();
