import { describe, expect, it } from 'vitest';
import { MathScan } from '../../../../src/domain/rendering/math-scan.ts';
import { WorkMeter } from '../../../../src/domain/rendering/render-limits.ts';

// The patterns MathScan answers for, as the renderer ran them before it scanned once: the oracle.
const INLINE = [
  { pattern: /\$\$(?:\\[\s\S]|[^\\$]|\$(?!\$))+?\$\$/y, display: true },
  { pattern: /\$(?:\\[\s\S]|[^\\$])+?\$/y, display: false },
  { pattern: /\\\[[\s\S]+?\\\]/y, display: true },
  { pattern: /\\\([\s\S]+?\\\)/y, display: false },
];
const DISPLAY = String.raw`\$\$(?:\\[\s\S]|[^\\$]|\$(?!\$))+?\$\$|\\\[(?:[^\\]|\\[^\]])+?\\\]`;
const BLOCK = new RegExp(String.raw`^ {0,3}(${DISPLAY}) *(?:\n+|$)`);
const CODE = /(`+)(?:[^`]|[^`][\s\S]*?[^`])\1(?!`)/y;

const inlineOracle = (src: string, at: number) => {
  for (const { pattern, display } of INLINE) {
    pattern.lastIndex = at;
    const raw = pattern.exec(src)?.[0];
    if (raw) return { end: at + raw.length, display };
  }
  return undefined;
};

const blockOracle = (src: string, at: number) => {
  const match = BLOCK.exec(src.slice(at));
  return match ? { rawEnd: at + match[0].length, math: match[1] } : undefined;
};

const codeOracle = (src: string, at: number): number => {
  CODE.lastIndex = at;
  const match = CODE.exec(src);
  return match ? at + match[0].length : -1;
};

// A seeded generator of strings dense in delimiters, escapes, backticks and line breaks.
const PIECES = [
  '$',
  '$$',
  '\\',
  '\\\\',
  '\\(',
  '\\)',
  '\\[',
  '\\]',
  '`',
  '``',
  'a',
  ' ',
  '   ',
  '\n',
  '\n\n',
  '*',
  '_',
  ']',
];
const strings = (count: number, seed: number): string[] => {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state >>> 8;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 1 + (next() % 30) }, () => PIECES[next() % PIECES.length]).join(''),
  );
};

describe('MathScan', () => {
  it('finds exactly the inline math, display blocks and code spans the patterns find, at every position', () => {
    // Prepare
    const samples = strings(3000, 7);
    const mismatches: string[] = [];

    // Act
    for (const src of samples) {
      const scan = new MathScan(src, new WorkMeter());
      for (let at = 0; at < src.length; at += 1) {
        const block = scan.blockAt(at);
        const inline = scan.inlineAt(at);
        const got = {
          inline,
          block: block && { rawEnd: block.rawEnd, math: src.slice(block.mathStart, block.mathEnd) },
        };
        const want = { inline: inlineOracle(src, at), block: blockOracle(src, at) };
        if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${JSON.stringify(src)} @${at}`);
        if (src[at] === '`' && scan.codeSpanAt(at) !== codeOracle(src, at))
          mismatches.push(`code ${JSON.stringify(src)} @${at}`);
      }
    }

    // Assess
    expect(samples.reduce((sum, src) => sum + src.length, 0)).toBeGreaterThan(30_000);
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('reads each character a bounded number of times however many delimiters never close', () => {
    // Prepare
    const meters = [new WorkMeter(), new WorkMeter()];
    const sources = [1000, 4000].map((n) => '\\[x\n\na \\( $ `` '.repeat(n));

    // Act
    sources.forEach((src, i) => {
      const scan = new MathScan(src, meters[i]!);
      scan.ranges();
      for (let at = 0; at < src.length; at += 7) scan.nextBlockStart(at);
    });

    // Assess
    expect(meters[1]!.spent).toBeLessThanOrEqual(4.5 * meters[0]!.spent);
  });
});
