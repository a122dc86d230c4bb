import { describe, expect, it } from 'vitest';
import { readCullBreaker } from '../../../src/domain/cull-breaker.ts';
import type { Server, ServerStatus } from '../../../src/domain/server.ts';

// Only the fields the breaker reads matter; `silent` marks what the policy would call silent.
const fleet = (counts: { running: number; silent: number; other?: Partial<Record<ServerStatus, number>> }) => {
  const servers: Array<Server & { quiet: boolean }> = [];
  const add = (status: ServerStatus, quiet: boolean) =>
    servers.push({ id: `s${servers.length}`, status, quiet } as Server & { quiet: boolean });
  for (let i = 0; i < counts.running; i += 1) add('RUNNING', i < counts.silent);
  for (const [status, n] of Object.entries(counts.other ?? {}))
    for (let i = 0; i < n; i += 1) add(status as ServerStatus, true);
  return servers;
};
const quiet = (s: Server) => (s as Server & { quiet: boolean }).quiet;

describe('readCullBreaker', () => {
  it('trips when more than the share of running servers is silent, and not at the share itself', () => {
    // Prepare
    const atShare = fleet({ running: 40, silent: 8 });
    const aboveShare = fleet({ running: 40, silent: 9 });
    // Act
    const at = readCullBreaker(atShare, quiet, 0.2);
    const above = readCullBreaker(aboveShare, quiet, 0.2);
    // Assess
    expect(at).toEqual({ running: 40, silent: 8, maxShare: 0.2, tripped: false });
    expect(above).toEqual({ running: 40, silent: 9, maxShare: 0.2, tripped: true });
  });

  it('counts only RUNNING servers, silent or not, toward the share', () => {
    // Prepare: launches and teardowns have no heartbeat to miss.
    const servers = fleet({ running: 10, silent: 2, other: { PENDING: 30, STOPPING: 30 } });
    // Act
    const reading = readCullBreaker(servers, quiet, 0.2);
    // Assess
    expect(reading).toEqual({ running: 10, silent: 2, maxShare: 0.2, tripped: false });
  });

  it('does not trip for one silent server, however small the fleet, but does for two of two', () => {
    // Prepare
    const alone = fleet({ running: 1, silent: 1 });
    const both = fleet({ running: 2, silent: 2 });
    // Act
    const one = readCullBreaker(alone, quiet);
    const two = readCullBreaker(both, quiet);
    // Assess
    expect(one.tripped).toBe(false);
    expect(two.tripped).toBe(true);
  });

  it('never trips with a share of 1 and trips on any two silent servers with a share of 0', () => {
    // Prepare
    const allSilent = fleet({ running: 50, silent: 50 });
    const twoSilent = fleet({ running: 50, silent: 2 });
    // Act
    const off = readCullBreaker(allSilent, quiet, 1);
    const strict = readCullBreaker(twoSilent, quiet, 0);
    // Assess
    expect(off.tripped).toBe(false);
    expect(strict.tripped).toBe(true);
  });

  it('reads an empty fleet as not tripped', () => {
    // Act
    const reading = readCullBreaker([], quiet);
    // Assess
    expect(reading).toEqual({ running: 0, silent: 0, maxShare: 0.2, tripped: false });
  });
});
