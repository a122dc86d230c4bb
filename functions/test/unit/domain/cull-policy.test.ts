import { describe, expect, it } from 'vitest';
import { defaultCullPolicy, type CullDecision } from '../../../src/domain/cull-policy.ts';
import type { Server, ServerStatus } from '../../../src/domain/server.ts';
import { FakeClock } from '../../support/fakes.ts';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
const START = new Date('2026-01-05T09:00:00.000Z');
const WARN = 900;
const HEARTBEAT = 1800;
const policy = defaultCullPolicy({ warnBeforeSeconds: WARN, heartbeatSeconds: HEARTBEAT });

const iso = (ms: number) => new Date(ms).toISOString();
const plus = (ms: number) => START.getTime() + ms;

// Idle timeout one hour, max age twelve hours, started at START and idle since.
const server = (over: Partial<Server> = {}): Server => ({
  id: 'jupyter-alice--lab-27ad1cd5',
  owner: 'alice',
  name: 'lab',
  profile: 'cpu-small',
  resources: { image: 'img', cpuRequest: 1000, cpuLimit: 2000, memoryRequest: 2 ** 31, memoryLimit: 2 ** 32, gpus: 0 },
  hourlyPrice: 0.05,
  idleTimeoutSeconds: 3600,
  maxAgeSeconds: 43_200,
  status: 'RUNNING',
  slot: 0,
  launchId: 'launch-1',
  tokenHash: 'h',
  createdAt: iso(plus(-MIN)),
  updatedAt: iso(plus(0)),
  startedAt: iso(plus(0)),
  lastActivity: iso(plus(0)),
  lastReportAt: iso(plus(0)),
  progress: [],
  ...over,
});

// The reporter keeps calling in (no activity), so the heartbeat never decides these.
const reporting = (s: Server, clock: FakeClock): Server => ({ ...s, lastReportAt: clock.now().toISOString() });

// What the culler writes after a warn decision.
const warned = (s: Server, d: CullDecision, now: Date): Server => {
  if (d.action !== 'warn') throw new Error(`expected a warning, got ${JSON.stringify(d)}`);
  return { ...s, cullWarning: { reason: d.reason, warnedAt: now.toISOString(), stopsAt: d.stopsAt } };
};

