import type { CullPolicy, CullSettings } from '../domain/cull-policy.ts';
import { DEFAULT_VOLUME_SETTINGS, type VolumeSettings } from '../domain/home-volumes.ts';
import type { LaunchSettings } from '../domain/launch.ts';
import type { Profile } from '../domain/profile.ts';
import type { Role } from '../domain/role.ts';
import type { Clock } from '../ports/clock.ts';
import type { CursorCodec } from '../ports/cursor-codec.ts';
import type { Ids } from '../ports/ids.ts';
import type { Notifier } from '../ports/notifier.ts';
import type { ServerCompute } from '../ports/server-compute.ts';
import type { ServerStore } from '../ports/server-store.ts';
import type { ServerWorkflows } from '../ports/workflows.ts';

/** Server limits and timings, from configuration. */
export interface ServerSettings {
  /** Servers (PENDING, RUNNING or STOPPING) one user may have at once. */
  limitPerUser: number;
  launch: LaunchSettings;
  cull: CullSettings;
  /** The API's public base URL, which servers report activity to. */
  apiUrl: string;
  /** The portal's base URL, for the links JupyterLab's Orrery extension shows; empty when unknown. */
  portalUrl: string;
  /** How long a progress request waits for a new event before it answers with none. */
  progressWaitMs: number;
  /** When an ended server's home counts as unused, and what volumes cost (the admins' list). */
  volumes: VolumeSettings;
}

/** The server use cases' ports and settings; each declares the few it needs with a Pick. */
export interface ServerDeps {
  servers: ServerStore;
  compute: ServerCompute;
  workflows: ServerWorkflows;
  notifier: Notifier;
  clock: Clock;
  ids: Ids;
  cursors: CursorCodec;
  /** The profile registry, in the order users see it. */
  profiles: readonly Profile[];
  /** The role registry: a server's role is checked against it at launch and when its owner switches it. */
  roles: readonly Role[];
  serverSettings: ServerSettings;
  cullPolicy: CullPolicy;
}

/** Server settings unless configuration says otherwise. */
export const DEFAULT_SERVER_SETTINGS: Omit<ServerSettings, 'apiUrl' | 'launch' | 'cull'> = {
  limitPerUser: 3,
  portalUrl: '',
  progressWaitMs: 10_000,
  volumes: DEFAULT_VOLUME_SETTINGS,
};
