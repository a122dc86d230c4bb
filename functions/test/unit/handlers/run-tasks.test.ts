import { describe, expect, it } from 'vitest';
import { makeRunTasks, runEndMetrics } from '../../../src/handlers/tasks/run-tasks.ts';
import type { MetricDimensions, MetricUnit } from '../../../src/observability/metrics.ts';
import { createNotebook } from '../../../src/use-cases/create-notebook.ts';
import { startRun } from '../../../src/use-cases/start-run.ts';
import { memoryRunDeps, people } from '../../support/fakes.ts';
import { fixture } from '../../support/notebooks.ts';

type Emitted = {
  dimensions: MetricDimensions;
  values: Record<string, number>;
  units?: Partial<Record<string, MetricUnit>>;
};
const recorder = () => {
  const emitted: Emitted[] = [];
  return {
    emitted,
    emit: (dimensions: MetricDimensions, values: Record<string, number>, units?: Partial<Record<string, MetricUnit>>) =>
      void emitted.push({ dimensions, values, units }),
  };
};
const outputWith = (status: string, duration: number) =>
  new TextEncoder().encode(
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { orrery: { status, reason: null, error: null }, papermill: { duration } },
      cells: [],
    }),
  );

const startedRun = async (deps: ReturnType<typeof memoryRunDeps>) => {
  const notebookId = (
    await createNotebook(deps, { user: people.alice, title: 'Report', content: fixture('parameters-basic.ipynb') })
  ).notebook.id;
  return startRun(deps, { user: people.alice, notebookId });
};

describe('the run tasks’ metrics', () => {
  it('counts a run as started once prepared, and when it ends counts it by status with its duration in seconds', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const { emitted, emit } = recorder();
    const tasks = makeRunTasks(deps, emit);
    const run = await startedRun(deps);

    // Act
    await tasks.prepare({ runId: run.id });
    await tasks.markStarted({ runId: run.id });
    await deps.runFiles.put(run.outputKey, outputWith('COMPLETED', 42.5));
    const ended = await tasks.finalize({ runId: run.id });

    // Assess
    expect(ended).toEqual({ status: 'COMPLETED' });
    expect(emitted).toEqual([
      { dimensions: {}, values: { RunsStarted: 1 }, units: undefined },
      { dimensions: {}, values: { RunsCompleted: 1, RunDuration: 42.5 }, units: { RunDuration: 'Seconds' } },
    ]);
  });

  it('counts a failed run as RunsFailed', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const { emitted, emit } = recorder();
    const run = await startedRun(deps);

    // Act
    await makeRunTasks(deps, emit).finalize({
      runId: run.id,
      failure: { Error: 'RunnerFailedError', Cause: '{"errorMessage":"boom"}' },
    });

    // Assess
    expect(emitted.map((e) => Object.keys(e.values))).toEqual([['RunsFailed']]);
  });

  it('emits nothing without a metrics writer, as in local mode', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const run = await startedRun(deps);

    // Act / Assess (no writer: nothing to record, and nothing thrown)
    await expect(makeRunTasks(deps).finalize({ runId: run.id })).resolves.toEqual({ status: 'FAILED' });
  });
});

describe('the prepare task’s runner Job', () => {
  it('hands the runner its URLs in the environment and the configured output caps on its command line', async () => {
    // Prepare
    const deps = memoryRunDeps();
    deps.runSettings = { ...deps.runSettings, output: { maxOutputBytes: 2048, maxNotebookOutputBytes: 8192 } };
    const run = await startedRun(deps);
    // Act
    const { job, outputUrl } = await makeRunTasks(deps).prepare({ runId: run.id });
    // Assess
    const container = job.spec.template.spec.containers[0]!;
    expect(container.env).toEqual([
      { name: 'ORRERY_INPUT_URL', value: expect.stringContaining(run.inputKey) },
      { name: 'ORRERY_OUTPUT_URL', value: outputUrl },
    ]);
    expect(container.args).toEqual([
      '--non-dumpable',
      '--timeout',
      '3600',
      '--max-output-bytes',
      '2048',
      '--max-notebook-output-bytes',
      '8192',
    ]);
  });

  it('places a run on the spot profile on spot nodes with the spot toleration, in the profile’s image', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const runnerImage = 'registry.example/orrery/notebook-runner:7';
    deps.runSettings = { ...deps.runSettings, runner: { ...deps.runSettings.runner, image: runnerImage } };
    const content = fixture('parameters-basic.ipynb');
    const { notebook } = await createNotebook(deps, { user: people.alice, title: 'Big', content });
    const run = await startRun(deps, { user: people.alice, notebookId: notebook.id, profile: 'cpu-large-spot' });

    // Act
    const { job } = await makeRunTasks(deps).prepare({ runId: run.id });

    // Assess
    const pod = job.spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'orrery.dev/pool': 'cpu-spot' });
    expect(pod.tolerations).toEqual([{ key: 'orrery.dev/spot', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.containers.map((c) => c.image)).toEqual(['quay.io/jupyter/scipy-notebook:2025-06-30']);
    expect(pod.initContainers.map((c) => c.image)).toEqual([runnerImage]);
    expect(pod.containers[0]?.resources).toEqual({
      requests: { cpu: '4', memory: '16Gi' },
      limits: { memory: '16Gi' },
    });
  });

  it('ends FAILED, launching nothing, a run whose profile was removed, naming the profiles left', async () => {
    // Prepare
    const deps = memoryRunDeps();
    const content = fixture('parameters-basic.ipynb');
    const { notebook } = await createNotebook(deps, { user: people.alice, title: 'GPU', content });
    const run = await startRun(deps, { user: people.alice, notebookId: notebook.id, profile: 'gpu-t4' });
    deps.profiles = deps.profiles.filter((p) => p.slug !== 'gpu-t4');
    const tasks = makeRunTasks(deps);

    // Act
    const refused = await tasks.prepare({ runId: run.id }).catch((err: Error) => err);
    const { name, message } = refused as Error;
    const failure = { Error: name, Cause: JSON.stringify({ errorMessage: message }) };
    const ended = await tasks.finalize({ runId: run.id, failure });

    // Assess
    expect(refused).toMatchObject({ name: 'NotFoundError' });
    expect(ended).toEqual({ status: 'FAILED' });
    expect((await deps.runs.getRun(run.id))?.error?.reason).toBe(
      "the run's profile 'gpu-t4' is no longer in the profile registry (removed since the run was started), " +
        'so it was not launched; rerun it with one that exists (profiles open to everyone: cpu-small, ' +
        'cpu-large-spot, pyspark; GET /profiles lists those your teams may use)',
    );
    expect(await deps.runFiles.get(run.inputKey)).toBeNull();
  });
});

describe('runEndMetrics', () => {
  it('leaves the duration out when the run has none, and counts nothing for a run still open', () => {
    // Act / Assess
    expect(runEndMetrics({ status: 'STOPPED', durationSeconds: null })).toEqual({ RunsStopped: 1 });
    expect(runEndMetrics({ status: 'IN_PROGRESS', durationSeconds: 3 })).toEqual({});
  });
});
