// Installs the npm dependencies on first run (or when package-lock.json changed) using only Node's built-ins,
// so `npm start` and `npm test` work on a fresh clone with nothing else done first.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');

const stale = () =>
  !existsSync(installed) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(installed).mtimeMs);

// aws-local-stepfunctions 3.0.0, the only release there is, declares Node >= 22; the one newer API it calls,
// Promise.withResolvers, is polyfilled (functions/src/adapters/local/promise-with-resolvers.ts), and its tests run on
// Node 20. npm has no switch for one package's engine warning, so this install says that instead of npm's alarm.
const KNOWN_ENGINE = /package: 'aws-local-stepfunctions@3\.0\.0'/;
const ENGINE_NOTE =
  'orrery: aws-local-stepfunctions 3 asks for Node 22; Orrery runs it on Node 20 (README, Quick start)\n';

/** Runs npm, passing its messages through but for the engine warning above; resolves with its exit status. */
const install = (npm, args) =>
  new Promise((resolve) => {
    const child = spawn(npm, args, { cwd: root, stdio: ['inherit', 'inherit', 'pipe'] });
    let block = null;
    let rest = '';
    const line = (text) => {
      if (block === null && !/^npm warn EBADENGINE Unsupported engine \{/.test(text))
        return process.stderr.write(`${text}\n`);
      block = `${block ?? ''}${text}\n`;
      if (!/^npm warn EBADENGINE \}/.test(text)) return;
      process.stderr.write(KNOWN_ENGINE.test(block) ? ENGINE_NOTE : block);
      block = null;
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      lines.forEach(line);
    });
    child.on('close', (code) => {
      if (rest) line(rest);
      if (block) process.stderr.write(block);
      resolve(code);
    });
  });

if (stale()) {
  const args = existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.error(`orrery: installing dependencies (npm ${args[0]}) — first run only`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const status = await install(npm, args);
  if (status !== 0) {
    console.error('orrery: npm install failed; see the output above (is the npm registry reachable?)');
    process.exit(status ?? 1);
  }
}
