/**
 * The portal's Content-Security-Policy, sent by CloudFront and by the local server alike. Scripts come only
 * from the portal's origin; inline styles are allowed because rendered notebooks (shown in a sandboxed
 * srcdoc iframe, which inherits this policy) carry their own stylesheet and ANSI colours as style attributes.
 */
export const PORTAL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
