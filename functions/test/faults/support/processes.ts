import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process as /proc shows it. */
export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

const read = (pid: string, file: string) => {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return null;
  }
};

const cwdOf = (pid: string) => {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return '';
  }
};

// A zombie has no cmdline and no environment left; it holds nothing and is its parent's to reap.
const alive = (pid: string) => !/^\d+ \(.*\) Z/.test(read(pid, 'stat') ?? '');

/**
 * Every live process whose environment holds one of the markers (`NAME=value`, matched whole), whose
 * command line contains one of the fragments, or whose working folder is under one of the folders.
 * Local runners, kernels, Jupyter servers and their reporters carry the data folder in their
 * environment and work under it; dynalite names it in its arguments.
 */
export const processesOf = (o: { markers?: string[]; fragments?: string[]; folders?: string[] }): ProcessInfo[] => {
  const found: ProcessInfo[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    const cmdline = read(pid, 'cmdline')?.split('\0').join(' ').trim() ?? '';
    const env = o.markers?.length ? `\0${read(pid, 'environ') ?? ''}` : '';
    const marked = o.markers?.some((m) => env.includes(`\0${m}\0`)) ?? false;
    const within = o.folders?.length ? o.folders.some((f) => `${cwdOf(pid)}/`.startsWith(`${f}/`)) : false;
    if ((marked || within || o.fragments?.some((f) => cmdline.includes(f))) && alive(pid))
      found.push({ pid: Number(pid), cmdline });
  }
  return found;
};

/** Every process that belongs to one local platform's data folder (its own process excepted). */
export const processesOfHome = (home: string): ProcessInfo[] =>
  processesOf({
    markers: [`ORRERY_RUNS_DIR=${home}/runs`, `ORRERY_SERVERS_DIR=${home}/servers`, `ORRERY_HOME=${home}`],
    fragments: [`${home}/dynamodb`],
    folders: [home],
  });

/** Sends SIGKILL, ignoring processes already gone. */
export const killHard = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
};

/** Waits until none of the pids is alive (zombies count as gone), up to the timeout; returns those still alive. */
export const waitGone = async (pids: number[], timeoutMs: number): Promise<number[]> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter((pid) => read(String(pid), 'stat') !== null && alive(String(pid)));
    if (!left.length || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 25));
  }
};
