import type { Output } from '../nbformat.ts';
import { ansiToHtml } from './ansi.ts';
import { escapeHtml, textOf } from './html-text.ts';
import { renderMimeBundle } from './mime-renderers.ts';
import { capText, truncationMarker } from './output-cap.ts';
import { RenderBudget } from './render-limits.ts';

type OutputOf<K extends Output['output_type']> = Extract<Output, { output_type: K }>;
type OutputRenderers = { [K in Output['output_type']]: (output: OutputOf<K>, budget: RenderBudget) => string };

type StreamOutput = OutputOf<'stream'>;

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

const prompt = (label: string): string => `<div class="nb-prompt nb-output-prompt">${label}</div>`;

const outputBlock = (kind: string, label: string, body: string): string =>
  `<div class="nb-output nb-output-${kind}">${prompt(label)}<div class="nb-output-area">${body}</div></div>`;

/**
 * Keeps what a terminal would show of each line: a \r moves back to the line's start, so only the text after the
 * last \r that is followed by more text remains (progress bars rely on it). One pass, each line read once from
 * its end.
 */
export const applyCarriageReturns = (text: string): string =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => {
      let end = line.length;
      while (end > 0 && line.charCodeAt(end - 1) === 13) end -= 1;
      return end > 0 ? line.slice(line.lastIndexOf('\r', end - 1) + 1) : line;
    })
    .join('\n');

const cappedAnsi = (text: string, budget: RenderBudget): { html: string; marker: string } => {
  const { head, omittedBytes } = capText(text, budget.limits.maxOutputBytes);
  return { html: ansiToHtml(head), marker: truncationMarker(omittedBytes) };
};

const renderStream = (output: StreamOutput, budget: RenderBudget): string => {
  const { html, marker } = cappedAnsi(applyCarriageReturns(textOf(output.text) ?? ''), budget);
  const body = `<pre class="nb-stream nb-stream-${output.name}">${html}</pre>${marker}`;
  return outputBlock(`stream nb-output-${output.name}`, '', body);
};

type RichOutput = OutputOf<'display_data' | 'execute_result'>;

const renderRich = (kind: string, label: string, output: RichOutput, budget: RenderBudget): string => {
  const body = renderMimeBundle(output.data, output.metadata, budget);
  return body === undefined ? '' : outputBlock(kind, label, body);
};

// IPython's traceback already ends with "ename: evalue"; other kernels' may not, so it is added then.
const renderError = (output: OutputOf<'error'>, budget: RenderBudget): string => {
  const traceback = output.traceback.join('\n');
  const mentionsName = traceback.replace(ANSI_ESCAPE, '').includes(output.ename);
  const summary = mentionsName ? '' : `${traceback ? '\n' : ''}${escapeHtml(`${output.ename}: ${output.evalue}`)}`;
  const { html, marker } = cappedAnsi(traceback, budget);
  return outputBlock('error', '', `<pre class="nb-error">${html}${summary}</pre>${marker}`);
};

const OUTPUT_RENDERERS: OutputRenderers = {
  stream: renderStream,
  display_data: (output, budget) => renderRich('display', '', output, budget),
  execute_result: (output, budget) => renderRich('result', `Out[${output.execution_count ?? ' '}]:`, output, budget),
  error: renderError,
};

/** Merges consecutive stream outputs of the same name, as a notebook front end shows them. */
export const coalesceStreams = (outputs: readonly Output[]): Output[] =>
  outputs.reduce<Output[]>((merged, output) => {
    const last = merged.at(-1);
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      merged[merged.length - 1] = { ...last, text: (textOf(last.text) ?? '') + (textOf(output.text) ?? '') };
    } else {
      merged.push(output);
    }
    return merged;
  }, []);

/** Renders one output of a code cell to safe HTML; an output with nothing safe to show renders as ''. */
export const renderOutput = (output: Output, budget: RenderBudget = new RenderBudget()): string =>
  (OUTPUT_RENDERERS[output.output_type] as (output: Output, budget: RenderBudget) => string)(output, budget);

/** Renders a code cell's outputs, streams merged, in order; each output longer than the page's cap shows its head. */
export const renderOutputs = (outputs: readonly Output[], budget: RenderBudget = new RenderBudget()): string =>
  coalesceStreams(outputs)
    .map((output) => renderOutput(output, budget))
    .join('');
