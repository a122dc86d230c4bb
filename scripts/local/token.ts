// `npm run token -- <user> [--team T]... [--admin] [--hours N]`: a bearer token for local mode.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dataPaths } from '../../functions/src/adapters/local/data-folder.ts';
import { LocalIssuer } from '../../functions/src/adapters/local/local-issuer.ts';
import { UserDirectory } from '../../functions/src/adapters/local/user-directory.ts';
import { readLocalSettings } from '../../functions/src/config/local-variables.ts';

const usage = 'usage: npm run token -- <user> [--team T]... [--admin] [--hours N]';
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    team: { type: 'string', multiple: true },
    admin: { type: 'boolean' },
    hours: { type: 'string' },
    help: { type: 'boolean' },
  },
});
const user = positionals[0];
if (values.help || !user || !/^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/.test(user)) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
const home = (() => {
  try {
    return readLocalSettings(process.env).home;
  } catch (err) {
    console.error(`orrery: ${(err as Error).message} (see docs/configuration.md)`);
    process.exit(2);
  }
})();
const paths = dataPaths(home);
// A token is signed with the key in the folder's secrets.json: minting into a folder `npm start` never made would
// create a second key the running platform does not know, and its tokens would be refused.
if (!existsSync(paths.secrets)) {
  const source = process.env.ORRERY_HOME ? 'from ORRERY_HOME' : 'the default';
  console.error(
    `orrery: no token made: ${home} (${source}) is not a data folder Orrery made (no secrets.json there), so\n` +
      '  Orrery would refuse its tokens. Set ORRERY_HOME to the folder `npm start` printed after "Data:",\n' +
      '  or run `npm start` with this ORRERY_HOME first.',
  );
  process.exit(2);
}
console.error(`orrery: data folder ${home}`);
const users = new UserDirectory(paths.users, paths.loginCodes, await LocalIssuer.open(paths.secrets));
const kept = users.upsert(user, { teams: values.team ?? [], ...(values.admin ? { admin: true } : {}) });
const hours = Number(values.hours ?? 12);
console.error(
  `orrery: ${user} (teams: ${kept.teams.join(', ') || 'none'}${kept.admin ? ', admin' : ''}), valid ${hours} h`,
);
console.log(await users.tokenFor(user, Math.round(hours * 3600)));
