import { tinyNotebook } from '../../support/notebooks.ts';

/** A small notebook unique to one iteration, so its sha256 names exactly one commit. */
export const uniqueNotebook = (label: string): string =>
  tinyNotebook(`fault ${label} ${Math.random().toString(36).slice(2)}`);

/**
 * A notebook of about `kb` KB: the bigger the body, the longer storage takes to write it, the wider the window a fault
 * can hit.
 */
export const bigNotebook = (kb: number): string => {
  const source = Array.from({ length: kb }, (_, i) => `${String(i).padStart(6, '0')} ${'x'.repeat(1016)}\n`);
  return tinyNotebook('big', { cells: [{ id: 'big', cell_type: 'markdown', metadata: {}, source }] });
};

/** A notebook that runs for about `seconds`, so a fault can strike while its kernel works. */
export const sleepyNotebook = (seconds: number): string =>
  tinyNotebook('sleepy', {
    cells: [
      {
        id: 'p',
        cell_type: 'code',
        metadata: { tags: ['parameters'] },
        source: `seconds = ${seconds}\n`,
        outputs: [],
        execution_count: null,
      },
      {
        id: 's',
        cell_type: 'code',
        metadata: {},
        source: 'import time\ntime.sleep(seconds)\nprint("slept", seconds)\n',
        outputs: [],
        execution_count: null,
      },
    ],
  });
