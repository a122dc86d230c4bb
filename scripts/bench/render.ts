// Renders a generated adversarial corpus and prints ms per KB per input kind, the worst case, and the ratio
// time(1 MB) / time(100 KB) per kind (linear with slack: at most 15). Each input renders in a worker thread that
// is stopped past --limit-ms, so a superlinear renderer (such as an older checkout) cannot hang the bench.
// Usage: npm run bench:render [-- --root <checkout> --sizes 10k,100k,1m,4m --limit-ms 30000 --random 1000 --parser off]
import { resolve } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

type Part = 'markdown' | 'stream' | 'html' | 'mixed' | 'worst';
interface Kind {
  name: string;
  part: Part;
  make: (bytes: number) => string;
}

const repeat = (unit: string, bytes: number): string => unit.repeat(Math.max(1, Math.floor(bytes / unit.length)));
const stairs = (bytes: number): string => {
  let text = '';
  for (let i = 0; text.length < bytes; i += 1) text += `${' '.repeat((i % 40) * 2)}- item\n`;
  return text;
};
const backtickRuns = (bytes: number): string => {
  let text = '';
  for (let width = 1; text.length < bytes; width += 1) text += `${'`'.repeat(width)}a`;
  return text;
};
const ordinary = [
  '# Quarterly report\n\n',
  'Revenue grew **12 %** over *the* quarter; see [the dashboard](https://example.com/d) and `df.describe()`.\n\n',
  '- North: $r_n = \\sum_i x_i$\n- South: \\(r_s\\) with a [ref][r]\n  1. nested item\n  2. another\n\n',
  '> A quote with _emphasis_\n\n',
  '| region | sales |\n|:--|--:|\n| north | 10 |\n| south | 12 |\n\n',
  '```python\nfor x in range(3):\n    print(x)\n```\n\n',
  '$$\n\\int_0^1 f(x)\\,dx\n$$\n\n[r]: https://example.com/r\n\n',
].join('');

// A header of n columns over n one-cell rows: marked pads each row to n cells (n² from 4n characters).
const squareTable = (bytes: number) => {
  const n = Math.max(1, Math.floor(bytes / 6));
  return `|${'a|'.repeat(n)}\n|${'-|'.repeat(n)}\n${'a\n'.repeat(n)}`;
};

/** The inputs of the security review, what it feared in marked and sanitize-html, and one ordinary document. */
const KINDS: Kind[] = [
  { name: 'display math unclosed \\[x', part: 'markdown', make: (b) => repeat('\\[x\n\n', b) },
  { name: 'inline math unclosed a \\(', part: 'markdown', make: (b) => repeat('a \\(', b) },
  { name: 'math before emphasis \\( *a', part: 'markdown', make: (b) => repeat('\\( *a ', b) },
  { name: 'underscores in a word _a', part: 'markdown', make: (b) => repeat('_a', b) },
  { name: 'strong openers **a', part: 'markdown', make: (b) => repeat('**a', b) },
  { name: 'emphasis openers _www.', part: 'markdown', make: (b) => repeat('_www.', b) },
  { name: 'quotes nested >>>', part: 'markdown', make: (b) => `${repeat('>', b)} a` },
  { name: 'lists nested - - -', part: 'markdown', make: (b) => `${repeat('- ', b)}a` },
  { name: 'list indent stairs', part: 'markdown', make: stairs },
  { name: 'list item lazy lines', part: 'markdown', make: (b) => `- a\n${repeat('b\n', b)}` },
  {
    name: 'many link refs',
    part: 'markdown',
    make: (b) => `${repeat('[a]: /u\n', b / 2)}\n${repeat('[a] [b][a] ', b / 2)}`,
  },
  { name: 'huge table', part: 'markdown', make: (b) => `|a|b|\n|-|-|\n${repeat('|x|y|\n', b)}` },
  { name: 'square table (n columns, n rows)', part: 'markdown', make: (b) => squareTable(b) },
  { name: 'long line of <', part: 'markdown', make: (b) => repeat('<', b) },
  { name: 'backtick runs 1..n', part: 'markdown', make: backtickRuns },
  { name: 'ordinary document', part: 'markdown', make: (b) => repeat(ordinary, b) },
  { name: 'stream \\r progress', part: 'stream', make: (b) => `${repeat('\r', b)}x` },
  { name: 'stream ANSI colours', part: 'stream', make: (b) => repeat('\x1b[38;5;100mx\x1b[1;31m!\x1b[0m ', b) },
  { name: 'html nested divs', part: 'html', make: (b) => repeat('<div>', b) },
  {
    name: 'html table',
    part: 'html',
    make: (b) => `<table>${repeat('<tr><td class="c">1</td><td>2</td></tr>', b)}</table>`,
  },
  { name: 'notebook of many cells', part: 'mixed', make: (b) => String(b) },
  { name: 'worst kinds in one notebook', part: 'worst', make: (b) => String(b) },
];

