import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/config.ts';
import { configurationReference, unknownVariables } from '../../../src/config/reference.ts';

const BASE = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b' };

describe('the configuration reference', () => {
  it('gives every variable of the schema a description, its modes and a default or none', () => {
    // Prepare
    const reference = configurationReference();

    // Act
    const undescribed = reference.filter((e) => e.description.length < 10 || e.modes.length === 0);
    const byName = new Map(reference.map((e) => [e.name, e]));

    // Assess
    expect(undescribed).toEqual([]);
    expect(reference.length).toBe(byName.size);
    const interval = byName.get('ORRERY_ACTIVITY_INTERVAL');
    expect(interval).toMatchObject({ modes: ['local'], defaultValue: '`60`', required: false });
    const table = byName.get('ORRERY_TABLE');
    expect(table).toMatchObject({ modes: ['cloud', 'local'], required: true, setLocally: expect.any(String) });
    expect(byName.get('ORRERY_INLINE_MAX_BYTES')?.defaultValue).toBe('`4194304` (4 MiB)');
  });

  it('covers what the cloud deploy sets and the local settings that went undocumented', () => {
    // Prepare
    const names = configurationReference().map((e) => e.name);

    // Act
    const wanted = [
      'ORRERY_REPORTER_IMAGE',
      'ORRERY_LAUNCH_POLL_MS',
      'ORRERY_WEB_DIST',
      'ORRERY_SLACK_WEBHOOK_SECRET_NAME',
      'ORRERY_CURSOR_SECRET_ARN',
      'PORT',
      'ORRERY_HOME',
      'ORRERY_PYTHON',
      'ORRERY_KERNEL_ENV',
      'ORRERY_CULL_SCHEDULE',
      'ORRERY_LOG_LEVEL',
    ];

    // Assess
    expect(wanted.filter((name) => !names.includes(name))).toEqual([]);
  });

  it('says where each cloud-only variable comes from in the deploy', () => {
    // Prepare
    const reference = configurationReference();

    // Act
    const cloudOnly = reference.filter((e) => e.modes.length === 1 && e.modes[0] === 'cloud');
    const unexplained = cloudOnly.filter((e) => !e.deploy && e.name !== 'ORRERY_UNSCHEDULABLE_SECONDS');

    // Assess
    expect(cloudOnly.length).toBeGreaterThan(10);
    expect(unexplained.map((e) => e.name)).toEqual([]);
  });
});

describe('unknownVariables', () => {
  it('names an ORRERY_ variable nothing reads, with the setting it was probably meant to be', () => {
    // Prepare
    const env = { ORRERY_ACTIVTY_INTERVAL: '30', ORRERY_SEVRER_LIMIT: '5', ORRERY_FOO: 'x', PATH: '/usr/bin' };

    // Act
    const unknown = unknownVariables(env);

    // Assess
    expect(unknown).toEqual([
      { name: 'ORRERY_ACTIVTY_INTERVAL', meant: 'ORRERY_ACTIVITY_INTERVAL' },
      { name: 'ORRERY_SEVRER_LIMIT', meant: 'ORRERY_SERVER_LIMIT' },
      { name: 'ORRERY_FOO' },
    ]);
  });

  it('passes every known setting and the variables tools read', () => {
    // Prepare
    const env = { ...BASE, ORRERY_HOME: '/tmp/x', ORRERY_PYTHON: 'python3' };
    const tools = { ORRERY_INFRA_CONFIG: 'x.json', ORRERY_FAULT_SEED: '7' };

    // Act
    const unknown = unknownVariables({ ...env, ...tools });

    // Assess
    expect(unknown).toEqual([]);
  });
});

describe('ORRERY_LOG_LEVEL', () => {
  it('becomes the level the entry hands to logging and metrics, info by default, and refuses a level not known', () => {
    // Prepare
    const quiet = { ...BASE, ORRERY_LOG_LEVEL: 'silent' };

    // Act
    const byDefault = loadConfig(BASE).observability;
    const silent = loadConfig(quiet).observability;

    // Assess
    expect(byDefault).toEqual({ logLevel: 'info' });
    expect(silent).toEqual({ logLevel: 'silent' });
    expect(() => loadConfig({ ...BASE, ORRERY_LOG_LEVEL: 'verbose' })).toThrow(
      'ORRERY_LOG_LEVEL: one of debug, info, warn, error, silent (got "verbose")',
    );
  });
});
