/** One kernel as Jupyter's `/api/kernels` lists it. */
export interface KernelActivity {
  executionState: string;
  lastActivity?: string;
  connections?: number;
}

/** What a server's reporter saw in Jupyter's `/api/status` and `/api/kernels`. */
export interface ActivityReport {
  /** `last_activity` of `/api/status`: the newest API request or kernel message. */
  lastActivity?: string;
  kernels: KernelActivity[];
  /** False when Jupyter stopped answering the reporter beside it. */
  jupyterReachable: boolean;
}

/**
 * The instant a report shows the user last did something, or null for none: a busy kernel is
 * activity now (a long job with no browser open), a kernel stuck in `starting` is none at all.
 */
export const lastActivityOf = (report: ActivityReport, now: Date): Date | null => {
  const kernels = report.kernels.filter((k) => k.executionState !== 'starting');
  if (kernels.some((k) => k.executionState === 'busy')) return now;
  const times = [report.lastActivity, ...kernels.map((k) => k.lastActivity)]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t))
    // A clock ahead of ours must not buy a server time it did not use.
    .map((t) => Math.min(t, now.getTime()));
  return times.length ? new Date(Math.max(...times)) : null;
};
