// npm run cost -- --users 50 --runs-per-day 200 …: the monthly AWS cost of Orrery's own parts (API Gateway, Lambda,
// Step Functions, DynamoDB, S3, CloudFront, WAF, Scheduler, Secrets Manager, CloudWatch, X-Ray, KMS, Cognito), apart
// from what users' servers and runs cost on EKS; the idle platform and one run's orchestration against issue 17's
// targets. What exists is read from the CDK app built with the configuration (--config; default
// infra/orrery.config.json, else the example), the workflows from statemachines/, the profiles from the
// configuration's profilesFile. Prints the tables, then one JSON line. Bad flags exit 2 naming the flag.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { type InfraConfig, loadInfraConfig } from '../infra/lib/config.ts';
import { REPO_ROOT } from '../infra/lib/constructs/orrery-function.ts';
import { checkProfiles } from '../functions/src/config/profile-registry.ts';
import { homeVolumeOf, type Profile } from '../functions/src/domain/profile.ts';
import { CostFlagError, type CostFlags, helpText, parseCostFlags } from './cost/flags.ts';
import { inventoryOf } from './cost/inventory.ts';
import { type ComputeProfiles, idleLines, launchLines, monthLines, runLines } from './cost/lines.ts';
import { type CostReport, formatReport, jsonSummary } from './cost/report.ts';
import { readWorkflows } from './cost/transitions.ts';

const configPathOf = (flags: CostFlags): string => {
  if (flags.config) return resolve(flags.config);
  const own = join(REPO_ROOT, 'infra', 'orrery.config.json');
  return existsSync(own) ? own : join(REPO_ROOT, 'infra', 'orrery.config.example.json');
};

const loadConfig = (path: string): InfraConfig => {
  try {
    return loadInfraConfig(path);
  } catch (err) {
    throw new CostFlagError(`--config: ${(err as Error).message}`);
  }
};

const pick = (profiles: Profile[], slug: string | undefined, flag: string): Profile => {
  const found = slug ? profiles.find((p) => p.slug === slug) : profiles[0];
  if (!found)
    throw new CostFlagError(`--${flag}: no profile ${slug}; known: ${profiles.map((p) => p.slug).join(', ')}`);
  return found;
};

const computeProfiles = (profiles: Profile[], flags: CostFlags): ComputeProfiles => {
  const server = pick(profiles, flags.serverProfile, 'server-profile');
  const run = pick(profiles, flags.runProfile, 'run-profile');
  return {
    server: { slug: server.slug, hourlyPrice: server.hourlyPrice, homeGb: homeVolumeOf(server).size / 1024 ** 3 },
    run: { slug: run.slug, hourlyPrice: run.hourlyPrice },
  };
};

const main = (argv: readonly string[]): void => {
  const flags = parseCostFlags(argv);
  if (flags.help) {
    console.log(helpText());
    return;
  }
  const configPath = configPathOf(flags);
  const config = loadConfig(configPath);
  const profilesFile = join(REPO_ROOT, config.profilesFile);
  const profiles = checkProfiles(loadYaml(readFileSync(profilesFile, 'utf8')), profilesFile);
  const inventory = inventoryOf(config, new Set(profiles.map((p) => p.pool.kind)).size);
  const workflows = readWorkflows();
  const { usage } = flags;
  const report: CostReport = {
    configPath,
    inventory,
    usage,
    month: monthLines(inventory, workflows, usage, computeProfiles(profiles, flags)),
    idle: idleLines(inventory, workflows, usage),
    perRun: {
      api: runLines(inventory, workflows, usage, 'api'),
      scheduled: runLines(inventory, workflows, usage, 'scheduled'),
    },
    perLaunch: launchLines(inventory, workflows, usage),
  };
  console.log(formatReport(report));
  console.log(JSON.stringify(jsonSummary(report)));
};

try {
  main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof CostFlagError)) throw err;
  console.error(`cost: ${err.message}`);
  process.exitCode = 2;
}
