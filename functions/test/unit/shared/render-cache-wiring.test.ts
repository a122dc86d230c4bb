import { describe, expect, it } from 'vitest';
import { S3RenderCache } from '../../../src/adapters/aws/s3-render-cache.ts';
import { makeFoliumCloudDeps, makeRunCloudDeps, rendererNotWired } from '../../../src/shared/cloud-composition.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import { makePlatformDeps } from '../../../src/shared/container.ts';
import { RecordingWorkflows, ScriptedCompute } from '../../support/fakes.ts';

const ENV = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', AWS_REGION: 'eu-west-1', ORRERY_CURSOR_SECRET: 'c'.repeat(48) };

describe('the render cache and the output cap in the composition', () => {
  it('keeps pages in S3 for the notebooks and runs functions and for local mode', () => {
    // Prepare
    const config = loadConfig(ENV);
    const renderer = rendererNotWired('test');

    // Act
    const caches = [
      makeFoliumCloudDeps(config, renderer).renderCache,
      makeRunCloudDeps(config, new RecordingWorkflows(), renderer).renderCache,
      makePlatformDeps(config, { workflows: new RecordingWorkflows(), compute: new ScriptedCompute() }).renderCache,
    ];

    // Assess
    for (const cache of caches) expect(cache).toBeInstanceOf(S3RenderCache);
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
