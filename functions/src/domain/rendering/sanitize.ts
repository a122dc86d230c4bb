import sanitizeHtml from 'sanitize-html';
import { cleanBase64 } from './base64.ts';
import { nestsWithin } from './html-nesting.ts';
import { RenderLimitExceeded } from './render-limits.ts';

/** Finds a markdown cell attachment by name and returns it as a data: URI, if it is a safe image. */
export type AttachmentResolver = (name: string) => string | undefined;

/** What a caller may add to the sanitizer: where `attachment:` image sources point. */
export interface SanitizeOptions {
  resolveAttachment?: AttachmentResolver;
}

// Raster and SVG images only: an <img> never runs script, whatever the image holds.
const SAFE_IMAGE_DATA_URI = /^data:(image\/(?:png|jpeg|gif|webp|svg\+xml));base64,([\s\S]*)$/i;
const SAFE_LINK = /^(?:https?:\/\/|mailto:)/i;
const DIMENSION = /^\d{1,5}(?:%|px)?$/;

const ALLOWED_TAGS = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'p',
  'div',
  'span',
  'br',
  'hr',
  'blockquote',
  'pre',
  'code',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'a',
  'img',
  'input',
  'em',
  'strong',
  'b',
  'i',
  'u',
  's',
  'del',
  'ins',
  'sub',
  'sup',
  'small',
  'mark',
  'abbr',
  'cite',
  'q',
  'kbd',
  'samp',
  'var',
  'dfn',
  'bdi',
  'bdo',
  'wbr',
  'table',
  'caption',
  'colgroup',
  'col',
  'thead',
  'tbody',
  'tfoot',
  'tr',
  'th',
  'td',
  'figure',
  'figcaption',
  'details',
  'summary',
  'section',
  'article',
  'aside',
  'header',
  'footer',
  'address',
];

// Content of these is dropped with the tag: it is code, raw text or a parser context the browser
// may read differently from htmlparser2 (the mutation-XSS family).
const DROPPED_WITH_CONTENT = [
  'script',
  'style',
  'textarea',
  'option',
  'xmp',
  'noscript',
  'noembed',
  'noframes',
  'iframe',
  'template',
  'title',
  'object',
  'embed',
  'applet',
  'select',
  'svg',
  'math',
  'plaintext',
  'listing',
];

// No id or name anywhere: they would clobber window properties and collide with the page.
const ALLOWED_ATTRIBUTES: sanitizeHtml.IOptions['allowedAttributes'] = {
  '*': ['class', 'title', 'lang', 'dir'],
  a: ['href', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  input: ['type', 'checked', 'disabled'],
  td: ['colspan', 'rowspan', 'align', 'scope'],
  th: ['colspan', 'rowspan', 'align', 'scope'],
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'type', 'reversed'],
  li: ['value'],
  details: ['open'],
};

/** Returns a normalised data: URI when `src` is a base64 image an <img> may load, else undefined. */
export const safeImageSrc = (src: string): string | undefined => {
  const match = SAFE_IMAGE_DATA_URI.exec(src.trim());
  const payload = match ? cleanBase64(match[2]!) : undefined;
  return match && payload ? `data:${match[1]!.toLowerCase()};base64,${payload}` : undefined;
};

const resolveImageSrc = (src: string | undefined, options: SanitizeOptions): string | undefined => {
  if (src === undefined) return undefined;
  const attachment = /^attachment:(.+)$/i.exec(src.trim());
  if (!attachment) return safeImageSrc(src);
  const name = attachment[1]!;
  return options.resolveAttachment?.(name) ?? options.resolveAttachment?.(safeDecode(name));
};

const safeDecode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

const pick = (attribs: sanitizeHtml.Attributes, names: string[], valid: RegExp = /[\s\S]*/): sanitizeHtml.Attributes =>
  Object.fromEntries(
    names.flatMap((name) => (attribs[name] !== undefined && valid.test(attribs[name]) ? [[name, attribs[name]]] : [])),
  );

// Links open outside the sandboxed frame; relative links are dropped because a rendered page
// has no siblings to point at, and anything not http(s)/mailto is dropped before the scheme check.
const transformLink: sanitizeHtml.Transformer = (tagName, attribs) => {
  const href = attribs.href?.trim();
  const safe = href !== undefined && SAFE_LINK.test(href);
  const kept = pick(attribs, ['class', 'title', 'lang', 'dir']);
  return { tagName, attribs: safe ? { ...kept, href, target: '_blank', rel: 'noopener noreferrer nofollow' } : kept };
};

const transformImage =
  (options: SanitizeOptions): sanitizeHtml.Transformer =>
  (tagName, attribs) => {
    const src = resolveImageSrc(attribs.src, options);
    const kept = { ...pick(attribs, ['class', 'title', 'alt']), ...pick(attribs, ['width', 'height'], DIMENSION) };
    return { tagName, attribs: src ? { ...kept, src } : kept };
  };

// GitHub task lists are the one input markdown makes; every other input is removed by
// dropNonCheckboxes, and a checkbox can never be edited.
const transformInput: sanitizeHtml.Transformer = (tagName, attribs) => ({
  tagName,
  attribs: {
    type: (attribs.type ?? '').trim().toLowerCase(),
    disabled: '',
    ...(attribs.checked !== undefined ? { checked: '' } : {}),
  },
});

const dropNonCheckboxes = (frame: sanitizeHtml.IFrame): boolean =>
  frame.tag === 'input' && frame.attribs.type !== 'checkbox';

// sanitize-html does work proportional to its stack on every tag; real pages nest a few dozen elements deep.
const MAX_HTML_NESTING = 256;

/**
 * Cleans untrusted HTML (outputs, markdown) down to a strict allowlist that cannot run script or load anything.
 * HTML nested deeper than MAX_HTML_NESTING throws RenderLimitExceeded: the caller shows it as text.
 */
export const sanitizeUntrustedHtml = (html: string, options: SanitizeOptions = {}): string => {
  if (!nestsWithin(html, MAX_HTML_NESTING)) {
    throw new RenderLimitExceeded(`its HTML nests more than ${MAX_HTML_NESTING} elements deep`);
  }
  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    nonTextTags: DROPPED_WITH_CONTENT,
    disallowedTagsMode: 'discard',
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['data'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    transformTags: { a: transformLink, img: transformImage(options), input: transformInput },
    exclusiveFilter: dropNonCheckboxes,
  });
};
