import type { CullDecision } from '../domain/cull-policy.ts';
import type { Server } from '../domain/server.ts';
import { endServer } from './end-server.ts';
import type { ServerDeps } from './server-deps.ts';

/** What one sweep did. */
export interface CullSweep {
  at: string;
  itemsRead: number;
  examined: number;
  warned: number;
  stopped: number;
}

const PAGE = 100;
const PARALLEL = 8;
// An index entry the policy says to keep is looked at again no sooner than this.
const RECHECK_MS = 60_000;

const explain = (s: Server, reason: string) =>
  reason === 'idle' ? `idle since ${s.lastActivity} (timeout ${s.idleTimeoutSeconds} s)` : reason === 'max-age' ? `running since ${s.startedAt} (max age ${s.maxAgeSeconds} s)` : `no report from the server since ${s.lastReportAt ?? s.startedAt}`;

const warn = async (deps: ServerDeps, s: Server, d: Extract<CullDecision, { action: 'warn' }>, now: Date, sweep: CullSweep) => {
  const cullWarning = { reason: d.reason, warnedAt: now.toISOString(), stopsAt: d.stopsAt };
  const next = deps.cullPolicy.nextCheck({ ...s, cullWarning }) ?? null;
  const moved = await deps.servers.moveServer(s.id, ['RUNNING'], { cullWarning, cullCheckAt: next, updatedAt: now.toISOString() }, { launchId: s.launchId, lastActivity: s.lastActivity });
  if (!moved) return;
  sweep.warned += 1;
  await deps.notifier.notify({
    user: s.owner,
    subject: `Server '${s.name}' will be stopped at ${d.stopsAt}`,
    text: `Your Orrery server '${s.name}' (${s.profile}, $${s.hourlyPrice}/h) is ${explain(s, d.reason)}. It will be stopped at ${d.stopsAt} unless you use it or keep it alive: POST /servers/${s.name}/keepalive.`,
  });
};

const stop = async (deps: ServerDeps, s: Server, reason: Extract<CullDecision, { action: 'stop' }>['reason'], now: Date, sweep: CullSweep) => {
  const ended = await endServer(deps, s, { by: 'culler', reason: `culled: ${explain(s, reason)}`, final: 'STOPPED', expect: { lastActivity: s.lastActivity }, from: ['RUNNING'] });
  if (!ended.claimed) return;
  sweep.stopped += 1;
  await deps.servers.recordCull({
    id: deps.ids.next('cull'), at: now.toISOString(), serverId: s.id, owner: s.owner, name: s.name, profile: s.profile, reason,
    lastActivity: s.lastActivity, startedAt: s.startedAt, hourlyPrice: s.hourlyPrice, sparkApplications: ended.sparkApplications,
  });
  await deps.notifier.notify({ user: s.owner, subject: `Server '${s.name}' was stopped`, text: `Your Orrery server '${s.name}' was stopped: ${explain(s, reason)}. Your files stay; launch it again when you need it.` });
};

const cullOne = async (deps: ServerDeps, s: Server, now: Date, sweep: CullSweep) => {
  sweep.examined += 1;
  const d = deps.cullPolicy.decide(s, now);
  if (d.action === 'warn') return warn(deps, s, d, now, sweep);
  if (d.action === 'stop') return stop(deps, s, d.reason, now, sweep);
  // The entry was early (activity raced the read, or the policy changed): put it where it belongs.
  const next = deps.cullPolicy.nextCheck(s);
  const at = next && Date.parse(next) > now.getTime() ? next : new Date(now.getTime() + RECHECK_MS).toISOString();
  await deps.servers.moveServer(s.id, ['RUNNING'], { cullCheckAt: at, updatedAt: now.toISOString() }, { launchId: s.launchId, lastActivity: s.lastActivity });
};

/**
 * One sweep of the idle culler (EventBridge schedule in the cloud, the local cron locally):
 * 1. Query the servers whose cull check is due: the index holds only RUNNING servers, keyed by
 *    when the policy next needs to look, so a sweep reads about the due ones, never all.
 * 2. Ask the policy about each: warn the owner (a notice, and a keepAlive that buys time), or stop
 *    it (pod, Service, Spark applications) and log the cull with its reason, or put it back.
 * Every change is conditional on the state read, so two sweeps at once stop a server once.
 */
export const cullIdle = async (deps: ServerDeps): Promise<CullSweep> => {
  const now = deps.clock.now();
  const sweep: CullSweep = { at: now.toISOString(), itemsRead: 0, examined: 0, warned: 0, stopped: 0 };
  let after: string | undefined;
  do {
    const page = await deps.servers.listCullCandidates(now.toISOString(), { after, limit: PAGE });
    sweep.itemsRead += page.itemsRead;
    for (let i = 0; i < page.items.length; i += PARALLEL) await Promise.all(page.items.slice(i, i + PARALLEL).map((s) => cullOne(deps, s, now, sweep)));
    after = page.next;
  } while (after);
  return sweep;
};
