import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
// The packages of the lock file that run an install script, by name (npm's allowScripts keys).
const scripted = (): string[] =>
  Object.entries((json('package-lock.json') as { packages: Record<string, { hasInstallScript?: boolean }> }).packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
const allowed = (): string[] => Object.keys((json('package.json') as { allowScripts: object }).allowScripts);

describe('install scripts', () => {
  it('are each reviewed in allowScripts, so npm ci names none as not covered', () => {
    expect(scripted().length).toBeGreaterThan(0);
    expect(scripted().filter((name) => !allowed().includes(name))).toEqual([]);
  });

  it('are allowed only for packages that still have one, so no approval outlives its reason', () => {
    expect(allowed().filter((name) => !scripted().includes(name))).toEqual([]);
  });
});
