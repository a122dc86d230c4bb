import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A small seeded generator (mulberry32): one seed gives the same plan, faults and timings on every machine. */
export class Seeded {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number from min to max, both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of the items. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A generator of its own for one part of the plan, so adding draws in one part leaves the others as they were. */
  fork(label: string): Seeded {
    let h = this.state ^ 0x9e3779b9;
    for (const c of label) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return new Seeded(h);
  }
}

// Every fault file of one `vitest run` is a child of the same vitest process: that process's pid and start
// time name the run, so the files draw one seed between them without talking to each other.
const seedOfThisRun = (): number => {
  try {
    const stat = readFileSync(`/proc/${process.ppid}/stat`, 'latin1');
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    if (!startTime) throw new Error('no start time');
    return (createHash('sha256').update(`${process.ppid}:${startTime}`).digest().readUInt32BE(0) % (2 ** 31 - 1)) + 1;
  } catch {
    return randomInt(1, 2 ** 31);
  }
};

/** The suite's seed: ORRERY_FAULT_SEED when set (to reproduce a run), else one drawn for this test run. */
export const faultSeed = (): number => {
  const given = process.env.ORRERY_FAULT_SEED;
  if (given === undefined || given === '') return seedOfThisRun();
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32)
    throw new Error(`ORRERY_FAULT_SEED must be a whole number below 2^32, not '${given}'`);
  return seed;
};
