import { load as loadYaml } from 'js-yaml';
import type { Role } from '../domain/role.ts';
import { checkRoles, readRoleRegistry } from './role-registry.ts';

// Local mode's reader of the role registry: YAML or JSON. Only local mode and tests import this module, so js-yaml
// stays out of the Lambdas, which read the JSON the deploy compiles (role-registry.ts).

/** Parses a registry written as YAML or JSON (a list of roles); a bad entry stops start-up with where and what. */
export const parseRoles = (text: string, source: string): Role[] => {
  let raw: unknown;
  try {
    raw = loadYaml(text);
  } catch (err) {
    throw new Error(`configuration: ${source} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  // An empty file (or one of comments only) is an empty registry, as the example file is until roles are added.
  return checkRoles(raw ?? [], source);
};

/** The registry from a file, from inline text, or the empty default: YAML or JSON. */
export const loadRoles = (file: string | undefined, inline: string | undefined): Role[] =>
  readRoleRegistry(file, inline, parseRoles);
