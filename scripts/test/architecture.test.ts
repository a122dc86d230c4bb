import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type ICruiseOptions, type IViolation } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The layer rules live in .dependency-cruiser.cjs; this runs them with `npm test` over the code they govern.
const ROOT = join(import.meta.dirname, '..', '..');
const GOVERNED = ['functions/src', 'infra', 'web/src'];

const optionsOf = async (): Promise<ICruiseOptions> => extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));

/** One line per violation: the rule, then the import (or the whole cycle) that breaks it. */
const describeViolation = (v: IViolation): string => {
  const path = v.cycle?.length ? [v.from, ...v.cycle.map((c) => c.name)] : [v.from, v.to];
  return `${v.rule.name}: ${path.join(' → ')}`;
};

const cruiseFrom = async (baseDir: string, paths: string[], options: ICruiseOptions, tsConfigFile?: string) => {
  const transpile = tsConfigFile ? { tsConfig: extractTSConfig(join(baseDir, tsConfigFile)) } : undefined;
  const { output } = await cruise(paths, { ...options, baseDir }, {}, transpile);
  if (typeof output === 'string') throw new Error('dependency-cruiser answered text; expected its result object');
  return output;
};

const isSource = (name: string) => /\.tsx?$/.test(name) && !name.endsWith('.d.ts');
const typeScriptFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? typeScriptFiles(join(dir, e.name)) : isSource(e.name) ? [join(dir, e.name)] : [],
  );

describe('the layer rules (.dependency-cruiser.cjs)', () => {
  let result: Awaited<ReturnType<typeof cruiseFrom>>;

  beforeAll(async () => {
    result = await cruiseFrom(ROOT, GOVERNED, await optionsOf(), 'tsconfig.json');
  }, 60_000);

  it('hold over functions/src, infra/ and web/src, listing every import that breaks one', () => {
    // Prepare
    const violations = result.summary.violations;

    // Act
    const listed = violations.map(describeViolation);

    // Assess
    expect(listed).toEqual([]);
  });

  it('read every TypeScript file of functions/src, so a parser that skipped them cannot pass for a clean tree', () => {
    // Prepare
    const expected = typeScriptFiles('functions/src');

    // Act
    const cruised = new Set(result.modules.map((m) => m.source));
    const client = result.modules.find((m) => m.source === 'web/src/api-client.ts');

    // Assess
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.filter((file) => !cruised.has(file))).toEqual([]);
    expect(client?.dependencies.map((d) => d.resolved)).toContain('functions/src/contracts/index.ts');
  });
});

describe('the layer rules on a tree that breaks them', () => {
  const home = mkdtempSync(join(tmpdir(), 'orrery-architecture-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), text);
  };

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('name the rule and the import for each layer crossed and for a cycle of type-only imports', async () => {
    // Prepare
    const files: Record<string, string[]> = {
      'functions/src/adapters/aws/store.ts': ['export class Store {}'],
      'functions/src/domain/rule.ts': [
        "import { Store } from '../adapters/aws/store.ts';",
        'export const rule = Store;',
      ],
      'functions/src/domain/a.ts': ["import type { B } from './b.ts';", 'export interface A { b?: B }'],
      'functions/src/domain/b.ts': ["import type { A } from './a.ts';", 'export interface B { a?: A }'],
      'functions/src/use-cases/act.ts': [
        "import type { Store } from '../adapters/aws/store.ts';",
        'export type Act = Store;',
      ],
      'functions/src/handlers/http/route.ts': [
        "import { Store } from '../../adapters/aws/store.ts';",
        'export const r = Store;',
      ],
      'functions/src/contracts/index.ts': ['export const CONTRACT = 1;'],
      'functions/src/composition/wire.ts': [
        "import type { SFNClient } from '@aws-sdk/client-sfn';",
        'export type W = SFNClient;',
      ],
      'infra/lib/stack.ts': [
        "import { rule } from '../../functions/src/domain/rule.ts';",
        'export const stack = rule;',
      ],
    };
    for (const [path, lines] of Object.entries(files)) write(path, `${lines.join('\n')}\n`);

    // Act
    const output = await cruiseFrom(home, ['functions/src', 'infra'], { ...(await optionsOf()), tsConfig: undefined });
    const broken = output.summary.violations.map((v) => `${v.rule.name}: ${v.from}`);

    // Assess
    expect(broken).toEqual(
      expect.arrayContaining([
        'domain-imports-only-domain: functions/src/domain/rule.ts',
        'no-cycles: functions/src/domain/a.ts',
        'use-cases-import-only-domain-and-ports: functions/src/use-cases/act.ts',
        'handlers-no-adapters: functions/src/handlers/http/route.ts',
        'aws-sdk-only-in-adapters-aws: functions/src/composition/wire.ts',
        'infra-and-web-only-through-contracts: infra/lib/stack.ts',
      ]),
    );
  });
});
