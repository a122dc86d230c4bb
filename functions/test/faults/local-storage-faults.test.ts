import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';
import { acknowledged, send, sendUpload, sha256 } from './support/client.ts';
import { DynaliteFaults } from './support/emulator-faults.ts';
import { bigNotebook, uniqueNotebook } from './support/fault-notebooks.ts';
import { processesOfHome, waitGone } from './support/processes.ts';

/**
 * The seeded fault suite's findings about local mode's own storage, each struck on purpose here so
 * it fails (or passes) the same way every time: a body rewritten in place under its readers, upload
 * URLs that die with a restart, and a platform that cannot stop once its dynalite has died.
 */

const homes: string[] = [];
const newHome = () => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-storage-faults-'));
  homes.push(home);
  return home;
};
const open: TestPlatform[] = [];
const start = async (home: string) => {
  const t = await startTestPlatform(home);
  open.push(t);
  return t;
};

afterAll(async () => {
  for (const t of open) await t.close(true).catch(() => undefined);
  for (const home of homes) rmSync(home, { recursive: true, force: true });
}, 60_000);

describe('local storage under faults', () => {
  it("serves a version's exact bytes to every reader while the same bytes are committed again", async () => {
    // Prepare
    const t = await start(newHome());
    const big = bigNotebook(1500);
    const created = await t.api('POST', '/notebooks', t.tokens.alice, { title: 'big', content: big });
    const url = (await t.api('GET', `/notebooks/${created.body.notebook.id}/versions/1`, t.tokens.alice)).body.download
      .url;
    let committing = true;
    const seen: string[] = [];
    const reader = (async () => {
      while (committing) {
        const got = await send(url);
        if (got.status !== 200) seen.push(`failed: ${got.error ?? got.status}`);
        else seen.push(sha256(got.text) === created.body.version.sha256 ? 'whole' : `${got.text.length} other bytes`);
      }
    })();
    // Act
    for (let i = 0; i < 5; i += 1)
      await t.api('POST', `/notebooks/${created.body.notebook.id}/versions`, t.tokens.alice, { content: big });
    committing = false;
    await reader;
    // Assess
    expect(seen.filter((s) => s !== 'whole')).toEqual([]);
  }, 90_000);

  it('keeps an upload URL it handed out working across a restart, until the URL expires', async () => {
    // Prepare
    const home = newHome();
    const first = await start(home);
    const created = await first.api('POST', '/notebooks', first.tokens.alice, { title: 'upload across a restart' });
    await first.close(true);
    const second = await start(home);
    const text = uniqueNotebook('restart');
    // Act
    const put = await sendUpload(created.body.upload, text);
    const named = { uploadId: created.body.upload.uploadId, sha256: sha256(text) };
    const commit = await second.api(
      'POST',
      `/notebooks/${created.body.notebook.id}/versions`,
      second.tokens.alice,
      named,
    );
    // Assess
    expect(Date.parse(created.body.upload.expiresAt)).toBeGreaterThan(Date.now());
    expect(acknowledged(put), `${put.status} ${put.error ?? ''}`).toBe(true);
    expect(commit.status, commit.text).toBe(201);
  }, 90_000);

  it('stops cleanly after its dynalite died, and leaves no process behind', async () => {
    // Prepare
    const home = newHome();
    const t = await start(home);
    await new DynaliteFaults(join(home, 'dynamodb'), 0).kill();
    // Some time passes between the crash and the stop (the platform has noticed its child is gone).
    await new Promise((r) => setTimeout(r, 1000));
    // Act
    const closing = await t.close(true).then(
      () => 'closed',
      (err: Error) => err.message,
    );
    const left = await waitGone(
      processesOfHome(home).map((p) => p.pid),
      10_000,
    );
    // Assess
    expect(closing).toBe('closed');
    expect(left).toEqual([]);
  }, 60_000);
});