describe('defaultCullPolicy.decide', () => {
  it.each<ServerStatus>(['PENDING', 'STOPPING', 'STOPPED', 'FAILED'])(
    'keeps a %s server however idle, old and silent it is',
    (status) => {
      // Prepare
      const s = server({
        status,
        lastActivity: iso(plus(-100 * HOUR)),
        startedAt: iso(plus(-100 * HOUR)),
        lastReportAt: iso(plus(-100 * HOUR)),
      });
      const clock = new FakeClock(new Date(plus(100 * HOUR)));
      // Act
      const decision = policy.decide(s, clock.now());
      const next = policy.nextCheck(s);
      // Assess
      expect(decision).toEqual({ action: 'keep' });
      expect(next).toBeUndefined();
    },
  );

  it('keeps an idle server until the warning time before its idle deadline, then warns with the full warning time', () => {
    // Prepare
    const clock = new FakeClock(new Date(plus(HOUR - WARN * S - 1)));
    // Act
    const before = policy.decide(reporting(server(), clock), clock.now());
    clock.advance(1);
    const at = policy.decide(reporting(server(), clock), clock.now());
    // Assess
    expect(before).toEqual({ action: 'keep' });
    expect(at).toEqual({ action: 'warn', reason: 'idle', stopsAt: iso(plus(HOUR)) });
  });

  it('warns late rather than short: a server first seen past its deadline still gets the whole warning time', () => {
    // Prepare
    const clock = new FakeClock(new Date(plus(3 * HOUR)));
    // Act
    const d = policy.decide(reporting(server(), clock), clock.now());
    // Assess
    expect(d).toMatchObject({ action: 'warn', reason: 'idle' });
    expect(Date.parse((d as { stopsAt: string }).stopsAt)).toBeGreaterThanOrEqual(clock.now().getTime() + WARN * S);
  });

  it('keeps a warned server while the warning runs and stops it for idleness once it is up', () => {
    // Prepare
    const clock = new FakeClock(new Date(plus(HOUR - WARN * S + 5 * S)));
    const s = warned(server(), policy.decide(reporting(server(), clock), clock.now()), clock.now());
    const stopsAt = Date.parse(s.cullWarning!.stopsAt);
    expect(stopsAt).toBeGreaterThanOrEqual(clock.now().getTime() + WARN * S);
    // Act
    const decisions: CullDecision[] = [];
    for (const t of [clock.now().getTime() + 1, stopsAt - 1])
      decisions.push(policy.decide(reporting(s, new FakeClock(new Date(t))), new Date(t)));
    clock.advance(stopsAt - clock.now().getTime());
    const atStop = policy.decide(reporting(s, clock), clock.now());
    // Assess
    expect(decisions).toEqual([{ action: 'keep' }, { action: 'keep' }]);
    expect(atStop).toEqual({ action: 'stop', reason: 'idle' });
  });

  it('keeps a warned server its owner used since: activity moves the deadline', () => {
    // Prepare
    const clock = new FakeClock(new Date(plus(HOUR - WARN * S)));
    const s0 = warned(server(), policy.decide(reporting(server(), clock), clock.now()), clock.now());
    clock.advance(10 * MIN);
    const used = { ...s0, lastActivity: clock.now().toISOString() };
    // Act
    clock.advance(Date.parse(s0.cullWarning!.stopsAt) - clock.now().getTime() + MIN);
    const afterOldStop = policy.decide(reporting(used, clock), clock.now());
    // Assess
    expect(afterOldStop).toEqual({ action: 'keep' });
  });

  it('warns afresh before stopping a server used after its idle warning, however the warning was left on the record', () => {
    // Prepare: warned, then used; the warning was not cleared (a report raced the warning's write).
    const clock = new FakeClock(new Date(plus(HOUR - WARN * S)));
    const s0 = warned(server(), policy.decide(reporting(server(), clock), clock.now()), clock.now());
    clock.advance(10 * MIN);
    const used = { ...s0, lastActivity: clock.now().toISOString() };
    const newDue = Date.parse(used.lastActivity) + HOUR;
    // Act: walk the clock minute by minute through the new deadline and its warning time.
    const seen: CullDecision[] = [];
    for (let t = newDue - 2 * WARN * S; t <= newDue + WARN * S; t += MIN) {
      const d = policy.decide(reporting(used, new FakeClock(new Date(t))), new Date(t));
      if (d.action !== 'keep') {
        seen.push(d);
        break;
      }
    }
    // Assess
    expect(seen[0]).toMatchObject({ action: 'warn', reason: 'idle' });
  });

  it('lets max age decide, with its own reason, when it comes before the idle deadline', () => {
    // Prepare: max age two hours; the owner is active until just before it.
    const clock = new FakeClock(new Date(plus(2 * HOUR - WARN * S)));
    const s = server({ maxAgeSeconds: 7200, lastActivity: iso(plus(2 * HOUR - WARN * S - MIN)) });
    // Act
    const warning = policy.decide(reporting(s, clock), clock.now());
    const w = warned(s, warning, clock.now());
    clock.advance(WARN * S);
    const stop = policy.decide(reporting(w, clock), clock.now());
    // Assess
    expect(warning).toEqual({ action: 'warn', reason: 'max-age', stopsAt: iso(plus(2 * HOUR)) });
    expect(stop).toEqual({ action: 'stop', reason: 'max-age' });
  });

  it('lets idleness decide when it comes before max age', () => {
    // Prepare
    const clock = new FakeClock(new Date(plus(HOUR)));
    const s = server({ maxAgeSeconds: 7200 });
    // Act
    const d = policy.decide(reporting(s, clock), clock.now());
    // Assess
    expect(d).toMatchObject({ action: 'warn', reason: 'idle' });
  });

  it('counts max age from creation when the server never recorded a start', () => {
    // Prepare
    const s = server({
      startedAt: undefined,
      createdAt: iso(plus(-2 * HOUR)),
      maxAgeSeconds: 7200,
      lastActivity: iso(plus(-MIN)),
    });
    const clock = new FakeClock(new Date(plus(-WARN * S)));
    // Act
    const d = policy.decide(reporting(s, clock), clock.now());
    // Assess
    expect(d).toEqual({ action: 'warn', reason: 'max-age', stopsAt: iso(plus(0)) });
  });

  it('warns a running server that has not reported for the heartbeat time, giving it the whole warning time', () => {
    // Prepare: busy a minute ago, but its reporter fell silent half an hour ago.
    const s = server({ lastActivity: iso(plus(HEARTBEAT * S - MIN)), lastReportAt: iso(plus(0)) });
    const clock = new FakeClock(new Date(plus(HEARTBEAT * S - 1)));
    // Act
    const before = policy.decide(s, clock.now());
    clock.advance(1);
    const at = policy.decide(s, clock.now());
    // Assess
    expect(before).toEqual({ action: 'keep' });
    expect(at).toEqual({ action: 'warn', reason: 'no-heartbeat', stopsAt: iso(plus(HEARTBEAT * S + WARN * S)) });
  });

  it('stops a server warned for silence once the warning is up and it is still silent, not before', () => {
    // Prepare
    const s0 = server({ lastActivity: iso(plus(HEARTBEAT * S - MIN)), lastReportAt: iso(plus(0)) });
    const warnedAt = new Date(plus(HEARTBEAT * S + 2 * MIN));
    const s = warned(s0, policy.decide(s0, warnedAt), warnedAt);
    const stopsAt = Date.parse(s.cullWarning!.stopsAt);
    // Act
    const during = policy.decide(s, new Date(stopsAt - 1));
    const after = policy.decide(s, new Date(stopsAt));
    // Assess
    expect(stopsAt).toBe(warnedAt.getTime() + WARN * S);
    expect(during).toEqual({ action: 'keep' });
    expect(after).toEqual({ action: 'stop', reason: 'no-heartbeat' });
  });

  it('keeps a server warned for silence that reported since, and warns afresh before a later silence stop', () => {
    // Prepare: warned at 30 min, reported at 40 min (the warning left on the record), silent again after.
    const s0 = server({ lastActivity: iso(plus(0)), lastReportAt: iso(plus(0)), idleTimeoutSeconds: 86_400 });
    const s = {
      ...warned(s0, policy.decide(s0, new Date(plus(HEARTBEAT * S))), new Date(plus(HEARTBEAT * S))),
      lastReportAt: iso(plus(40 * MIN)),
    };
    // Act
    const atOldStop = policy.decide(s, new Date(plus(HEARTBEAT * S + WARN * S)));
    const silentAgain = policy.decide(s, new Date(plus(40 * MIN + HEARTBEAT * S)));
    // Assess
    expect(atOldStop).toEqual({ action: 'keep' });
    expect(silentAgain).toEqual({
      action: 'warn',
      reason: 'no-heartbeat',
      stopsAt: iso(plus(40 * MIN + HEARTBEAT * S + WARN * S)),
    });
  });

  it('counts the heartbeat from the start when the server never reported', () => {
    // Prepare
    const s = server({ lastReportAt: undefined, lastActivity: iso(plus(HEARTBEAT * S)) });
    const clock = new FakeClock(new Date(plus(HEARTBEAT * S)));
    // Act
    const d = policy.decide(s, clock.now());
    // Assess
    expect(d).toEqual({ action: 'warn', reason: 'no-heartbeat', stopsAt: iso(plus(HEARTBEAT * S + WARN * S)) });
  });

  it('judges a silent server by its age alone when heartbeats are set aside, and a reporting one as usual', () => {
    // Prepare: silent for hours and idle since the start; max age two hours.
    const silent = server({ maxAgeSeconds: 7200, lastReportAt: iso(plus(0)) });
    const reporting = server({ maxAgeSeconds: 7200, lastReportAt: iso(plus(HOUR)) });
    const t = new Date(plus(HOUR));
    // Act
    const silentBeforeAge = policy.decide(silent, t, { heartbeats: false });
    const silentAtAge = policy.decide(silent, new Date(plus(2 * HOUR - WARN * S)), { heartbeats: false });
    const reportingIdle = policy.decide(reporting, t, { heartbeats: false });
    // Assess
    expect(policy.decide(silent, t)).toMatchObject({ action: 'warn', reason: 'no-heartbeat' });
    expect(silentBeforeAge).toEqual({ action: 'keep' });
    expect(silentAtAge).toEqual({ action: 'warn', reason: 'max-age', stopsAt: iso(plus(2 * HOUR)) });
    expect(reportingIdle).toEqual({ action: 'warn', reason: 'idle', stopsAt: iso(plus(HOUR + WARN * S)) });
  });
});

