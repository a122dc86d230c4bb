import { ValidationError } from '../errors.ts';
import { ansiToHtml } from './ansi.ts';
import { cleanBase64, encodeBase64Utf8 } from './base64.ts';
import { escapeHtml, textOf } from './html-text.ts';
import { renderMarkdown } from './markdown.ts';
import { capText, imageOmittedMarker, truncationMarker, utf8Length } from './output-cap.ts';
import { plainTextFallback, RenderBudget, RenderLimitExceeded } from './render-limits.ts';
import { sanitizeUntrustedHtml } from './sanitize.ts';

/**
 * Renders one MIME type's data to safe HTML, or returns undefined when the payload is unusable. Text longer than
 * the budget's per-output cap shows its head and a marker; an image over it shows a note instead.
 */
export type MimeRenderer = (
  data: unknown,
  metadata: Record<string, unknown>,
  budget: RenderBudget,
) => string | undefined;

const IMAGE_ALT = 'No description has been provided for this image';

const dimensions = (metadata: Record<string, unknown>, mime: string): string => {
  const own = metadata[mime];
  const size = (own && typeof own === 'object' ? own : {}) as Record<string, unknown>;
  const attr = (name: string) => {
    const value = size[name];
    return typeof value === 'number' && Number.isInteger(value) && value > 0 ? ` ${name}="${value}"` : '';
  };
  return attr('width') + attr('height');
};

const image = (mime: string, base64: string, metadata: Record<string, unknown>): string =>
  `<img src="data:${mime};base64,${base64}" alt="${IMAGE_ALT}"${dimensions(metadata, mime)}>`;

const tooLarge = (text: string, budget: RenderBudget): string | undefined => {
  const max = budget.limits.maxOutputBytes;
  if (text.length * 3 <= max) return undefined;
  const bytes = utf8Length(text);
  return bytes > max ? imageOmittedMarker(bytes, max) : undefined;
};

// The base64 check is what keeps a quote or a second URI out of the src attribute.
const rasterImage =
  (mime: string): MimeRenderer =>
  (data, metadata, budget) => {
    const text = textOf(data);
    const base64 = text === undefined ? undefined : cleanBase64(text);
    return base64 ? (tooLarge(base64, budget) ?? image(mime, base64, metadata)) : undefined;
  };

// SVG is never inlined: as an <img> it cannot run script or reach the page.
const svgImage: MimeRenderer = (data, metadata, budget) => {
  const text = textOf(data);
  if (text === undefined) return undefined;
  return tooLarge(text, budget) ?? image('image/svg+xml', encodeBase64Utf8(text), metadata);
};

const text =
  (render: (text: string, budget: RenderBudget) => string): MimeRenderer =>
  (data, _metadata, budget) => {
    const value = textOf(data);
    if (value === undefined) return undefined;
    const { head, omittedBytes } = capText(value, budget.limits.maxOutputBytes);
    return render(head, budget) + truncationMarker(omittedBytes);
  };

// HTML nested too deep for the sanitizer to clean in linear time is shown as its source.
const html = (source: string): string => {
  try {
    return `<div class="nb-output-html">${sanitizeUntrustedHtml(source)}</div>`;
  } catch (error) {
    if (error instanceof RenderLimitExceeded) return plainTextFallback(source, error.reason);
    throw error;
  }
};

/**
 * The MIME types Orrery renders, in the order nbconvert prefers them. Anything else in a bundle
 * (JavaScript, widget state, vendor JSON) is never emitted.
 */
export const MIME_RENDERERS: ReadonlyMap<string, MimeRenderer> = new Map<string, MimeRenderer>([
  ['text/html', text(html)],
  ['image/svg+xml', svgImage],
  ['image/png', rasterImage('image/png')],
  ['image/jpeg', rasterImage('image/jpeg')],
  [
    'text/markdown',
    text((source, budget) => `<div class="nb-output-markdown">${renderMarkdown(source, { budget })}</div>`),
  ],
  ['text/latex', text((latex) => `<pre class="nb-output-latex">${escapeHtml(latex)}</pre>`)],
  ['text/plain', text((plain) => `<pre class="nb-output-text">${ansiToHtml(plain)}</pre>`)],
]);

/** The MIME types in the order a bundle's representations are tried. */
export const MIME_PREFERENCE: readonly string[] = [...MIME_RENDERERS.keys()];

/** Looks up the renderer of one MIME type; an unknown type is an error that lists the known ones. */
export const mimeRenderer = (mime: string): MimeRenderer => {
  const renderer = MIME_RENDERERS.get(mime);
  if (!renderer) {
    throw new ValidationError(
      `no renderer for ${mime}; known types: ${MIME_PREFERENCE.join(', ')}`,
      undefined,
      'unknown_mime_type',
    );
  }
  return renderer;
};

/** Renders the most preferred usable representation in a MIME bundle, or undefined when none is safe to show. */
export const renderMimeBundle = (
  data: Record<string, unknown>,
  metadata: Record<string, unknown>,
  budget: RenderBudget = new RenderBudget(),
): string | undefined => {
  for (const mime of MIME_PREFERENCE) {
    if (!Object.hasOwn(data, mime)) continue;
    const rendered = mimeRenderer(mime)(data[mime], metadata, budget);
    if (rendered !== undefined) return rendered;
  }
  return undefined;
};
