import { load as loadYaml } from 'js-yaml';
import type { Profile } from '../domain/profile.ts';
import { checkProfiles, readProfileRegistry } from './profile-registry.ts';

// Local mode's reader of the profile registry: YAML or JSON. Only local mode and tests import this module, so
// js-yaml stays out of the Lambdas, which read the JSON the deploy compiles (profile-registry.ts).

export { DEFAULT_PROFILES } from './profile-registry.ts';

/** Parses a registry written as YAML or JSON (a list of profiles); a bad entry stops start-up with where and what. */
export const parseProfiles = (text: string, source: string): Profile[] => {
  let raw: unknown;
  try {
    raw = loadYaml(text);
  } catch (err) {
    throw new Error(`configuration: ${source} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkProfiles(raw, source);
};

/** The registry from a file, from inline text, or the default: YAML or JSON. */
export const loadProfiles = (file: string | undefined, inline: string | undefined): Profile[] =>
  readProfileRegistry(file, inline, parseProfiles);
