import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { placeholdersOf, readAsl, STATEMACHINES_DIR, substitute } from '../../src/contracts/asl.ts';

const asl = (name: string) => JSON.parse(readAsl(name)) as { States: Record<string, Record<string, any>> };

describe('the state machine definitions', () => {
  it('use only JSONPath: no JSONata and no Assign, which the local runner ignores', () => {
    // Prepare
    const files = readdirSync(STATEMACHINES_DIR)
      .filter((f) => f.endsWith('.asl.json'))
      .sort();
    // Act
    const texts = files.map((file) => [file, readAsl(file.replace('.asl.json', ''))] as const);
    // Assess: the folder holds the three machines, so the check below cannot pass by reading nothing.
    const expected = ['launch-server.asl.json', 'run-notebook.asl.json', 'stop-run.asl.json'];
    expect(files).toEqual(expect.arrayContaining(expected));
    for (const [file, text] of texts) {
      expect(text, file).not.toMatch(/"QueryLanguage"\s*:\s*"JSONata"|"Assign"\s*:|\{%/);
    }
  });

  it('name exactly the placeholders the deployment and local mode fill in', () => {
    expect(placeholdersOf(readAsl('run-notebook'))).toEqual([
      'ClusterCertificateAuthority',
      'ClusterEndpoint',
      'ClusterName',
      'FinalizeRunFunctionArn',
      'MarkRunStartedFunctionArn',
      'PrepareRunFunctionArn',
      'RunnerNamespace',
    ]);
    expect(() => substitute(readAsl('run-notebook'), { ClusterName: 'x' })).toThrow(/ClusterEndpoint/);
  });

  it('send every failure of the run workflow to one place that records it, then cleans up', () => {
    const { States } = asl('run-notebook');
    for (const name of ['Prepare', 'MarkStarted', 'LaunchRunner', 'Finalize'])
      expect(States[name]!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Cleanup' }]);
    expect(States.Cleanup!.Next).toBe('RecordFailure');
    expect(States.RecordFailure!.Parameters.FunctionName).toBe(States.Finalize!.Parameters.FunctionName);
    expect(States.LaunchRunner!.Resource).toBe('arn:aws:states:::eks:runJob.sync');
  });

  it('ends the run even when recording it fails: a last step records the failure without reading the output', () => {
    // Prepare
    const { States } = asl('run-notebook');
    // Act
    const lastResort = States[States.RecordFailure!.Catch?.[0]?.Next];
    // Assess
    expect(States.RecordFailure!.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailure', Next: 'RecordFailureWithoutOutput' },
    ]);
    expect(lastResort).toMatchObject({
      Type: 'Task',
      Next: 'RunDidNotComplete',
      Parameters: {
        FunctionName: States.Finalize!.Parameters.FunctionName,
        Payload: { 'runId.$': '$.runId', 'failure.$': '$.failure', skipOutput: true },
      },
    });
    expect(lastResort!.Retry[0]).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 6 });
  });

  it('has no loop, so a run takes the same number of transitions however long it runs', () => {
    const { States } = asl('run-notebook');
    const edges = Object.entries(States).flatMap(([from, s]) =>
      [s.Next, ...(s.Catch ?? []).map((c: { Next: string }) => c.Next)]
        .filter(Boolean)
        .map((to) => [from, to as string]),
    );
    const reaches = (from: string, target: string, seen = new Set<string>()): boolean =>
      edges.some(([a, b]) => {
        if (a !== from) return false;
        if (b === target) return true;
        if (seen.has(b!)) return false;
        seen.add(b!);
        return reaches(b!, target, seen);
      });
    for (const name of Object.keys(States)) expect(reaches(name, name), name).toBe(false);
  });
});

describe('the launch-server state machine', () => {
  const { States } = asl('launch-server');

  it('names one task function for every step, so a deployment fills in a single ARN', () => {
    expect(placeholdersOf(readAsl('launch-server'))).toEqual(['ServerTasksFunctionArn']);
    const steps = Object.values(States)
      .filter((s) => s.Type === 'Task')
      .map((s) => s.Parameters.Payload.step);
    expect(steps.sort()).toEqual(['check', 'cleanUp', 'cleanUp', 'create', 'markRunning', 'recordFailure']);
  });

  it('cleans up and records the failure whenever creating, checking or marking the server fails', () => {
    for (const name of ['CreateResources', 'CheckLaunch', 'MarkRunning']) {
      expect(States[name]!.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'CleanUp' }]);
      // One Kubernetes API hiccup in a hundred polls must not fail a launch.
      expect(States[name]!.Retry.map((r: { ErrorEquals: string[] }) => r.ErrorEquals[0])).toContain('UpstreamError');
    }
    expect(States.CleanUp!.Next).toBe('RecordFailure');
    expect(States.CleanUp!.Catch[0].Next).toBe('RecordFailure');
    expect(States.RecordFailure!.Parameters.Payload['failure.$']).toBe('$.failure');
    expect(States[States.RecordFailure!.Next]!.Type).toBe('Fail');
  });

  it('waits between looks and leaves the loop only when Jupyter answers, the launch is cancelled, or a check fails', () => {
    expect(States.WaitForJupyter).toMatchObject({ Type: 'Wait', Next: 'CheckLaunch' });
    expect(States.Launched!.Default).toBe('WaitForJupyter');
    expect(
      States.Launched!.Choices.map((c: { StringEquals: string; Next: string }) => [c.StringEquals, c.Next]),
    ).toEqual([
      ['ready', 'MarkRunning'],
      ['cancelled', 'CleanUpCancelled'],
    ]);
    expect(States.Created!.Choices[0]).toMatchObject({ StringEquals: 'cancelled', Next: 'CleanUpCancelled' });
    expect(States.Running!.Choices[0]).toMatchObject({ StringEquals: 'cancelled', Next: 'CleanUpCancelled' });
  });
});
