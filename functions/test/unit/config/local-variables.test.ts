import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readLocalSettings } from '../../../src/config/local-variables.ts';
import { startLocalPlatform } from '../../../src/handlers/local/local-platform.ts';
import { configureObservability } from '../../../src/observability/settings.ts';
import { thrownMessage } from '../../support/rejection.ts';

describe("local mode's own settings", () => {
  it('take the defaults when nothing is set, with the data folder and portal in the checkout', () => {
    // Prepare
    const checkout = resolve(import.meta.dirname, '..', '..', '..', '..');

    // Act
    const settings = readLocalSettings({});

    // Assess
    expect(settings).toEqual({
      port: 8080,
      home: join(checkout, '.orrery'),
      python: '/usr/bin/python3',
      kernelVariables: [],
      activityIntervalSeconds: 60,
      cullSchedule: '*/2 * * * *',
      launchPollMs: 250,
      webDist: join(checkout, 'web', 'dist'),
      warmRunners: { size: 2, kernels: ['python3'] },
      warmServers: 3,
    });
  });

  it('read what is set: a fractional interval, a kernel variable list, a relative data folder made absolute', () => {
    // Prepare
    const env = {
      PORT: '0',
      ORRERY_HOME: 'data/orrery',
      ORRERY_ACTIVITY_INTERVAL: '0.5',
      ORRERY_KERNEL_ENV: ' HTTPS_PROXY, NO_PROXY,,',
      ORRERY_CULL_SCHEDULE: '*/10 * * * * *',
      ORRERY_LAUNCH_POLL_MS: '200',
      ORRERY_WARM_RUNNERS: '0',
      ORRERY_WARM_SERVERS: '0',
      ORRERY_WARM_KERNELS: 'Python3, ir,python3',
    };

    // Act
    const settings = readLocalSettings(env);

    // Assess
    expect(settings).toMatchObject({
      port: 0,
      home: resolve('data/orrery'),
      activityIntervalSeconds: 0.5,
      kernelVariables: ['HTTPS_PROXY', 'NO_PROXY'],
      cullSchedule: '*/10 * * * * *',
      launchPollMs: 200,
      warmRunners: { size: 0, kernels: ['python3', 'ir'] },
      warmServers: 0,
    });
  });

  it.each([
    ['ORRERY_ACTIVITY_INTERVAL', '6o', /ORRERY_ACTIVITY_INTERVAL: a number of seconds from 0\.1 to 3600 \(got "6o"\)/],
    ['ORRERY_LAUNCH_POLL_MS', '250ms', /ORRERY_LAUNCH_POLL_MS: a whole number from 1 to 60000 \(got "250ms"\)/],
    ['PORT', '80a', /PORT: a whole number from 0 to 65535 \(got "80a"\)/],
    ['PORT', '70000', /PORT: a whole number from 0 to 65535 \(got "70000"\)/],
    ['ORRERY_WARM_RUNNERS', '-1', /ORRERY_WARM_RUNNERS: a whole number from 0 to 16 \(got "-1"\)/],
    ['ORRERY_WARM_KERNELS', 'python3 ir', /ORRERY_WARM_KERNELS: not a kernelspec name: python3 ir \(use commas\)/],
  ])('refuse %s=%s, naming the variable, what it should be and the value given', (name, value, expected) => {
    // Prepare
    const env = { [name]: value };

    // Act
    const message = thrownMessage(() => readLocalSettings(env));

    // Assess
    expect(message).toMatch(/^configuration: /);
    expect(message).toMatch(expected);
  });

  it('refuse a kernel variable list written with spaces and a cron pattern croner cannot read', () => {
    // Prepare
    const env = { ORRERY_KERNEL_ENV: 'HTTPS_PROXY NO_PROXY', ORRERY_CULL_SCHEDULE: 'every 2 minutes' };

    // Act
    const message = thrownMessage(() => readLocalSettings(env));

    // Assess
    expect(message).toContain("ORRERY_KERNEL_ENV: not a variable name: 'HTTPS_PROXY NO_PROXY' (use commas)");
    expect(message).toContain('ORRERY_CULL_SCHEDULE: a cron pattern in croner syntax');
  });
});

describe('local mode with a typo in a numeric setting', () => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-typo-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it.each([
    ['ORRERY_ACTIVITY_INTERVAL', '6o', 'a number of seconds from 0.1 to 3600'],
    ['ORRERY_SERVER_LIMIT', 'three', 'a whole number from 1 to 100'],
  ])(
    'does not start with %s=%s: it names the variable before any emulator or data file is made',
    async (name, value, what) => {
      // Prepare
      const env = { ORRERY_LOG_LEVEL: 'silent', [name]: value };

      // Act
      const outcome = await startLocalPlatform({ home, port: 0, env }).then(
        async (platform) => {
          await platform.close();
          return 'started';
        },
        (err: Error) => err.message,
      );

      // Assess
      expect(outcome).toBe(`configuration: ${name}: ${what} (got "${value}")`);
      expect(readdirSync(home)).toEqual([]);
    },
    60_000,
  );

  it('starts with a misspelt ORRERY_ name, and logs which setting it probably meant', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'orrery-misspelt-'));
    const env = { ORRERY_LOG_LEVEL: 'warn', ORRERY_ACTIVTY_INTERVAL: '30', ORRERY_WEB_DIST: join(dir, 'no-portal') };
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);

    // Act
    const platform = await startLocalPlatform({ home: join(dir, 'home'), port: 0, env });
    await platform.close();
    const lines = err.mock.calls.map((c) => String(c[0]));
    configureObservability({ logLevel: 'silent' });
    err.mockRestore();
    rmSync(dir, { recursive: true, force: true });

    // Assess
    const warning = 'ORRERY_ACTIVTY_INTERVAL is not a setting Orrery reads: did you mean ORRERY_ACTIVITY_INTERVAL?';
    expect(lines.some((line) => line.includes(warning))).toBe(true);
    expect(platform.settings.activityIntervalSeconds).toBe(60);
  }, 60_000);

  it('stops `npm start` with the variable named and exit code 2, before it listens', () => {
    // Prepare
    const root = resolve(import.meta.dirname, '..', '..', '..', '..');
    const env = { ...process.env, PORT: '80a', ORRERY_HOME: home };

    // Act
    const args = ['--import', 'tsx', 'scripts/local/start.ts'];
    const run = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 30_000 });

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('orrery: configuration: PORT: a whole number from 0 to 65535 (got "80a")');
    expect(run.stdout).not.toContain('Orrery is running');
    expect(readdirSync(home)).toEqual([]);
  }, 60_000);
});
