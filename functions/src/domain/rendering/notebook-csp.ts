// Its own module so the HTTP headers can name it without loading the renderer and its sanitizer.

/**
 * The Content-Security-Policy to send with a rendered notebook: nothing loads but data: images and
 * the inline stylesheet, no script runs at all, and the portal may frame it. The sandbox lets links
 * open in a new tab (they carry target=_blank) and nothing else.
 */
export const NOTEBOOK_HTML_CSP = [
  "default-src 'none'",
  "script-src 'none'",
  "object-src 'none'",
  'img-src data:',
  "style-src 'unsafe-inline'",
  "style-src-attr 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
  'sandbox allow-popups allow-popups-to-escape-sandbox',
].join('; ');
