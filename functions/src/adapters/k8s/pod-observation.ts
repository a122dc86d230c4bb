import type { V1Pod } from '@kubernetes/client-node';
import type { ServerObservation } from '../../domain/launch.ts';

// How a server pod's status reads as a launch stage: what JupyterHub's spawn page would say about it.

const IMAGE_FAILURES = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName']);

const terminatedReason = (t: { reason?: string; exitCode?: number; message?: string }): string =>
  `the notebook container exited: ${t.reason ?? 'terminated'} (exit code ${t.exitCode ?? 'unknown'})` +
  (t.message ? `: ${t.message}` : '');

const waitingFailure = (name: string, w: { reason?: string; message?: string }): string | null => {
  const what = w.message ?? `${w.reason} in ${name}`;
  if (w.reason && IMAGE_FAILURES.has(w.reason)) return `image pull failed: ${what}`;
  if (w.reason === 'CreateContainerConfigError') return `container config error: ${what}`;
  return null;
};

/** What a pod's status says, or null when it is Ready and only Jupyter itself can say more. */
export const podObservation = (pod: V1Pod): ServerObservation | null => {
  const status = pod.status ?? {};
  const containers = status.containerStatuses ?? [];
  const notebook = containers.find((c) => c.name === 'notebook');
  if (notebook?.state?.terminated) return { state: 'failed', reason: terminatedReason(notebook.state.terminated) };
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    return {
      state: 'failed',
      reason:
        `the pod ${status.phase === 'Failed' ? 'failed' : 'ended'}` +
        (status.reason ? `: ${status.reason}` : '') +
        (status.message ? `: ${status.message}` : ''),
    };
  }
  for (const c of containers) {
    const failure = c.state?.waiting ? waitingFailure(c.name, c.state.waiting) : null;
    if (failure) return { state: 'failed', reason: failure };
  }
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  const scheduled = condition('PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { state: 'waiting', stage: 'requested', unschedulable: scheduled.message ?? 'no node fits the pod' };
  }
  if (scheduled?.status !== 'True' || !pod.spec?.nodeName) return { state: 'waiting', stage: 'requested' };
  // The notebook container's own readiness, not the pod's: a sidecar that fails must not hide a Jupyter that answers.
  if (notebook?.ready) return null;
  if (notebook?.state?.running) return { state: 'waiting', stage: 'started' };
  const detail = `on node ${pod.spec.nodeName}`;
  return containers.length === 0
    ? { state: 'waiting', stage: 'scheduled', detail }
    : { state: 'waiting', stage: 'pulling', detail };
};
