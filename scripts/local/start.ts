// `npm start`: the whole platform on this machine, with its data in ORRERY_HOME (default .orrery/).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readLocalSettings } from '../../functions/src/config/local-variables.ts';
import { type LocalPlatform, startLocalPlatform } from '../../functions/src/handlers/local/local-platform.ts';
import { startLabBuild } from './lab-build.ts';

// Every variable goes through the configuration schema: a bad one stops here, named, before anything starts.
const settings = (() => {
  try {
    return readLocalSettings(process.env);
  } catch (err) {
    console.error(`orrery: ${(err as Error).message} (see docs/configuration.md)`);
    process.exit(2);
  }
})();
const { home, port } = settings;

// The SDK warns once per process that its 2027 releases need Node 22; the lock file pins today's, so say it in the
// README instead.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const main = async () => {
  // In the background: a first start installs lab/'s packages (about a minute) while the platform comes up.
  const lab = startLabBuild(join(import.meta.dirname, '..', '..'));
  let platform: LocalPlatform;
  try {
    platform = await startLocalPlatform({ home, port, env: process.env });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(
        `orrery: port ${port} is busy — is Orrery (or something else) already running there? ` +
          'Stop it, or start on another port: PORT=8081 npm start',
      );
      process.exit(1);
    }
    if ((err as Error).message?.startsWith('configuration: ')) {
      console.error(`orrery: ${(err as Error).message} (see docs/configuration.md)`);
      process.exit(2);
    }
    throw err;
  }
  const p = platform;
  const portalBuilt = existsSync(join(settings.webDist, 'index.html'));
  console.log(
    [
      '',
      `  Orrery is running at ${p.url}`,
      `  Portal:     ${portalBuilt ? `${p.url}/` : 'not built (npm run build:web); a plain sign-in page stands in'}`,
      `  API:        ${p.apiUrl}  (description: ${p.apiUrl}/openapi.json)`,
      `  Data:       ${home}${p.firstStart ? '  (new: table, bucket and admin user created)' : ''}`,
      `  ${lab.banner}`,
      '',
      '  To sign in, open this one-time link (it works once, for a day):',
      `      ${p.loginLink}`,
      '',
      '  A token for curl and scripts:  npm run token -- <user> [--team T]... [--admin]',
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`orrery: ${signal} — stopping`);
    if (lab.child && lab.child.exitCode === null) lab.child.kill('SIGTERM');
    await p.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
};

await main();