// The costliest kinds per byte together: markdown past the page's allowance, then HTML tables and ANSI output.
const worstCells = (bytes: number) => {
  const markdown = (text: string) => ({ cell_type: 'markdown', metadata: {}, source: text });
  const output = (out: Record<string, unknown>) => ({
    cell_type: 'code',
    metadata: {},
    source: 'x',
    execution_count: 1,
    outputs: [out],
  });
  // Three markdown cells that together just fit the default allowance of 256 Ki characters.
  const text = Math.min(Math.floor(bytes / 8), 87_000);
  const share = Math.floor((bytes - 3 * text) / 5);
  return [
    markdown(`|a|b|\n|-|-|\n${repeat('|x|y|\n', text)}`),
    markdown(repeat('<', text)),
    markdown(repeat('\\[x\n\n', text)),
    output({
      output_type: 'display_data',
      metadata: {},
      data: { 'text/html': `<table>${repeat('<tr><td>1</td><td>2</td></tr>', 2 * share)}</table>` },
    }),
    output({ output_type: 'stream', name: 'stdout', text: repeat('\x1b[38;5;100mx\x1b[1;31m!\x1b[0m ', 2 * share) }),
    output({ output_type: 'display_data', metadata: {}, data: { 'text/html': repeat('<div>', share) } }),
  ];
};

// A plausible notebook: per 20 KB, a markdown cell, code, a log, a pandas table and a small PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const mixedCells = (bytes: number) =>
  Array.from({ length: Math.max(1, Math.round(bytes / 20_480)) }, (_, i) => [
    { cell_type: 'markdown', metadata: {}, source: repeat(ordinary, 3000) },
    {
      cell_type: 'code',
      metadata: {},
      source: repeat(`df = load(${i})\nprint(df.head())\n`, 1000),
      execution_count: i,
      outputs: [
        { output_type: 'stream', name: 'stdout', text: repeat('epoch 1/10 loss=0.123 \x1b[32mok\x1b[0m\n', 4000) },
        {
          output_type: 'execute_result',
          execution_count: i,
          metadata: {},
          data: {
            'text/html': `<table>${repeat('<tr><td>1</td><td>2.5</td></tr>', 8000)}</table>`,
            'text/plain': 'df',
          },
        },
        { output_type: 'display_data', metadata: {}, data: { 'image/png': PNG.repeat(40), 'text/plain': '<Figure>' } },
      ],
    },
  ]).flat();

const notebookOf = (part: Part, text: string) => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  cells:
    part === 'mixed'
      ? mixedCells(Number(text))
      : part === 'worst'
        ? worstCells(Number(text))
        : part === 'markdown'
          ? [{ cell_type: 'markdown', metadata: {}, source: text }]
          : [
              {
                cell_type: 'code',
                metadata: {},
                source: 'x',
                execution_count: 1,
                outputs: [
                  part === 'stream'
                    ? { output_type: 'stream', name: 'stdout', text }
                    : { output_type: 'display_data', metadata: {}, data: { 'text/html': text } },
                ],
              },
            ],
});

// A seeded stream of short markdown, math and ANSI strings, dense in delimiters.
const PIECES = [
  '$',
  '$$',
  '\\(',
  '\\)',
  '\\[',
  '\\]',
  '\\',
  '`',
  '```\n',
  '*',
  '**',
  '_',
  '~~',
  'a',
  'word ',
  ' ',
  '\n',
  '\n\n',
  '- ',
  '1. ',
  '> ',
  '# ',
  '[',
  ']',
  '(',
  ')',
  '<b>',
  '</b>',
  '<div>',
  '|',
  '---',
  'x@y.z',
  'http://a.b/c',
  'www.x.y',
  '\x1b[31m',
  '\x1b[0m',
  '\x1b[38;5;200m',
  '\r',
  '&amp;',
  'é',
  '😀',
];
const randomStrings = (count: number, seed: number): string[] => {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: 20 + (next() % 2000) }, () => PIECES[next() % PIECES.length]).join(''),
  );
};

