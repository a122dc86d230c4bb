import type { ProgressEvent, Server } from '../domain/server.ts';
import type { User } from '../domain/user.ts';
import { findServer } from './server-access.ts';
import type { ServerDeps } from './server-deps.ts';

/** One progress event as JupyterHub's progress API sends it; the last carries `ready` or `failed`. */
export type ProgressMessage = ProgressEvent & { url?: string };

const POLL_MS = 500;

// A launch that ended without its own last event (stopped while pending) still tells the page it is over.
const closing = (s: Server): ProgressMessage | null => {
  const last = s.progress.at(-1);
  if (s.status === 'RUNNING')
    return last?.ready
      ? null
      : {
          id: (last?.id ?? 0) + 1,
          at: s.startedAt ?? s.updatedAt,
          progress: 100,
          message: 'Jupyter is answering',
          ready: true,
        };
  if (s.status === 'PENDING' || last?.failed) return null;
  return {
    id: (last?.id ?? 0) + 1,
    at: s.updatedAt,
    progress: 100,
    message: `Server ${s.status.toLowerCase()}${s.reason ? `: ${s.reason}` : ''}`,
    failed: true,
  };
};

const eventsAfter = (s: Server, after: number): ProgressMessage[] => {
  const events: ProgressMessage[] = s.progress
    .filter((e) => e.id > after)
    .map((e) => (e.ready && s.url ? { ...e, url: s.url } : e));
  const end = closing(s);
  if (end && end.id > after) events.push(end.ready && s.url ? { ...end, url: s.url } : end);
  return events;
};

/**
 * GET /servers/{name}/progress: the spawn events after `after` (the EventSource's Last-Event-ID).
 * When there are none yet it waits, up to the configured time, for the next one, so a client sees
 * each stage as it happens; `done` once the launch is over (ready, failed or stopped).
 */
export const serverProgress = async (
  deps: Pick<ServerDeps, 'servers' | 'serverSettings' | 'clock'> & { pause: (ms: number) => Promise<void> },
  input: { user: User; name: string; owner?: string; after?: number },
): Promise<{ events: ProgressMessage[]; done: boolean }> => {
  const after = input.after ?? 0;
  const started = deps.clock.now().getTime();
  for (;;) {
    const s = await findServer(deps, input.user, input.name, input.owner);
    const events = eventsAfter(s, after);
    const done = s.status !== 'PENDING';
    const waited = deps.clock.now().getTime() - started;
    if (events.length || done || waited >= deps.serverSettings.progressWaitMs) return { events, done };
    await deps.pause(Math.min(POLL_MS, deps.serverSettings.progressWaitMs - waited));
  }
};
