import { NotFoundError, ValidationError } from './errors.ts';
import { formatCpu, formatMemory, parseCpu, parseMemory } from './quantity.ts';
import type { User } from './user.ts';

/** A taint a pool's nodes carry that pods of the profile tolerate. */
export interface Toleration {
  key: string;
  operator?: 'Equal' | 'Exists';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** Where a profile's pods run: the kind of pool, and how the scheduler is told. */
export interface Pool {
  kind: 'cpu-on-demand' | 'cpu-spot' | 'gpu';
  nodeSelector: Record<string, string>;
  tolerations: Toleration[];
}

/**
 * A range of a resource: the default request, the lowest request a launch may ask for, and the limit (also the highest
 * request).
 */
export interface ResourceRange {
  request: number;
  min: number;
  limit: number;
}

/** A server's persistent home: the storage class of its volume and the volume's size in bytes. */
export interface HomeVolume {
  storageClass: string;
  /** Bytes. */
  size: number;
}

/** The home a profile gives unless it names one: 10 GiB on Orrery's encrypted gp3 class (`makeHomeStorageClass`). */
export const DEFAULT_HOME_VOLUME: HomeVolume = { storageClass: 'orrery-gp3', size: 10 * 1024 ** 3 };

/** One entry of the profile registry (KubeSpawner's profile_list): what a server or run gets. */
export interface Profile {
  slug: string;
  displayName: string;
  description: string;
  pool: Pool;
  image: string;
  /** Images a launch may pick instead of `image`. */
  allowedImages: string[];
  /** Millicores. */
  cpu: ResourceRange;
  /** Bytes. */
  memory: ResourceRange;
  gpus: number;
  idleTimeoutSeconds: number;
  maxAgeSeconds: number;
  /** US dollars per hour while a server of this profile runs. */
  hourlyPrice: number;
  /** Teams that may use it; `*` means everyone. */
  teams: string[];
  /** Each server's persistent home (on EKS a PersistentVolumeClaim); absent: DEFAULT_HOME_VOLUME. */
  home?: HomeVolume;
  /**
   * Its servers may start Spark sessions on EKS (their pods get the Spark driver's service account) and the portal
   * offers a Spark preview at launch.
   */
  spark: boolean;
}

/** The home volume a server of this profile gets on its first launch. */
export const homeVolumeOf = (p: Pick<Profile, 'home'>): HomeVolume => p.home ?? DEFAULT_HOME_VOLUME;

/** What a caller may change at launch; everything is checked against the profile. */
export interface LaunchOverrides {
  image?: string;
  cpu?: string | number;
  memory?: string | number;
}

/** The resources a pod or process gets once overrides are merged: millicores and bytes. */
export interface Resources {
  image: string;
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
  gpus: number;
}

/** Whether a user's teams (or admin flag) let them use a profile. */
export const mayUseProfile = (user: User, profile: Profile): boolean =>
  user.admin || profile.teams.includes('*') || profile.teams.some((t) => user.teams.includes(t));

/** The profiles a user may use, in registry order. */
export const profilesFor = (user: User, registry: readonly Profile[]): Profile[] =>
  registry.filter((p) => mayUseProfile(user, p));

/**
 * Finds a profile by slug for a user: unknown slugs and profiles of other teams are both a 400 that
 * lists what the caller may name (so the registry of other teams does not leak). No slug means the first.
 */
export const profileFor = (
  user: User,
  registry: readonly Profile[],
  slug: string | undefined,
  path = 'body.profile',
): Profile => {
  const mine = profilesFor(user, registry);
  if (mine.length === 0)
    throw new NotFoundError('no profile is open to your teams; ask an admin to add your team to one');
  const profile = slug === undefined ? mine[0]! : mine.find((p) => p.slug === slug);
  if (!profile)
    throw new ValidationError(`unknown profile '${slug}'; valid: ${mine.map((p) => p.slug).join(', ')}`, [
      { path, message: 'unknown profile' },
    ]);
  return profile;
};

/**
 * The profile a run was started with, when it launches. One removed from the registry since is an error that
 * says so and names what a rerun may use: the profiles open to everyone (the run's readers may be of other
 * teams, so team-only profiles are not named, as profileFor does not name them).
 */
export const profileOfRun = (registry: readonly Profile[], slug: string): Profile => {
  const profile = registry.find((p) => p.slug === slug);
  if (profile) return profile;
  const open = registry.filter((p) => p.teams.includes('*')).map((p) => p.slug);
  const some = open.length ? `profiles open to everyone: ${open.join(', ')}` : 'no profile is open to everyone';
  throw new NotFoundError(
    `the run's profile '${slug}' is no longer in the profile registry (removed since the run was started), ` +
      `so it was not launched; rerun it with one that exists (${some}; ` +
      'GET /profiles lists those your teams may use)',
  );
};

const within = (name: 'cpu' | 'memory', raw: string | number | undefined, range: ResourceRange): number => {
  if (raw === undefined) return range.request;
  const parsed = name === 'cpu' ? parseCpu(raw) : parseMemory(raw);
  const show = name === 'cpu' ? formatCpu : formatMemory;
  const path = `body.overrides.${name}`;
  if (parsed === null)
    throw new ValidationError(
      `overrides.${name} '${raw}' is not a ` +
        (name === 'cpu' ? 'CPU quantity such as 2 or 500m' : 'memory quantity such as 4Gi or 512Mi'),
      [{ path, message: 'not a quantity' }],
    );
  if (parsed < range.min || parsed > range.limit) {
    throw new ValidationError(
      `overrides.${name} must be between ${show(range.min)} and ${show(range.limit)} for this profile`,
      [{ path, message: "out of the profile's bounds" }],
    );
  }
  return parsed;
};

/** Merges launch overrides into a profile: an image from its allowed list, CPU and memory requests in its bounds. */
export const resolveResources = (profile: Profile, overrides: LaunchOverrides = {}): Resources => {
  const images = [profile.image, ...profile.allowedImages];
  if (overrides.image !== undefined && !images.includes(overrides.image)) {
    throw new ValidationError(`overrides.image must be one of: ${images.join(', ')}`, [
      { path: 'body.overrides.image', message: 'not an allowed image' },
    ]);
  }
  return {
    image: overrides.image ?? profile.image,
    cpuRequest: within('cpu', overrides.cpu, profile.cpu),
    cpuLimit: profile.cpu.limit,
    memoryRequest: within('memory', overrides.memory, profile.memory),
    memoryLimit: profile.memory.limit,
    gpus: profile.gpus,
  };
};

/** A profile as `GET /profiles` shows it: quantities written the Kubernetes way. */
export const describeProfile = (p: Profile) => ({
  slug: p.slug,
  displayName: p.displayName,
  description: p.description,
  pool: p.pool.kind,
  image: p.image,
  allowedImages: p.allowedImages,
  cpu: { request: formatCpu(p.cpu.request), min: formatCpu(p.cpu.min), limit: formatCpu(p.cpu.limit) },
  memory: {
    request: formatMemory(p.memory.request),
    min: formatMemory(p.memory.min),
    limit: formatMemory(p.memory.limit),
  },
  gpus: p.gpus,
  idleTimeoutSeconds: p.idleTimeoutSeconds,
  maxAgeSeconds: p.maxAgeSeconds,
  hourlyPrice: p.hourlyPrice,
  spark: p.spark,
});
