/** What a deployment may add to the portal's policy: origins other than its own that the portal talks to. */
export interface PortalCspOptions {
  /** Extra `connect-src` origins, e.g. where presigned upload URLs point when that is not the portal's origin. */
  connectSources?: readonly string[];
}

/**
 * The portal's Content-Security-Policy, sent by CloudFront and by the local server alike. Scripts come only
 * from the portal's origin; inline styles are allowed because rendered notebooks (shown in a sandboxed
 * srcdoc iframe, which inherits this policy) carry their own stylesheet and ANSI colours as style attributes.
 */
export const portalCsp = ({ connectSources = [] }: PortalCspOptions = {}): string =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ["connect-src 'self'", ...connectSources].join(' '),
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');

/** The portal's policy with no extra origins: what CloudFront sends unless its stack adds some. */
export const PORTAL_CSP = portalCsp();

/**
 * The portal's Referrer-Policy, sent by CloudFront and by the local server alike: the portal calls its API on
 * its own origin and links nowhere that needs to know where a reader came from, so nothing is sent.
 */
export const PORTAL_REFERRER_POLICY = 'no-referrer';
