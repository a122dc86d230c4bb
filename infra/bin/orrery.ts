// The CDK app: `npm run synth` / `npm run deploy`. Reads infra/orrery.config.json (or ORRERY_INFRA_CONFIG).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadInfraConfig } from '../lib/config.ts';
import { makeApp } from '../lib/app.ts';

const here = join(import.meta.dirname, '..');
const chosen = process.env.ORRERY_INFRA_CONFIG ?? join(here, 'orrery.config.json');
const path = existsSync(chosen) ? chosen : join(here, 'orrery.config.example.json');
if (path !== chosen)
  console.error(`orrery: ${chosen} not found; synthesizing with the example configuration (${path})`);
makeApp(loadInfraConfig(path)).app.synth();
