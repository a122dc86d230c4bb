import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNotebook } from '../../../src/domain/nbformat.ts';
import type { NotebookRenderer } from '../../../src/ports/notebook-renderer.ts';
import { makeAdminCloudDeps, makeFoliumCloudDeps, makeRunCloudDeps, rendererNotWired } from '../../../src/shared/cloud-composition.ts';
import { lazyNotebookRenderer, makeCloudRenderer } from '../../../src/shared/cloud-renderer.ts';
import { loadConfig } from '../../../src/shared/config.ts';
import { RecordingWorkflows } from '../../support/fakes.ts';

const NOTEBOOK = parseNotebook(readFileSync(new URL('../../fixtures/parameters-basic.ipynb', import.meta.url), 'utf8')).notebook;
const CONFIG = loadConfig({ ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', AWS_REGION: 'eu-west-1', ORRERY_CURSOR_SECRET: 'c'.repeat(48) });

/** A loader that fails its first `failures` calls, then gives a renderer that echoes the title; counts its calls. */
const flakyLoader = (failures: number) => {
  const calls = { count: 0 };
  const load = async (): Promise<NotebookRenderer> => {
    calls.count += 1;
    if (calls.count <= failures) throw new Error('chunk not found');
    return { render: async (_notebook, options) => `<title>${options.title}</title>` };
  };
  return { load, calls };
};

describe('lazyNotebookRenderer', () => {
  it('loads the renderer once, on the first render, and reuses it', async () => {
    // Prepare
    const { load, calls } = flakyLoader(0);
    const renderer = lazyNotebookRenderer(load);
    const before = calls.count;

    // Act
    const pages = [await renderer.render(NOTEBOOK, { title: 'a' }), await renderer.render(NOTEBOOK, { title: 'b' })];

    // Assess
    expect(before).toBe(0);
    expect(pages).toEqual(['<title>a</title>', '<title>b</title>']);
    expect(calls.count).toBe(1);
  });

  it('tries the load again after a failed one instead of failing for the life of the container', async () => {
    // Prepare
    const { load, calls } = flakyLoader(1);
    const renderer = lazyNotebookRenderer(load);

    // Act
    const first = renderer.render(NOTEBOOK, { title: 'a' });
    await expect(first).rejects.toThrow('chunk not found');
    const second = await renderer.render(NOTEBOOK, { title: 'b' });

    // Assess
    expect(second).toBe('<title>b</title>');
    expect(calls.count).toBe(2);
  });
});

describe('the cloud renderer', () => {
  it('renders a notebook through the lazily imported Folium renderer for the notebooks and runs functions', async () => {
    // Prepare
    const renderers = [makeFoliumCloudDeps(CONFIG, makeCloudRenderer()).renderer, makeRunCloudDeps(CONFIG, new RecordingWorkflows(), makeCloudRenderer()).renderer];

    // Act
    const pages = await Promise.all(renderers.map((renderer) => renderer.render(NOTEBOOK, { title: 'Sales <Q3>' })));

    // Assess
    for (const page of pages) {
      expect(page).toMatch(/^<!doctype html>/i);
      expect(page).toContain('<title>Sales &lt;Q3&gt;</title>');
    }
  });
});

describe('rendererNotWired', () => {
  it('says which function rendered by mistake', async () => {
    // Prepare
    const renderer = rendererNotWired('the run workflow’s tasks');

    // Act
    const rendering = renderer.render(NOTEBOOK, { title: 'x' });

    // Assess
    await expect(rendering).rejects.toThrow('the run workflow’s tasks renders no notebooks; this call is a wiring mistake');
  });
});

describe('a function given no cursor secret', () => {
  it('starts without one, signs cursors only where it was given, and names the missing secret if a list is served anyway', () => {
    // Prepare (the CDK app gives ORRERY_CURSOR_SECRET_ARN only to the groups that serve lists)
    const env = { ORRERY_TABLE: 't', ORRERY_BUCKET: 'b', AWS_REGION: 'eu-west-1' };

    // Act
    const config = loadConfig(env);
    const without = makeAdminCloudDeps(config).cursors;
    const withSecret = makeAdminCloudDeps(CONFIG).cursors;

    // Assess
    expect(config.cursorSecret).toBeUndefined();
    expect(withSecret.decode('culls', withSecret.encode('culls', 'position'))).toBe('position');
    expect(() => without.encode('culls', 'position')).toThrow(/no cursor secret \(ORRERY_CURSOR_SECRET_ARN\).*wiring mistake/);
    expect(() => without.decode('culls', 'abc.def')).toThrow(/no cursor secret/);
  });
});
