import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Signals a child's whole process group (it was spawned detached, as the group's leader). */
export const killGroup = (child: ChildProcess, signal: NodeJS.Signals) => {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
};

/**
 * Kills every process that carries all the markers in its environment (a server's id and its platform's
 * folder: two platforms on one machine may hold servers of the same id). A runner killed with SIGKILL cannot
 * stop its kernel, Jupyter starts kernels in a session of their own, and a notebook may start
 * daemons that change folder and session; all of them inherit the runner's environment.
 * Reads /proc (Linux); elsewhere it does nothing.
 */
export const reapProcessesMarked = (...markers: string[]): void => {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return;
  }
  const needles = markers.map((marker) => `\0${marker}\0`);
  for (const pid of pids) {
    try {
      const environ = `\0${readFileSync(`/proc/${pid}/environ`, 'latin1')}`;
      if (needles.every((needle) => environ.includes(needle))) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone already, or not ours to read.
    }
  }
};
