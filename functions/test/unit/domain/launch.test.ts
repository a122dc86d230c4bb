import { describe, expect, it } from 'vitest';
import {
  failedEvent,
  launchVerdict,
  nextProgressEvent,
  requestedEvent,
  type LaunchSettings,
  type ServerObservation,
} from '../../../src/domain/launch.ts';
import type { ProgressEvent } from '../../../src/domain/server.ts';

const SETTINGS: LaunchSettings = { timeoutSeconds: 300, unschedulableSeconds: 180 };
const AT = '2026-01-05T09:00:00.000Z';
const SCHEDULER = '0/3 nodes are available: 3 Insufficient nvidia.com/gpu.';

describe('launchVerdict', () => {
  it('is ready as soon as Jupyter answers, even past the timeout', () => {
    // Prepare
    const obs: ServerObservation = { state: 'ready', url: 'http://10.0.0.7:8888/user/alice/lab/' };
    // Act
    const early = launchVerdict(obs, 1, SETTINGS);
    const late = launchVerdict(obs, 10_000, SETTINGS);
    // Assess
    expect(early).toEqual({ outcome: 'ready', url: obs.url });
    expect(late).toEqual({ outcome: 'ready', url: obs.url });
  });

  it('fails with the backend’s reason when the pod failed', () => {
    // Prepare
    const obs: ServerObservation = { state: 'failed', reason: 'ErrImagePull: manifest unknown' };
    // Act
    const verdict = launchVerdict(obs, 5, SETTINGS);
    // Assess
    expect(verdict).toEqual({ outcome: 'fail', reason: 'ErrImagePull: manifest unknown' });
  });

  it('fails at once when the pod or process is gone', () => {
    // Prepare
    const obs: ServerObservation = { state: 'absent' };
    // Act
    const verdict = launchVerdict(obs, 0, SETTINGS);
    // Assess
    expect(verdict.outcome).toBe('fail');
  });

  it('waits for an unschedulable pod while an autoscaler may still add a node, then fails with the scheduler’s message', () => {
    // Prepare
    const obs: ServerObservation = { state: 'waiting', stage: 'requested', unschedulable: SCHEDULER };
    // Act
    const before = launchVerdict(obs, SETTINGS.unschedulableSeconds - 1, SETTINGS);
    const at = launchVerdict(obs, SETTINGS.unschedulableSeconds, SETTINGS);
    // Assess
    expect(before).toEqual({ outcome: 'wait' });
    expect(at.outcome).toBe('fail');
    expect((at as { reason: string }).reason).toContain(SCHEDULER);
  });

  it('waits for a scheduled pod until the timeout, then fails saying where it got to', () => {
    // Prepare
    const obs: ServerObservation = { state: 'waiting', stage: 'pulling', detail: 'quay.io/jupyter/scipy-notebook' };
    // Act
    const before = launchVerdict(obs, SETTINGS.timeoutSeconds - 1, SETTINGS);
    const at = launchVerdict(obs, SETTINGS.timeoutSeconds, SETTINGS);
    // Assess
    expect(before).toEqual({ outcome: 'wait' });
    expect(at.outcome).toBe('fail');
    expect((at as { reason: string }).reason).toContain('300 s');
    expect((at as { reason: string }).reason).toContain('pulling');
    expect((at as { reason: string }).reason).toContain('quay.io/jupyter/scipy-notebook');
  });

  it('names the scheduler’s message when the timeout comes before the unschedulable limit', () => {
    // Prepare
    const settings: LaunchSettings = { timeoutSeconds: 120, unschedulableSeconds: 600 };
    const obs: ServerObservation = { state: 'waiting', stage: 'requested', unschedulable: SCHEDULER };
    // Act
    const before = launchVerdict(obs, 119, settings);
    const at = launchVerdict(obs, 120, settings);
    // Assess
    expect(before).toEqual({ outcome: 'wait' });
    expect(at.outcome).toBe('fail');
    expect((at as { reason: string }).reason).toContain(SCHEDULER);
  });
});

