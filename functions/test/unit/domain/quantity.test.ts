import { describe, expect, it } from 'vitest';
import { formatCpu, formatMemory, parseCpu, parseMemory } from '../../../src/domain/quantity.ts';

const GI = 1024 ** 3;
const MI = 1024 ** 2;

describe('parseCpu', () => {
  it.each([
    ['500m', 500],
    ['1.1', 1100],
    ['2', 2000],
    ['0.5', 500],
    ['0.001', 1],
    ['1500m', 1500],
    [' 250m ', 250],
    [2, 2000],
    [0.25, 250],
    [1.1, 1100],
  ] as const)('reads %j as %i millicores', (input, millis) => {
    // Prepare
    const value = input;
    // Act
    const parsed = parseCpu(value);
    // Assess
    expect(parsed).toBe(millis);
  });

  it('reads every core count written with up to three decimals as its exact millicores, despite floating point', () => {
    // Prepare: 1.005 * 1000 is 1004.9999999999999 in floating point.
    const written = Array.from({ length: 8000 }, (_, i) => ({ millis: i + 1, text: ((i + 1) / 1000).toFixed(3) }));
    // Act
    const wrong = written.filter(({ millis, text }) => parseCpu(text) !== millis || parseCpu(Number(text)) !== millis);
    // Assess
    expect(wrong).toEqual([]);
  });

  it.each([
    '',
    'abc',
    '2 cores',
    '1e3',
    '-1',
    '-500m',
    '0',
    '0m',
    '0.0',
    '0.0001',
    '0.0005',
    '1.5m',
    '500M',
    '500mm',
    'm',
    '.5',
    0,
    -1,
    0.0001,
    Number.NaN,
  ])('refuses %j: junk, zero, negative or finer than a millicore', (input) => {
    // Prepare
    const value = input;
    // Act
    const parsed = parseCpu(value);
    // Assess
    expect(parsed).toBeNull();
  });
});

describe('parseMemory', () => {
  it.each([
    ['4Gi', 4 * GI],
    ['512Mi', 512 * MI],
    ['1G', 1e9],
    ['1.5Gi', 1.5 * GI],
    ['64Ki', 64 * 1024],
    ['1Ti', 1024 ** 4],
    ['2M', 2e6],
    ['3k', 3000],
    ['128974848', 128974848],
    [1024, 1024],
  ] as const)('reads %j as %i bytes', (input, bytes) => {
    // Prepare
    const value = input;
    // Act
    const parsed = parseMemory(value);
    // Assess
    expect(parsed).toBe(bytes);
  });

  it.each([
    '',
    'lots',
    '4GB',
    '4gi',
    '4 Gi',
    '-1Gi',
    '0',
    '0Gi',
    '0.0Mi',
    'Gi',
    '4Gi4',
    '0.5',
    0,
    -4,
    Number.POSITIVE_INFINITY,
  ])('refuses %j: junk, zero or negative', (input) => {
    // Prepare
    const value = input;
    // Act
    const parsed = parseMemory(value);
    // Assess
    expect(parsed).toBeNull();
  });
});

describe('formatCpu and formatMemory', () => {
  it('writes whole cores without a suffix and the rest in millicores', () => {
    // Prepare
    const values = [2000, 1500, 500, 1, 1000];
    // Act
    const written = values.map(formatCpu);
    // Assess
    expect(written).toEqual(['2', '1500m', '500m', '1m', '1']);
  });

  it('writes memory in the largest binary unit that divides it, else in bytes', () => {
    // Prepare
    const values = [4 * GI, 1536 * MI, 2 * 1024 ** 4, 64 * 1024, 1e9, 1000];
    // Act
    const written = values.map(formatMemory);
    // Assess
    expect(written).toEqual(['4Gi', '1536Mi', '2Ti', '64Ki', '1000000000', '1000']);
  });

  it('reads back every CPU quantity it writes, from 1m to 64 cores', () => {
    // Prepare
    const millis = [...Array.from({ length: 5000 }, (_, i) => i + 1), 8000, 16_000, 64_000, 12_345];
    // Act
    const mismatches = millis.filter((m) => parseCpu(formatCpu(m)) !== m);
    // Assess
    expect(mismatches).toEqual([]);
  });

  it('reads back every memory quantity it writes, in every unit', () => {
    // Prepare
    const bytes = [
      1,
      1000,
      1023,
      1024,
      1025,
      3 * 1024,
      1e9,
      512 * MI,
      1536 * MI,
      4 * GI,
      7 * GI + MI,
      32 * GI,
      3 * 1024 ** 4,
    ];
    // Act
    const mismatches = bytes.filter((b) => parseMemory(formatMemory(b)) !== b);
    // Assess
    expect(mismatches).toEqual([]);
  });

  it('writes a parsed quantity the way kubectl would, whatever spelling it came in', () => {
    // Prepare
    const cpu = ['0.5', '500m', '2', '2000m', '1.1'];
    const memory = ['1.5Gi', '1536Mi', '4096Mi', '4Gi', '1048576Ki'];
    // Act
    const cpuOut = cpu.map((c) => formatCpu(parseCpu(c)!));
    const memoryOut = memory.map((m) => formatMemory(parseMemory(m)!));
    // Assess
    expect(cpuOut).toEqual(['500m', '500m', '2', '2', '1100m']);
    expect(memoryOut).toEqual(['1536Mi', '1536Mi', '4Gi', '4Gi', '1Gi']);
  });
});
