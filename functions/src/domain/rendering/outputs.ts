import type { Output } from '../nbformat.ts';
import { ansiToHtml } from './ansi.ts';
import { escapeHtml, textOf } from './html-text.ts';
import { renderMimeBundle } from './mime-renderers.ts';

type OutputOf<K extends Output['output_type']> = Extract<Output, { output_type: K }>;
type OutputRenderers = { [K in Output['output_type']]: (output: OutputOf<K>) => string };

type StreamOutput = OutputOf<'stream'>;

const ANSI_ESCAPE = /\x1b\[[0-9;?]*[ -\/]*[@-~]/g;

const prompt = (label: string): string => `<div class="nb-prompt nb-output-prompt">${label}</div>`;

const outputBlock = (kind: string, label: string, body: string): string =>
  `<div class="nb-output nb-output-${kind}">${prompt(label)}<div class="nb-output-area">${body}</div></div>`;

// A terminal overwrites a line on \r; progress bars rely on it, so only the last rewrite is shown.
const applyCarriageReturns = (text: string): string =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.slice(line.replace(/\r+$/, '').lastIndexOf('\r') + 1))
    .join('\n');

const renderStream = (output: StreamOutput): string => {
  const body = `<pre class="nb-stream nb-stream-${output.name}">${ansiToHtml(applyCarriageReturns(textOf(output.text) ?? ''))}</pre>`;
  return outputBlock(`stream nb-output-${output.name}`, '', body);
};

const renderRich = (kind: string, label: string, output: OutputOf<'display_data' | 'execute_result'>): string => {
  const body = renderMimeBundle(output.data, output.metadata);
  return body === undefined ? '' : outputBlock(kind, label, body);
};

// IPython's traceback already ends with "ename: evalue"; other kernels' may not, so it is added then.
const renderError = (output: OutputOf<'error'>): string => {
  const traceback = output.traceback.join('\n');
  const mentionsName = traceback.replace(ANSI_ESCAPE, '').includes(output.ename);
  const summary = mentionsName ? '' : `${traceback ? '\n' : ''}${escapeHtml(`${output.ename}: ${output.evalue}`)}`;
  return outputBlock('error', '', `<pre class="nb-error">${ansiToHtml(traceback)}${summary}</pre>`);
};

const OUTPUT_RENDERERS: OutputRenderers = {
  stream: renderStream,
  display_data: (output) => renderRich('display', '', output),
  execute_result: (output) => renderRich('result', `Out[${output.execution_count ?? ' '}]:`, output),
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
export const renderOutput = (output: Output): string =>
  (OUTPUT_RENDERERS[output.output_type] as (output: Output) => string)(output);

/** Renders a code cell's outputs, streams merged, in order. */
export const renderOutputs = (outputs: readonly Output[]): string => coalesceStreams(outputs).map(renderOutput).join('');
