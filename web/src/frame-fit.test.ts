import { describe, expect, it } from 'vitest';
import { fittedFrameHeight, NOTEBOOK_FRAME_SANDBOX, type MeasurableFrame } from './frame-fit.ts';

const frame = (document: number, viewport: number, inner: number, borders = 2): MeasurableFrame => ({
  offsetHeight: viewport + borders,
  clientHeight: viewport,
  contentWindow: { innerHeight: inner },
  contentDocument: { documentElement: { clientHeight: viewport, getBoundingClientRect: () => ({ height: document }) } },
});

describe('the rendered-notebook frame', () => {
  it('is as tall as its document and its borders, so nothing is cut and no blank space is left', () => {
    expect(fittedFrameHeight(frame(1234.2, 384, 384))).toBe(1237);
    expect(fittedFrameHeight(frame(90, 384, 384))).toBe(92);
  });

  it('adds the height of a horizontal scrollbar when the document has one', () => {
    expect(fittedFrameHeight(frame(500, 369, 384))).toBe(517);
  });

  it('keeps its height while the document cannot be read', () => {
    expect(fittedFrameHeight({ ...frame(500, 384, 384), contentDocument: null })).toBeNull();
  });

  it('is sandboxed without scripts, so same-origin (for measuring) gives the document nothing to run', () => {
    const tokens = NOTEBOOK_FRAME_SANDBOX.split(' ');
    expect(tokens).toContain('allow-same-origin');
    expect(tokens.filter((t) => /scripts|forms|top-navigation|modals/.test(t))).toEqual([]);
  });
});
