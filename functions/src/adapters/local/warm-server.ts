import { randomBytes } from 'node:crypto';
import { WarmChild } from './warm-child.ts';

/** The variable that marks a warm server's process until a launch takes it (a server started ahead has no id). */
export const WARM_SERVER_VARIABLE = 'ORRERY_WARM_SERVER';

/** How a warm server is started. */
export interface WarmServerStart {
  python: string;
  /** images/notebook-server/warm_server.py. */
  script: string;
  /** Where it waits (the servers folder); its job says where it works. */
  cwd: string;
  /** Its environment while it waits: the allowlist, the servers folder's mark and PYTHONPATH, nothing of a user's. */
  environment: Record<string, string>;
}

/** A launch's `jupyter server`, as the cold start would run it: arguments after `-m jupyter_server`, all variables. */
export interface WarmServerJob {
  args: string[];
  environment: Record<string, string>;
  cwd: string;
}

/** What warm_server.py prints on stdout: ready, then accepted. */
interface WarmServerLine {
  ready?: boolean;
  accepted?: boolean;
}

const SAID = {
  ready: (l: WarmServerLine) => l.ready === true,
  accepted: (l: WarmServerLine) => l.accepted === true,
} as const;

/**
 * One `warm_server.py` process: jupyter_server and the Orrery extension imported, waiting for exactly one launch's
 * job on stdin, which it becomes (its environment replaced by the job's, so its kernels get what a cold start's get).
 */
export class WarmServer extends WarmChild {
  readonly id: string;
  readonly ready: Promise<boolean>;
  private readonly accepted: Promise<boolean>;

  constructor(s: WarmServerStart) {
    const id = `warm-${randomBytes(6).toString('hex')}`;
    super({
      python: s.python,
      args: ['-B', s.script],
      cwd: s.cwd,
      env: { ...s.environment, [WARM_SERVER_VARIABLE]: id },
    });
    this.id = id;
    const said = this.linesSaid<keyof typeof SAID, WarmServerLine>(SAID);
    [this.ready, this.accepted] = [said('ready'), said('accepted')];
  }

  /** The marker its process started with, which /proc keeps after it is taken (reapProcessesMarked). */
  marker(): string {
    return `${WARM_SERVER_VARIABLE}=${this.id}`;
  }

  /** Hands it its launch; true once it accepted the job, false when it ended first (the launch goes cold). */
  claim(job: WarmServerJob): Promise<boolean> {
    this.hand(job);
    return this.accepted;
  }
}
