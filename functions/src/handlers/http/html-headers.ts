import { NOTEBOOK_HTML_CSP } from '../../domain/rendering/notebook-csp.ts';

/** Headers of every rendered notebook: no script may run, nothing is sniffed, nothing leaks through Referer. */
export const NOTEBOOK_HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': NOTEBOOK_HTML_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, max-age=300',
};