interface Job {
  root: string;
  kind?: string;
  bytes?: number;
  random?: { count: number; seed: number };
  markdownChars?: number;
}

// The worker: renders one input (after a small one, so the JIT is warm) and reports how long it took.
const runJob = async (job: Job) => {
  const { renderNotebookHtml } = await import(`${job.root}/functions/src/domain/rendering/notebook-html.ts`);
  const render = (part: Part, text: string) =>
    renderNotebookHtml(notebookOf(part, text), {
      title: 'bench',
      ...(job.markdownChars ? { markdownChars: job.markdownChars } : {}),
    }) as string;
  if (job.random) {
    const strings = randomStrings(job.random.count, job.random.seed);
    const times = strings.map((text, i) => {
      const started = performance.now();
      render('markdown', text);
      render('stream', text);
      return { ms: performance.now() - started, kb: (2 * text.length) / 1024, i };
    });
    parentPort!.postMessage({ times });
    return;
  }
  const kind = KINDS.find((k) => k.name === job.kind)!;
  render(kind.part, kind.make(2048));
  const text = kind.make(job.bytes!);
  // Every input is timed three times and the fastest counts (a lone run is mostly noise and garbage collection),
  // except one that took seconds: an older, superlinear checkout has no time to spare.
  let best = Number.POSITIVE_INFINITY;
  let html = '';
  for (let run = 0; run < 3 && (run === 0 || best < 5000); run += 1) {
    const started = performance.now();
    html = render(kind.part, text);
    best = Math.min(best, performance.now() - started);
  }
  const size =
    kind.part === 'mixed' || kind.part === 'worst' ? JSON.stringify(notebookOf(kind.part, text)).length : text.length;
  parentPort!.postMessage({ ms: best, chars: size, plain: html.includes('<p class="nb-render-note">') });
};

/** A worker's answer: one measurement or the random corpus's times; neither when it timed out or failed. */
interface Answer {
  ms?: number;
  chars?: number;
  plain?: boolean;
  times?: Array<{ ms: number; kb: number; i: number }>;
  timedOut?: boolean;
  error?: string;
}

