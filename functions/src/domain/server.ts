import { createHash } from 'node:crypto';
import { ValidationError } from './errors.ts';
import type { Resources } from './profile.ts';
import { tokenDigest } from './token-digest.ts';

/** A server's life, in JupyterHub's words. */
export type ServerStatus = 'PENDING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'FAILED';

/** States a server holds resources in; they count against the per-user limit. */
export const ACTIVE_SERVER_STATUSES: readonly ServerStatus[] = ['PENDING', 'RUNNING', 'STOPPING'];

/** One spawn progress event, as JupyterHub's progress API sends them. */
export interface ProgressEvent {
  id: number;
  at: string;
  /** 0–100. */
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
}

/** The owner's warning that a cull is coming, and when it will happen unless they keep the server alive. */
export interface CullWarning {
  reason: CullReason;
  warnedAt: string;
  stopsAt: string;
}

/** Why the culler stopped (or will stop) a server. */
export type CullReason = 'idle' | 'max-age' | 'no-heartbeat';

/** A named Jupyter server of one user. */
export interface Server {
  /** Unique for (owner, name): the pod, Service and process name. */
  id: string;
  owner: string;
  name: string;
  profile: string;
  resources: Resources;
  hourlyPrice: number;
  idleTimeoutSeconds: number;
  maxAgeSeconds: number;
  status: ServerStatus;
  /** Which of the owner's slots (the per-user limit) it holds while active. */
  slot: number;
  /** The launch this record belongs to: tokens and progress of earlier launches of the name do not count. */
  launchId: string;
  /** sha256 of the server token; the token itself is only ever handed to the owner and the server. */
  tokenHash: string;
  /**
   * sha256 of the launch's credentials token, which only the credentials sidecar holds: the server token is Jupyter's
   * (JUPYTER_TOKEN, readable by notebook code), so it must not fetch AWS keys. Absent on records older than it.
   */
  credentialsTokenHash?: string;
  /** The AWS role (registry name) its credentials sidecar serves keys for; none: the sidecar answers 503. */
  role?: string;
  /**
   * The owner's teams at launch and at each role change (PUT role): the sidecar fetches keys and the server token's
   * routes act without the owner present, so entitlement and the session's team tag are decided from these. Absent
   * on records older than it: such a server's token acts with no team.
   */
  ownerTeams?: string[];
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  stoppedAt?: string;
  lastActivity: string;
  /** When the server last reported (activity or not); a server that stops reporting is checked. */
  lastReportAt?: string;
  url?: string;
  /** Why it failed or was stopped. */
  reason?: string;
  stoppedBy?: string;
  /** While STOPPING: the state it ends in, kept so a teardown the culler has to finish ends the same way. */
  endAs?: 'STOPPED' | 'FAILED';
  cullWarning?: CullWarning;
  /**
   * When the culler next needs to look at it (a sparse index): a RUNNING server's next cull check, a
   * PENDING server's launch deadline, a STOPPING server's teardown retry. Ended servers have none.
   */
  cullCheckAt?: string;
  progress: ProgressEvent[];
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$/;

/** Server names are slugs: lowercase letters, digits and inner dashes, at most 32 characters. */
export const checkServerName = (name: string, path = 'body.name'): string => {
  if (!NAME.test(name)) {
    throw new ValidationError(
      `server name '${name.slice(0, 40)}' is not a slug: use 1–32 lowercase letters, digits and inner dashes`,
      [{ path, message: 'not a slug' }],
    );
  }
  return name;
};

/**
 * A DNS-1035 label (pod, Service) for a user's server that never collides: the readable part is
 * cleaned and cut, so a hash of the exact (user, name) pair is always appended, as KubeSpawner does.
 */
export const safeSlug = (prefix: string, parts: string[], max = 63): string => {
  const hash = createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
  const clean = parts
    .map(
      (p) =>
        p
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, '-')
          .replace(/^-+|-+$/g, '') || 'x',
    )
    .join('--');
  const room = max - prefix.length - hash.length - 2;
  return `${prefix}-${clean.slice(0, room).replace(/-+$/, '')}-${hash}`;
};

/** The id of a user's named server: pod, Service and folder name. */
export const serverIdFor = (owner: string, name: string): string => safeSlug('jupyter', [owner, name]);

// A launch's tokens: `<prefix>.<server id>.<launch id>.<secret>`, so the token alone finds its server record.
const parseLaunchToken = (prefix: string, token: string): { serverId: string; launchId: string } | null => {
  const match = /^([a-z0-9]+)\.([a-z][a-z0-9-]{0,62})\.([a-z0-9-]{1,64})\.[A-Za-z0-9_-]{32,}$/.exec(token);
  return match && match[1] === prefix ? { serverId: match[2]!, launchId: match[3]! } : null;
};

/** The server token's parts: which server it is for and the secret; null when it is not a server token. */
export const parseServerToken = (token: string): { serverId: string; launchId: string } | null =>
  parseLaunchToken('osv1', token);

/** A server token: names the server and launch (so it can be found) and carries the secret. */
export const makeServerToken = (serverId: string, launchId: string, secret: string): string =>
  `osv1.${serverId}.${launchId}.${secret}`;

/** A server's credentials token (its sidecar's, for POST /servers/{name}/credentials): another prefix, another secret. */
export const makeServerCredentialsToken = (serverId: string, launchId: string, secret: string): string =>
  `osc1.${serverId}.${launchId}.${secret}`;

/** The credentials token's parts; null when it is not one (a server token included). */
export const parseServerCredentialsToken = (token: string): { serverId: string; launchId: string } | null =>
  parseLaunchToken('osc1', token);

/** The hash a server's token (and its credentials token) is stored as. */
export const hashServerToken = tokenDigest;

/**
 * What holds a slot of the per-user limit: one launch of a server, so a racing launch of the same name can never give
 * back another's slot.
 */
export const slotHolder = (serverId: string, launchId: string): string => `${serverId}#${launchId}`;

/** The server and launch a slot holder names. */
export const parseSlotHolder = (holder: string): { serverId: string; launchId?: string } => {
  const [serverId, launchId] = holder.split('#');
  return { serverId: serverId!, launchId };
};
