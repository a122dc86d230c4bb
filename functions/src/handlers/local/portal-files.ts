import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { NotFoundError, ValidationError } from '../../domain/errors.ts';
import { PORTAL_REFERRER_POLICY, portalCsp } from '../../contracts/portal-csp.ts';

/** Where `npm run build:web` puts the portal (its one definition is local mode's ORRERY_WEB_DIST default). */
export { DEFAULT_WEB_DIST } from '../../config/local-variables.ts';

/** A file or generated document to send, with every header it needs. */
export interface PortalResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** The built portal in a folder, served the way CloudFront serves it in the cloud. */
export interface PortalFiles {
  /** Whether the portal is built (its index.html exists); checked per request so a build while running is picked up. */
  built(): boolean;
  /** The answer to a GET or HEAD outside the API; throws NotFoundError or ValidationError. */
  respond(rawPath: string): PortalResponse;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

// Vite puts content-hashed names under /assets/, so they never change; everything else may change with a build.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Headers every portal answer carries, with the CSP that lets the browser reach the given extra origins. */
export const portalHeaders = (connectSources: readonly string[]): Record<string, string> => ({
  'content-security-policy': portalCsp({ connectSources }),
  'x-content-type-options': 'nosniff',
  'referrer-policy': PORTAL_REFERRER_POLICY,
  'x-frame-options': 'DENY',
});

/** The portal's runtime configuration in local mode: the API on this origin, sign-in by the local issuer. */
export const LOCAL_PORTAL_CONFIG = { apiUrl: '/api', auth: { mode: 'local' } } as const;

// Decoded segments, refusing anything that could step outside the folder or confuse the file system.
const segmentsOf = (rawPath: string): string[] => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new ValidationError('the path is not valid percent-encoding');
  }
  const segments = decoded.split('/').filter(Boolean);
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0')))
    throw new ValidationError('the path may not contain "..", ".", backslashes or NUL');
  return segments;
};

const regularFileUnder = (root: string, segments: string[]): string | null => {
  const path = join(root, ...segments);
  if (!existsSync(path) || !statSync(path).isFile()) return null;
  // A symlink inside dist could still point out of it.
  const real = realpathSync(path);
  return real.startsWith(realpathSync(root) + sep) ? real : null;
};

/** Serves a built portal from `dist`; `connectSources` are origins other than this one the portal may call (s3rver). */
export const makePortalFiles = (dist: string, connectSources: readonly string[]): PortalFiles => {
  const base = portalHeaders(connectSources);
  const file = (path: string, cache: string): PortalResponse => ({
    status: 200,
    headers: {
      ...base,
      'content-type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'cache-control': cache,
    },
    body: readFileSync(path),
  });
  return {
    built: () => existsSync(join(dist, 'index.html')),
    respond: (rawPath) => {
      if (rawPath === '/config.json')
        return {
          status: 200,
          headers: { ...base, 'content-type': TYPES['.json']!, 'cache-control': 'no-store' },
          body: JSON.stringify(LOCAL_PORTAL_CONFIG),
        };
      const segments = segmentsOf(rawPath);
      const found = segments.length ? regularFileUnder(dist, segments) : null;
      if (found)
        return file(
          found,
          segments[0] === 'assets' ? IMMUTABLE : segments.join('/') === 'index.html' ? 'no-store' : 'no-cache',
        );
      // A missing file is a 404 (a stale tab asking for an old hashed bundle must not get HTML as JavaScript);
      // any other path is one of the portal's routes, which its router resolves.
      if (segments[0] === 'assets' || /\.[A-Za-z0-9]+$/.test(segments.at(-1) ?? ''))
        throw new NotFoundError(`no file ${rawPath} in the portal; rebuild it with npm run build:web`);
      return file(join(dist, 'index.html'), 'no-store');
    },
  };
};