const inWorker = (job: Job, limitMs: number): Promise<Answer> =>
  new Promise((done) => {
    // The worker loads this file through tsx, which a worker does not inherit from the main thread's --import.
    const here = JSON.stringify(import.meta.url);
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${here}); })`;
    const worker = new Worker(boot, { eval: true, workerData: job, resourceLimits: { maxOldGenerationSizeMb: 4096 } });
    const timer = setTimeout(() => void worker.terminate().then(() => done({ timedOut: true })), limitMs);
    worker.once('message', (message) => {
      clearTimeout(timer);
      void worker.terminate().then(() => done(message));
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      done({ error: String(error).slice(0, 120) });
    });
  });

const SIZE_NAMES: Record<string, number> = {
  '10k': 10 * 1024,
  '100k': 100 * 1024,
  '1m': 1024 * 1024,
  '4m': 4 * 1024 * 1024,
};

const main = async () => {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: resolve(import.meta.dirname, '..', '..') },
      sizes: { type: 'string', default: '10k,100k,1m,4m' },
      'limit-ms': { type: 'string', default: '30000' },
      random: { type: 'string', default: '1000' },
      kinds: { type: 'string' },
      // The second table lifts the page's markdown allowance, which an older checkout does not have.
      parser: { type: 'string', default: 'on' },
    },
  });
  const root = resolve(values.root);
  const limitMs = Number(values['limit-ms']);
  const sizes = values.sizes.split(',').map((s) => [s, SIZE_NAMES[s] ?? Number(s)] as const);
  const kinds = values.kinds ? KINDS.filter((k) => values.kinds!.split(',').some((w) => k.name.includes(w))) : KINDS;
  console.log(
    `render bench: ${root}, sizes ${values.sizes}, ${limitMs} ms per input, load ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`${'kind'.padEnd(30)}${sizes.map(([s]) => s.padStart(12)).join('')}   ms/KB(largest)  1MB/100KB`);
  let worst = { ms: 0, what: '' };
  let ratioFailures = 0;
  for (const kind of kinds) {
    const cells: string[] = [];
    const ms: Record<string, number> = {};
    let stopped = false;
    let last = '';
    for (const [name, bytes] of sizes) {
      if (stopped) {
        cells.push('skipped'.padStart(12));
        continue;
      }
      const result = await inWorker({ root, kind: kind.name, bytes }, limitMs);
      if (result.timedOut || result.error) {
        cells.push((result.timedOut ? `>${limitMs / 1000}s` : 'error').padStart(12));
        stopped = true;
        continue;
      }
      const took = result.ms!;
      ms[name] = took;
      last = `${(took / (result.chars! / 1024)).toFixed(3)}`;
      cells.push(`${took.toFixed(0)}${result.plain ? '*' : ''}`.padStart(12));
      if (took > worst.ms) worst = { ms: took, what: `${kind.name} at ${name}` };
    }
    const ratio = ms['1m'] !== undefined && ms['100k'] !== undefined ? ms['1m'] / Math.max(ms['100k'], 1) : undefined;
    if (ratio !== undefined && ratio > 15) ratioFailures += 1;
    console.log(
      `${kind.name.padEnd(30)}${cells.join('')}   ${last.padStart(13)}  ` +
        (ratio === undefined ? '-' : ratio.toFixed(1)),
    );
  }
  console.log("(* = shown as plain text under a note: past a per-cell work bound or the page's markdown allowance)");
  // The same markdown with the page allowance lifted: the parser's own cost, bounded only per cell.
  if (values.parser !== 'off')
    console.log(
      `\nmarkdown without the page's markdown allowance${''.padEnd(4)}100k          1m   ms/KB(1m)  1MB/100KB`,
    );
  for (const kind of values.parser !== 'off' ? kinds.filter((k) => k.part === 'markdown') : []) {
    const small = await inWorker({ root, kind: kind.name, bytes: SIZE_NAMES['100k']!, markdownChars: 1e12 }, limitMs);
    const big =
      small.timedOut || small.error
        ? { timedOut: true }
        : await inWorker({ root, kind: kind.name, bytes: SIZE_NAMES['1m']!, markdownChars: 1e12 }, limitMs);
    const show = (r: Answer) =>
      (r.timedOut ? `>${limitMs / 1000}s` : r.error ? 'error' : `${r.ms!.toFixed(0)}${r.plain ? '*' : ''}`).padStart(
        12,
      );
    const ratio = big.ms !== undefined && small.ms !== undefined ? big.ms / Math.max(small.ms, 1) : undefined;
    if (ratio !== undefined && ratio > 15) ratioFailures += 1;
    const perKb = big.ms !== undefined ? (big.ms / (big.chars! / 1024)).toFixed(3) : '-';
    console.log(
      `${kind.name.padEnd(30)}${show(small)}${show(big)}   ${perKb.padStart(9)}  ` +
        (ratio === undefined ? '-' : ratio.toFixed(1)),
    );
  }
  const count = Number(values.random);
  if (count > 0) {
    const result = await inWorker({ root, random: { count, seed: 11 } }, limitMs * 4);
    if (result.timedOut || result.error)
      console.log(`random corpus (${count} strings): ${result.timedOut ? 'did not finish' : result.error}`);
    else {
      const times = result.times as Array<{ ms: number; kb: number; i: number }>;
      const total = times.reduce((sum, t) => sum + t.ms, 0);
      const kb = times.reduce((sum, t) => sum + t.kb, 0);
      const slowest = times.reduce((a, b) => (b.ms / b.kb > a.ms / a.kb ? b : a));
      console.log(
        `random corpus (${count} seeded markdown/math/ANSI strings, each as a markdown cell and a stream): ` +
          `${total.toFixed(0)} ms for ${kb.toFixed(0)} KB, ${(total / kb).toFixed(3)} ms/KB, ` +
          `slowest #${slowest.i} ${slowest.ms.toFixed(1)} ms (${(slowest.ms / slowest.kb).toFixed(3)} ms/KB)`,
      );
      if (slowest.ms > worst.ms) worst = { ms: slowest.ms, what: `random string #${slowest.i}` };
    }
  }
  console.log(
    `worst case: ${worst.ms.toFixed(0)} ms (${worst.what}); target for a notebook up to 4 MB: 2000 ms; ` +
      `kinds over the 1MB/100KB ratio of 15: ${ratioFailures}`,
  );
};

if (isMainThread) await main();
else await runJob(workerData as Job);
