import { ServerLaunchFailedError } from '../domain/errors.ts';
import { failedEvent, launchVerdict, nextProgressEvent } from '../domain/launch.ts';
import { homeVolumeOf } from '../domain/profile.ts';
import { slotHolder, type Server } from '../domain/server.ts';
import type { ServerDeps } from './server-deps.ts';
import { causeText, type StepFailure } from './step-failure.ts';

/** What the create step needs. */
export type CreateServerResourcesDeps = Pick<ServerDeps, 'servers' | 'compute' | 'profiles' | 'serverSettings'>;

/** What the check step needs. */
export type CheckServerLaunchDeps = Pick<ServerDeps, 'servers' | 'compute' | 'clock' | 'serverSettings'>;

/** What the mark-running step needs. */
export type MarkServerRunningDeps = Pick<ServerDeps, 'servers' | 'clock' | 'cullPolicy'>;

/** What the clean-up step needs. */
export type CleanUpServerDeps = Pick<ServerDeps, 'servers' | 'compute'>;

/** What the record-failure step needs. */
export type RecordServerFailureDeps = Pick<ServerDeps, 'servers' | 'clock'>;

/** The launch the workflow is about. */
export interface LaunchRef {
  serverId: string;
  launchId: string;
}

// A launch whose record moved on (stopped, relaunched) is no longer this workflow's to finish.
const current = async (deps: Pick<ServerDeps, 'servers'>, ref: LaunchRef): Promise<Server | null> => {
  const s = await deps.servers.getServer(ref.serverId);
  return s && s.status === 'PENDING' && s.launchId === ref.launchId ? s : null;
};

/** CreateResources: the pod (or process) and its Service, unless the launch was stopped meanwhile. */
export const createServerResources = async (
  deps: CreateServerResourcesDeps,
  ref: LaunchRef,
): Promise<{ state: 'created' | 'cancelled' }> => {
  const s = await current(deps, ref);
  if (!s) return { state: 'cancelled' };
  const profile = deps.profiles.find((p) => p.slug === s.profile);
  if (!profile) throw new ServerLaunchFailedError(`profile '${s.profile}' is no longer in the registry`);
  const basePath = `/user/${encodeURIComponent(s.owner)}/${s.name}/`;
  const apiUrl = deps.serverSettings.apiUrl.replace(/\/$/, '');
  const activityUrl = `${apiUrl}/servers/${s.name}/activity`;
  await deps.compute.create({
    serverId: s.id,
    owner: s.owner,
    name: s.name,
    launchId: s.launchId,
    profile: s.profile,
    resources: s.resources,
    pool: profile.pool,
    basePath,
    activityUrl,
    apiUrl,
    home: homeVolumeOf(profile),
    portalUrl: deps.serverSettings.portalUrl.replace(/\/$/, ''),
    ...(profile.spark ? { spark: true } : {}),
  });
  return { state: 'created' };
};

/**
 * CheckLaunch: one look at the pod or process. Records a progress event when the stage moved;
 * `waiting` sends the workflow back to its Wait state; a launch that cannot succeed throws
 * ServerLaunchFailedError, which the workflow catches to clean up and record FAILED.
 */
export const checkServerLaunch = async (
  deps: CheckServerLaunchDeps,
  ref: LaunchRef,
): Promise<{ state: 'waiting' | 'ready' | 'cancelled'; url?: string }> => {
  const s = await current(deps, ref);
  if (!s) return { state: 'cancelled' };
  const obs = await deps.compute.observe(s.id);
  const now = deps.clock.now();
  const verdict = launchVerdict(obs, (now.getTime() - Date.parse(s.createdAt)) / 1000, deps.serverSettings.launch);
  if (verdict.outcome === 'fail') throw new ServerLaunchFailedError(verdict.reason);
  const event = verdict.outcome === 'ready' ? null : nextProgressEvent(s.progress, obs, now.toISOString());
  if (event)
    await deps.servers.moveServer(
      s.id,
      ['PENDING'],
      { progress: [...s.progress, event], updatedAt: now.toISOString() },
      { launchId: s.launchId },
    );
  return verdict.outcome === 'ready' ? { state: 'ready', url: verdict.url } : { state: 'waiting' };
};

/** MarkRunning: PENDING → RUNNING with its URL, into the cull index; `cancelled` when it was stopped meanwhile. */
export const markServerRunning = async (
  deps: MarkServerRunningDeps,
  input: LaunchRef & { url: string },
): Promise<{ state: 'running' | 'cancelled' }> => {
  const s = await current(deps, input);
  if (!s) return { state: 'cancelled' };
  const at = deps.clock.now().toISOString();
  const running: Server = {
    ...s,
    status: 'RUNNING',
    url: input.url,
    startedAt: at,
    lastActivity: at,
    lastReportAt: at,
  };
  const event = nextProgressEvent(s.progress, { state: 'ready', url: input.url }, at);
  const moved = await deps.servers.moveServer(
    s.id,
    ['PENDING'],
    {
      status: 'RUNNING',
      url: input.url,
      startedAt: at,
      lastActivity: at,
      lastReportAt: at,
      progress: event ? [...s.progress, event] : s.progress,
      cullCheckAt: deps.cullPolicy.nextCheck(running) ?? null,
      updatedAt: at,
    },
    { launchId: s.launchId },
  );
  return { state: moved ? 'running' : 'cancelled' };
};

/** CleanUp: deletes whatever the launch made; harmless when nothing is there. */
export const cleanUpServer = async (deps: CleanUpServerDeps, ref: LaunchRef): Promise<void> => {
  const s = await deps.servers.getServer(ref.serverId);
  // A newer launch of the same name owns the pod now.
  if (s && s.launchId !== ref.launchId && s.status !== 'STOPPED' && s.status !== 'FAILED') return;
  await deps.compute.remove(ref.serverId);
};

/** RecordFailure: PENDING → FAILED with the reason and a last progress event, and the slot back. */
export const recordServerFailure = async (
  deps: RecordServerFailureDeps,
  input: LaunchRef & { failure?: StepFailure },
): Promise<{ status: string }> => {
  const s = await current(deps, input);
  if (!s) return { status: (await deps.servers.getServer(input.serverId))?.status ?? 'STOPPED' };
  const at = deps.clock.now().toISOString();
  const reason = input.failure ? causeText(input.failure, 'the launch failed') : 'the launch failed';
  const failed = await deps.servers.moveServer(
    s.id,
    ['PENDING'],
    {
      status: 'FAILED',
      reason,
      stoppedAt: at,
      cullCheckAt: null,
      progress: [...s.progress, failedEvent(s.progress, at, reason)],
      updatedAt: at,
    },
    { launchId: s.launchId },
  );
  if (failed) await deps.servers.releaseSlot(s.owner, s.slot, slotHolder(s.id, s.launchId));
  return { status: failed?.status ?? s.status };
};
