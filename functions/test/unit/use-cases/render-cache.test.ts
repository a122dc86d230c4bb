import { describe, expect, it } from 'vitest';
import type { NotebookRenderer } from '../../../src/ports/notebook-renderer.ts';
import type { RenderCache } from '../../../src/ports/render-cache.ts';
import { commitVersion } from '../../../src/use-cases/commit-version.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { finalizeRun } from '../../../src/use-cases/finalize-run.ts';
import { markRunStarted } from '../../../src/use-cases/prepare-run.ts';
import { renderVersion } from '../../../src/use-cases/render-version.ts';
import type { FoliumDeps } from '../../../src/use-cases/folium-deps.ts';
import type { CredentialDeps } from '../../../src/use-cases/credential-deps.ts';
import type { RunDeps } from '../../../src/use-cases/run-deps.ts';
import { renderRunOutput } from '../../../src/use-cases/run-output.ts';
import { startRun } from '../../../src/use-cases/start-run.ts';
import { updateNotebook } from '../../../src/use-cases/update-notebook.ts';
import { memoryDeps, memoryRunDeps, people } from '../../support/fakes.ts';
import { tinyNotebook } from '../../support/notebooks.ts';

/** Wraps the deps' renderer so a test can count the notebooks it really rendered. */
const countRenders = <D extends { renderer: NotebookRenderer }>(deps: D): D & { renders: () => number } => {
  let renders = 0;
  const inner = deps.renderer;
  return Object.assign(deps, {
    renderer: {
      render: async (...args: Parameters<NotebookRenderer['render']>) => {
        renders += 1;
        return inner.render(...args);
      },
    },
    renders: () => renders,
  });
};

const brokenCache = (fail: { get?: boolean; put?: boolean }): RenderCache & { puts: number } => {
  const cache = {
    puts: 0,
    async get() {
      if (fail.get) throw new Error('S3 did not answer');
      return null;
    },
    async put() {
      cache.puts += 1;
      if (fail.put) throw new Error('AccessDenied');
    },
  };
  return cache;
};

const outputNotebook = (text: string) =>
  new TextEncoder().encode(
    tinyNotebook(text, { metadata: { orrery: { status: 'COMPLETED', reason: null, error: null } } }),
  );

describe('rendering a version through the cache', () => {
  it('renders a version once and serves the second view from the cache', async () => {
    // Prepare
    const deps = countRenders(memoryDeps());
    const { notebook } = await createNotebook(deps, {
      user: people.alice,
      title: 'Sales',
      content: tinyNotebook('first'),
    });

    // Act
    const first = await renderVersion(deps, { user: people.alice, notebookId: notebook.id });
    const second = await renderVersion(deps, { user: people.alice, notebookId: notebook.id, version: 1 });

    // Assess
    expect(second).toBe(first);
    expect(deps.renders()).toBe(1);
    expect(deps.renderCache.gets).toBe(2);
    expect([...deps.renderCache.pages.keys()]).toEqual([
      expect.stringMatching(/^v\d+\/versions\/[0-9a-f]{64}\/[0-9a-f]{64}\.html$/),
    ]);
  });

  it('renders anew when the content or the title changes, under a different key', async () => {
    // Prepare
    const deps = countRenders(memoryDeps());
    const { notebook } = await createNotebook(deps, {
      user: people.alice,
      title: 'Sales',
      content: tinyNotebook('first'),
    });
    await renderVersion(deps, { user: people.alice, notebookId: notebook.id });

    // Act
    await commitVersion(deps, { user: people.alice, notebookId: notebook.id, content: tinyNotebook('second') });
    const second = await renderVersion(deps, { user: people.alice, notebookId: notebook.id });
    await updateNotebook(deps, { user: people.alice, notebookId: notebook.id, patch: { title: 'Revenue' } });
    const renamed = await renderVersion(deps, { user: people.alice, notebookId: notebook.id, version: 2 });

    // Assess
    expect(second).toContain('second');
    expect(renamed).toContain('<title>Revenue · v2</title>');
    expect(deps.renders()).toBe(3);
    expect(new Set(deps.renderCache.pages.keys()).size).toBe(3);
  });

  it('still serves the view when the cache can neither be read nor written', async () => {
    // Prepare
    const deps = countRenders({ ...memoryDeps(), renderCache: brokenCache({ get: true, put: true }) });
    const { notebook } = await createNotebook(deps, {
      user: people.alice,
      title: 'Sales',
      content: tinyNotebook('kept'),
    });

    // Act
    const html = await renderVersion(deps, { user: people.alice, notebookId: notebook.id });

    // Assess
    expect(html).toContain('kept');
    expect(deps.renderCache.puts).toBe(1);
  });

  it('checks who may read before it looks in the cache', async () => {
    // Prepare
    const deps = memoryDeps();
    const { notebook } = await createNotebook(deps, {
      user: people.alice,
      title: 'Private',
      content: tinyNotebook('secret'),
    });
    await renderVersion(deps, { user: people.alice, notebookId: notebook.id });

    // Act
    const attempt = renderVersion(deps, { user: people.bob, notebookId: notebook.id });

    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('rendering a run output through the cache', () => {
  const finishedRun = async (deps: FoliumDeps & RunDeps & Pick<CredentialDeps, 'roles'>) => {
    const { notebook } = await createNotebook(deps, {
      user: people.alice,
      title: 'Sales',
      content: tinyNotebook('input'),
    });
    const run = await startRun(deps, { user: people.alice, notebookId: notebook.id });
    await markRunStarted(deps, { runId: run.id });
    await deps.runFiles.put(run.outputKey, outputNotebook('run one'));
    await finalizeRun(deps, { runId: run.id });
    return run;
  };

  it('renders an output once, serves the second view from the cache, and renders a replaced output anew', async () => {
    // Prepare
    const deps = countRenders(memoryRunDeps());
    const run = await finishedRun(deps);

    // Act
    const first = await renderRunOutput(deps, { user: people.alice, runId: run.id });
    const second = await renderRunOutput(deps, { user: people.alice, runId: run.id });
    await deps.runFiles.put(run.outputKey, outputNotebook('run two'));
    const replaced = await renderRunOutput(deps, { user: people.alice, runId: run.id });

    // Assess
    expect(second).toBe(first);
    expect(first).toContain('run one');
    expect(replaced).toContain('run two');
    expect(deps.renders()).toBe(2);
  });

  it('still serves the output when the cache cannot keep it', async () => {
    // Prepare
    const deps = countRenders({ ...memoryRunDeps(), renderCache: brokenCache({ put: true }) });
    const run = await finishedRun(deps);

    // Act
    const html = await renderRunOutput(deps, { user: people.alice, runId: run.id });

    // Assess
    expect(html).toContain('run one');
    expect(deps.renderCache.puts).toBe(1);
  });
});
