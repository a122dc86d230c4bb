import type { ProgressEvent } from './server.ts';

/** How far a launch has got, in the order JupyterHub's spawn page shows it. */
export type LaunchStage = 'requested' | 'scheduled' | 'pulling' | 'started';

/** What the compute backend reports about a server's pod or process. */
export type ServerObservation =
  | { state: 'absent' }
  | {
      state: 'waiting';
      stage: LaunchStage;
      /** What happened in the backend's own words, when the stage's (a pod's) would not be true: a local process. */
      message?: string;
      detail?: string;
      unschedulable?: string;
    }
  | { state: 'ready'; url: string }
  | { state: 'failed'; reason: string };

/** Bounds on a launch, from configuration. */
export interface LaunchSettings {
  /** Jupyter must answer within this long of the request (KubeSpawner's start_timeout). */
  timeoutSeconds: number;
  /**
   * A pod the scheduler cannot place for this long fails, with the scheduler's message; an autoscaler gets that long to
   * add a node.
   */
  unschedulableSeconds: number;
}

/** Launch settings unless configuration says otherwise. */
export const DEFAULT_LAUNCH_SETTINGS: LaunchSettings = { timeoutSeconds: 300, unschedulableSeconds: 180 };

/** What the launch workflow does after one look. */
export type LaunchVerdict =
  | { outcome: 'wait' }
  | { outcome: 'ready'; url: string }
  | { outcome: 'fail'; reason: string };

/** Decides a launch from one observation and the time since it was requested. */
export const launchVerdict = (obs: ServerObservation, elapsedSeconds: number, s: LaunchSettings): LaunchVerdict => {
  if (obs.state === 'ready') return { outcome: 'ready', url: obs.url };
  if (obs.state === 'failed') return { outcome: 'fail', reason: obs.reason };
  if (obs.state === 'absent')
    return { outcome: 'fail', reason: "the server's pod or process is gone before Jupyter answered" };
  if (obs.unschedulable && elapsedSeconds >= s.unschedulableSeconds)
    return { outcome: 'fail', reason: `the pod cannot be scheduled: ${obs.unschedulable}` };
  if (elapsedSeconds >= s.timeoutSeconds) {
    const last = obs.unschedulable
      ? `unschedulable: ${obs.unschedulable}`
      : `last seen ${obs.stage}${obs.detail ? ` (${obs.detail})` : ''}`;
    return { outcome: 'fail', reason: `Jupyter did not answer within ${s.timeoutSeconds} s; ${last}` };
  }
  return { outcome: 'wait' };
};

const STAGES: Record<LaunchStage | 'ready', { progress: number; message: string }> = {
  requested: { progress: 10, message: 'Server requested' },
  scheduled: { progress: 30, message: 'Pod scheduled' },
  pulling: { progress: 50, message: 'Pulling the image' },
  started: { progress: 75, message: 'Image pulled, container started; waiting for Jupyter' },
  ready: { progress: 100, message: 'Jupyter is answering' },
};

/**
 * The progress event an observation adds, or null when it says nothing new: events only move
 * forward, so a poll that sees the same stage again adds nothing.
 */
export const nextProgressEvent = (
  events: readonly ProgressEvent[],
  obs: ServerObservation,
  at: string,
): ProgressEvent | null => {
  const last = events.at(-1);
  const id = (last?.id ?? 0) + 1;
  if (obs.state === 'failed' || obs.state === 'absent') return null;
  const key = obs.state === 'ready' ? 'ready' : obs.stage;
  const stage = STAGES[key];
  const said = (obs.state === 'waiting' && obs.message) || stage.message;
  const message =
    obs.state === 'waiting' && obs.unschedulable
      ? `Waiting for a node: ${obs.unschedulable}`
      : obs.state === 'waiting' && obs.detail
        ? `${said}: ${obs.detail}`
        : said;
  if (last && (last.progress > stage.progress || (last.progress === stage.progress && last.message === message)))
    return null;
  return { id, at, progress: stage.progress, message, ...(obs.state === 'ready' ? { ready: true } : {}) };
};

/** The first event of every launch. */
export const requestedEvent = (at: string): ProgressEvent => ({ id: 1, at, ...STAGES.requested });

/** The last event of a launch that failed. */
export const failedEvent = (events: readonly ProgressEvent[], at: string, reason: string): ProgressEvent => ({
  id: (events.at(-1)?.id ?? 0) + 1,
  at,
  progress: 100,
  message: `Spawn failed: ${reason}`,
  failed: true,
});
