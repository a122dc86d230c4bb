import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../../src/domain/errors.ts';
import { loadConfig } from '../../../src/config/config.ts';
import { makeCloudCompute } from '../../../src/composition/cloud-compute.ts';
import { makeCloudWorkflows } from '../../../src/composition/cloud-workflows.ts';

const BASE = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', ORRERY_CURSOR_SECRET: 'x'.repeat(32) };
const EKS = {
  ORRERY_EKS_CLUSTER: 'data',
  ORRERY_EKS_ENDPOINT: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
  ORRERY_SERVER_PUBLIC_URL: 'https://notebooks.example.com',
  ORRERY_PUBLIC_API_URL: 'https://api.example.com',
};

describe('configuration of servers', () => {
  it('reads the server limits, launch and cull timings, with defaults for what is not set', () => {
    // Act
    const c = loadConfig({ ...BASE, ORRERY_SERVER_LIMIT: '5', ORRERY_CULL_WARN_SECONDS: '600' });
    // Assess
    expect(c.serverSettings).toMatchObject({
      limitPerUser: 5,
      launch: { timeoutSeconds: 300, unschedulableSeconds: 180 },
      cull: { warnBeforeSeconds: 600, heartbeatSeconds: 1800 },
      progressWaitMs: 10_000,
    });
    expect(c.profiles.map((p) => p.slug)).toEqual(['cpu-small', 'cpu-large-spot', 'gpu-t4', 'pyspark']);
  });

  it('reads the cull breaker share (default 0.2) and refuses one outside 0 to 1', () => {
    // Act
    const defaults = loadConfig(BASE);
    const half = loadConfig({ ...BASE, ORRERY_CULL_BREAKER_SHARE: '0.5' });
    // Assess
    expect(defaults.serverSettings.cull.breakerShare).toBe(0.2);
    expect(half.serverSettings.cull.breakerShare).toBe(0.5);
    expect(() => loadConfig({ ...BASE, ORRERY_CULL_BREAKER_SHARE: '20' })).toThrow(
      /ORRERY_CULL_BREAKER_SHARE: use a share from 0 to 1/,
    );
  });

  it('stops start-up with where and what when the profile registry is wrong', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'orrery-config-'));
    writeFileSync(join(dir, 'p.yaml'), '- slug: Bad Slug\n  displayName: x\n');
    // Act / Assess
    expect(() => loadConfig({ ...BASE, ORRERY_PROFILES_FILE: join(dir, 'p.yaml') })).toThrow(
      /p\.yaml: 0\.slug: a slug/,
    );
    expect(() => loadConfig({ ...BASE, ORRERY_PROFILES: '[]' })).toThrow(/ORRERY_PROFILES: .*at least one profile/);
    expect(() => loadConfig({ ...BASE, ORRERY_SERVER_LIMIT: '0' })).toThrow(/ORRERY_SERVER_LIMIT/);
  });

  it('answers every server call with a 503 that says what to set when no cluster is configured', async () => {
    // Prepare
    const compute = makeCloudCompute(loadConfig({ ...BASE, ORRERY_EKS_CLUSTER: 'data' }));
    // Act
    const err = await compute.putToken('jupyter-a--b-12345678', 'osv1.x', 'osc1.x').catch((e: unknown) => e);
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/ORRERY_EKS_ENDPOINT.*ORRERY_PUBLIC_API_URL/);
  });

  it('puts servers on EKS when the cluster, its endpoint and the public URLs are set, and needs the launch state machine', async () => {
    // Prepare
    const config = loadConfig({ ...BASE, ...EKS, ORRERY_EKS_ENDPOINT: 'https://127.0.0.1:1' });
    const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
    // Act
    const err = await makeCloudCompute(config)
      .observe('jupyter-a--b-12345678')
      .catch((e: unknown) => e);
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret });
    if (keys.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    if (keys.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    // Assess: the Kubernetes compute (loaded on first use) tried the cluster's API server.
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as Error).message).toMatch(/^Kubernetes API: read Pod jupyter-a--b-12345678 failed/);
    expect(() =>
      makeCloudWorkflows(
        loadConfig({ ...BASE, ORRERY_RUN_STATE_MACHINE_ARN: 'a', ORRERY_STOP_RUN_STATE_MACHINE_ARN: 'b' }),
      ),
    ).toThrow(/ORRERY_LAUNCH_SERVER_STATE_MACHINE_ARN/);
  });
});

describe('configuration of identity claims', () => {
  it('reads a dedicated admin claim, alone or with the value that makes admins', () => {
    // Prepare
    // Act
    const byFlag = loadConfig({ ...BASE, ORRERY_ADMIN_CLAIM: 'orrery_admin' }).claimNames;
    const byRole = loadConfig({ ...BASE, ORRERY_ADMIN_CLAIM: 'roles=Orrery.Admin', ORRERY_ADMIN_GROUP: '' }).claimNames;

    // Assess
    expect(byFlag).toMatchObject({ adminGroup: 'orrery-admins', adminClaim: { name: 'orrery_admin' } });
    expect(byRole).toMatchObject({ adminGroup: '', adminClaim: { name: 'roles', value: 'Orrery.Admin' } });
  });

  it('stops start-up on an admin group that no usable group name could equal', () => {
    // Prepare
    // Act
    const load = (group: string) => () => loadConfig({ ...BASE, ORRERY_ADMIN_GROUP: group });

    // Assess
    expect(load('Reporting, orrery-admins')).toThrow(/ORRERY_ADMIN_GROUP: a group name without spaces or commas/);
    expect(load('Data Science')).toThrow(/ORRERY_ADMIN_GROUP/);
  });
});
