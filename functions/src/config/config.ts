import { loadProfiles } from './profiles-config.ts';
import { loadRoles } from './roles-config.ts';
import { type Config, configFrom } from './settings.ts';
import { readSparkPools } from './spark-pools.ts';
import { readTableTemplates } from './table-templates.ts';
import { load as loadYaml } from 'js-yaml';

// Local mode's loader (and the tests'): the profile, role and Spark pool registries may be YAML or JSON. The Lambdas
// load theirs with loadCloudConfig (cloud-config.ts), which reads JSON only and so never bundles js-yaml.

export type { Config } from './settings.ts';

// Local mode reads the template registry as YAML or JSON, naming the file when it is neither.
const yaml = (text: string, source: string): unknown => {
  try {
    return loadYaml(text);
  } catch (err) {
    throw new Error(`configuration: ${source} is not YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
};

/** Reads and validates the environment once; a bad value stops start-up naming the variable and what to set. */
export const loadConfig = (env: Record<string, string | undefined>): Config =>
  configFrom(env, {
    profiles: loadProfiles,
    roles: loadRoles,
    templates: (file) => readTableTemplates(file, yaml),
    sparkPools: (file) => readSparkPools(file, yaml),
  });