describe('progress events', () => {
  it('starts every launch with event 1, requested', () => {
    // Prepare
    const at = AT;
    // Act
    const first = requestedEvent(at);
    // Assess
    expect(first).toEqual({ id: 1, at, progress: 10, message: 'Server requested' });
  });

  it('adds an event for a new stage, with the next id', () => {
    // Prepare
    const events = [requestedEvent(AT)];
    // Act
    const next = nextProgressEvent(events, { state: 'waiting', stage: 'scheduled' }, AT);
    // Assess
    expect(next).toEqual({ id: 2, at: AT, progress: 30, message: 'Pod scheduled' });
  });

  it('adds nothing for the same stage seen twice, or for a stage behind the last one', () => {
    // Prepare
    const events: ProgressEvent[] = [requestedEvent(AT), { id: 2, at: AT, progress: 50, message: 'Pulling the image' }];
    // Act
    const same = nextProgressEvent(events, { state: 'waiting', stage: 'pulling' }, AT);
    const behind = nextProgressEvent(events, { state: 'waiting', stage: 'scheduled' }, AT);
    const first = nextProgressEvent(events, { state: 'waiting', stage: 'requested' }, AT);
    // Assess
    expect([same, behind, first]).toEqual([null, null, null]);
  });

  it('adds nothing for a failed or vanished pod: the failure has its own event', () => {
    // Prepare
    const events = [requestedEvent(AT)];
    // Act
    const failed = nextProgressEvent(events, { state: 'failed', reason: 'boom' }, AT);
    const absent = nextProgressEvent(events, { state: 'absent' }, AT);
    // Assess
    expect([failed, absent]).toEqual([null, null]);
  });

  it('moves only forward through a noisy sequence of polls, ids counting up by one, and ends ready', () => {
    // Prepare
    const polls: ServerObservation[] = [
      { state: 'waiting', stage: 'requested' },
      { state: 'waiting', stage: 'requested', unschedulable: SCHEDULER },
      { state: 'waiting', stage: 'requested', unschedulable: SCHEDULER },
      { state: 'waiting', stage: 'scheduled' },
      { state: 'waiting', stage: 'requested' },
      { state: 'waiting', stage: 'pulling', detail: 'img' },
      { state: 'waiting', stage: 'pulling', detail: 'img' },
      { state: 'waiting', stage: 'scheduled' },
      { state: 'waiting', stage: 'started' },
      { state: 'waiting', stage: 'started' },
      { state: 'ready', url: 'http://x' },
      { state: 'ready', url: 'http://x' },
      { state: 'waiting', stage: 'started' },
    ];
    const events: ProgressEvent[] = [requestedEvent(AT)];
    // Act
    for (const obs of polls) {
      const e = nextProgressEvent(events, obs, AT);
      if (e) events.push(e);
    }
    // Assess
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.progress)).toEqual([10, 10, 30, 50, 75, 100]);
    expect(events[1]!.message).toContain(SCHEDULER);
    expect(events.at(-1)).toMatchObject({ progress: 100, ready: true });
    expect(events.slice(0, -1).some((e) => e.ready)).toBe(false);
  });

  it('ends a failed launch with one more event, marked failed and carrying the reason', () => {
    // Prepare
    const events: ProgressEvent[] = [requestedEvent(AT), { id: 2, at: AT, progress: 30, message: 'Pod scheduled' }];
    // Act
    const last = failedEvent(events, '2026-01-05T09:05:00.000Z', 'ErrImagePull');
    // Assess
    expect(last).toEqual({
      id: 3,
      at: '2026-01-05T09:05:00.000Z',
      progress: 100,
      message: 'Spawn failed: ErrImagePull',
      failed: true,
    });
    expect(failedEvent([], AT, 'x').id).toBe(1);
  });

  it('says what a backend without pods says it did, not the pod’s words, when it names that itself', () => {
    // Prepare
    const events: ProgressEvent[] = [requestedEvent(AT)];
    const local = { state: 'waiting', stage: 'started', message: 'Jupyter process started', detail: 'pid 7' } as const;
    // Act
    const said = nextProgressEvent(events, local, AT);
    const pod = nextProgressEvent(events, { state: 'waiting', stage: 'started' }, AT);
    // Assess
    expect(said?.message).toBe('Jupyter process started: pid 7');
    expect(pod?.message).toBe('Image pulled, container started; waiting for Jupyter');
  });
});
