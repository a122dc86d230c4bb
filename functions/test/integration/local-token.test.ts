import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callApi, startTestPlatform } from '../support/platform.ts';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const token = (home: string, args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/local/token.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ORRERY_HOME: home },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('npm run token', () => {
  it('refuses a folder the platform never made, naming it and the fix, and leaves it as it was', () => {
    // Prepare
    const parent = mkdtempSync(join(tmpdir(), 'orrery-token-'));
    const elsewhere = join(parent, 'not-a-data-folder');
    try {
      // Act
      const run = token(elsewhere, ['alice', '--team', 'ads']);
      // Assess
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(`no token made: ${elsewhere} (from ORRERY_HOME) is not a data folder Orrery made`);
      expect(run.stderr).toContain('Set ORRERY_HOME to the folder `npm start` printed after "Data:"');
      expect(existsSync(elsewhere)).toBe(false);
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('says which data folder it uses, and the platform on that folder accepts its token', async () => {
    // Prepare
    const t = await startTestPlatform();
    try {
      // Act
      const run = token(t.home, ['carol', '--team', 'ml']);
      // Assess
      expect(run.status).toBe(0);
      expect(run.stderr).toContain(`orrery: data folder ${t.home}`);
      const me = await callApi(t.platform.apiUrl, 'GET', '/me', run.stdout.trim());
      expect(me.body).toMatchObject({ id: 'carol', teams: ['ml'] });
    } finally {
      await t.close();
    }
  });
});