describe('defaultCullPolicy.silent', () => {
  it('says a RUNNING server is silent from the heartbeat time after its last report, and never one that is not running', () => {
    // Prepare
    const s = server({ lastReportAt: iso(plus(10 * MIN)) });
    // Act
    const before = policy.silent(s, new Date(plus(10 * MIN + HEARTBEAT * S - 1)));
    const at = policy.silent(s, new Date(plus(10 * MIN + HEARTBEAT * S)));
    const stopping = policy.silent({ ...s, status: 'STOPPING' }, new Date(plus(100 * HOUR)));
    // Assess
    expect([before, at, stopping]).toEqual([false, true, false]);
  });
});

describe('defaultCullPolicy.nextCheck', () => {
  it('is the idle deadline less the warning time for a server not yet warned', () => {
    // Prepare
    const s = server({ lastReportAt: iso(plus(HOUR)) });
    // Act
    const next = policy.nextCheck(s);
    // Assess
    expect(next).toBe(iso(plus(HOUR - WARN * S)));
  });

  it('is the warning’s stop time once a server is warned', () => {
    // Prepare
    const now = new Date(plus(2 * HOUR));
    const s = server({ lastReportAt: now.toISOString() });
    const w = warned(s, policy.decide(s, now), now);
    // Act
    const next = policy.nextCheck(w);
    // Assess
    expect(next).toBe(w.cullWarning!.stopsAt);
    expect(next).toBe(iso(plus(2 * HOUR) + WARN * S));
  });

  it('is the heartbeat deadline when that comes first', () => {
    // Prepare
    const s = server({ lastActivity: iso(plus(HOUR)), lastReportAt: iso(plus(10 * MIN)) });
    // Act
    const next = policy.nextCheck(s);
    // Assess
    expect(next).toBe(iso(plus(10 * MIN + HEARTBEAT * S)));
  });

  it('is the max-age deadline less the warning time when that comes first', () => {
    // Prepare
    const s = server({ maxAgeSeconds: 3000, lastReportAt: iso(plus(HOUR)) });
    // Act
    const next = policy.nextCheck(s);
    // Assess
    expect(next).toBe(iso(plus(3000 * S - WARN * S)));
  });

  it('is never later than the first instant decide() would warn or stop, for any server at any time', () => {
    // Prepare: servers in many states, each judged over a grid of instants from before its start to long after.
    const base = server();
    const servers: Server[] = [
      base,
      server({ lastReportAt: iso(plus(5 * HOUR)) }),
      server({ lastReportAt: undefined }),
      server({ startedAt: undefined, lastReportAt: iso(plus(5 * HOUR)) }),
      server({ maxAgeSeconds: 1800, lastReportAt: iso(plus(5 * HOUR)) }),
      server({ idleTimeoutSeconds: 600, lastReportAt: iso(plus(5 * HOUR)) }),
      server({ lastActivity: iso(plus(3 * HOUR)), lastReportAt: iso(plus(4 * HOUR)) }),
      server({ lastActivity: iso(plus(11 * HOUR)), lastReportAt: iso(plus(11 * HOUR)) }),
      server({
        lastReportAt: iso(plus(5 * HOUR)),
        cullWarning: { reason: 'idle', warnedAt: iso(plus(45 * MIN)), stopsAt: iso(plus(HOUR)) },
      }),
      server({
        lastReportAt: iso(plus(5 * HOUR)),
        cullWarning: { reason: 'idle', warnedAt: iso(plus(2 * HOUR)), stopsAt: iso(plus(2 * HOUR + WARN * S)) },
      }),
      server({
        lastReportAt: iso(plus(5 * HOUR)),
        cullWarning: { reason: 'max-age', warnedAt: iso(plus(45 * MIN)), stopsAt: iso(plus(HOUR)) },
      }),
      server({
        lastActivity: iso(plus(2 * HOUR)),
        lastReportAt: iso(plus(5 * HOUR)),
        cullWarning: { reason: 'idle', warnedAt: iso(plus(45 * MIN)), stopsAt: iso(plus(HOUR)) },
      }),
      server({
        maxAgeSeconds: 7200,
        lastActivity: iso(plus(110 * MIN)),
        lastReportAt: iso(plus(5 * HOUR)),
        cullWarning: { reason: 'max-age', warnedAt: iso(plus(100 * MIN)), stopsAt: iso(plus(2 * HOUR)) },
      }),
      server({
        idleTimeoutSeconds: 86_400,
        cullWarning: {
          reason: 'no-heartbeat',
          warnedAt: iso(plus(HEARTBEAT * S)),
          stopsAt: iso(plus(HEARTBEAT * S + WARN * S)),
        },
      }),
      server({
        lastReportAt: iso(plus(40 * MIN)),
        cullWarning: {
          reason: 'no-heartbeat',
          warnedAt: iso(plus(HEARTBEAT * S)),
          stopsAt: iso(plus(HEARTBEAT * S + WARN * S)),
        },
      }),
      server({
        lastActivity: iso(plus(3 * HOUR)),
        lastReportAt: iso(plus(3 * HOUR)),
        cullWarning: { reason: 'idle', warnedAt: iso(plus(45 * MIN)), stopsAt: iso(plus(HOUR)) },
      }),
    ];
    const clock = new FakeClock(new Date(plus(-HOUR)));
    const early: string[] = [];
    // Act
    while (clock.now().getTime() <= plus(14 * HOUR)) {
      const now = clock.now();
      servers.forEach((s, i) => {
        const d = policy.decide(s, now);
        const next = policy.nextCheck(s);
        if (d.action !== 'keep' && (next === undefined || now.getTime() < Date.parse(next)))
          early.push(`server ${i} at ${now.toISOString()}: ${d.action} before ${next}`);
      });
      clock.advance(37 * S);
    }
    // Assess
    expect(early).toEqual([]);
  });

  it('never stops for idleness or age sooner than the warning time after the warning, as a culler following it sees', () => {
    // Prepare: a culler that looks only when nextCheck says, and a server that reports but is never used.
    const shapes = [
      server(),
      server({ maxAgeSeconds: 5000 }),
      server({ idleTimeoutSeconds: 600 }),
      server({ idleTimeoutSeconds: 300, maxAgeSeconds: 600 }),
    ];
    const outcomes: Array<{ warnedAt?: number; stoppedAt?: number; reason?: string }> = [];
    // Act
    for (const shape of shapes) {
      const clock = new FakeClock(new Date(plus(0)));
      let s = shape;
      const outcome: { warnedAt?: number; stoppedAt?: number; reason?: string } = {};
      while (outcome.stoppedAt === undefined && clock.now().getTime() < plus(24 * HOUR)) {
        clock.advance(MIN);
        s = reporting(s, clock);
        if (clock.now().getTime() < Date.parse(policy.nextCheck(s)!)) continue;
        const d = policy.decide(s, clock.now());
        if (d.action === 'warn') {
          s = warned(s, d, clock.now());
          outcome.warnedAt ??= clock.now().getTime();
        }
        if (d.action === 'stop') {
          outcome.stoppedAt = clock.now().getTime();
          outcome.reason = d.reason;
        }
      }
      outcomes.push(outcome);
    }
    // Assess
    for (const o of outcomes) {
      expect(o.warnedAt).toBeDefined();
      expect(o.stoppedAt).toBeDefined();
      expect(o.stoppedAt! - o.warnedAt!).toBeGreaterThanOrEqual(WARN * S);
    }
    expect(outcomes.map((o) => o.reason)).toEqual(['idle', 'idle', 'idle', 'idle']);
  });

  it('never stops for silence sooner than the warning time after the warning, as a culler following it sees', () => {
    // Prepare: a culler that looks only when nextCheck says, and a busy server whose reports stop at some point.
    const fallsSilentAt = [0, 17 * MIN, 3 * HOUR + 20 * S];
    const outcomes: Array<{ warnedAt?: number; stoppedAt?: number; reasons: string[] }> = [];
    // Act
    for (const silentFrom of fallsSilentAt) {
      const clock = new FakeClock(new Date(plus(0)));
      let s = server();
      const outcome: { warnedAt?: number; stoppedAt?: number; reasons: string[] } = { reasons: [] };
      while (outcome.stoppedAt === undefined && clock.now().getTime() < plus(24 * HOUR)) {
        clock.advance(MIN);
        if (clock.now().getTime() < plus(silentFrom))
          s = { ...reporting(s, clock), lastActivity: clock.now().toISOString() };
        if (clock.now().getTime() < Date.parse(policy.nextCheck(s)!)) continue;
        const d = policy.decide(s, clock.now());
        if (d.action === 'warn') {
          s = warned(s, d, clock.now());
          outcome.warnedAt ??= clock.now().getTime();
          outcome.reasons.push(d.reason);
        }
        if (d.action === 'stop') {
          outcome.stoppedAt = clock.now().getTime();
          outcome.reasons.push(d.reason);
        }
      }
      outcomes.push(outcome);
    }
    // Assess
    for (const [i, o] of outcomes.entries()) {
      expect(o.warnedAt).toBeGreaterThanOrEqual(plus(fallsSilentAt[i]!) + HEARTBEAT * S - MIN);
      expect(o.stoppedAt! - o.warnedAt!).toBeGreaterThanOrEqual(WARN * S);
      expect(o.reasons).toEqual(['no-heartbeat', 'no-heartbeat']);
    }
  });
});
