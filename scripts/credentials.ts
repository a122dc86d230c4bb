// `npm run -s credentials -- --role <name> [--api <url>] [--duration <s>]`: AWS credential_process helper. Prints
// `{"Version":1,"AccessKeyId",…,"Expiration"}` for a role you hold, with the bearer token from ORRERY_TOKEN or
// ORRERY_TOKEN_FILE; in ~/.aws/config: `credential_process = npm --prefix /path/to/orrery run -s credentials -- …`.
import { credentialProcess } from './credential-process.ts';

const result = await credentialProcess({ argv: process.argv.slice(2), env: process.env });
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.code;
