import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalServices, type LocalServices } from '../../composition/local.ts';
import { API_PREFIX, makeLocalRequestListener } from './local-http-server.ts';
import { makePortalFiles } from './portal-files.ts';

/** How to start the local platform. */
export interface LocalPlatformOptions {
  home: string;
  port: number;
  host?: string;
  /** The admin user made on first start, who gets the one-time login link. */
  adminUser?: string;
  /** Extra environment (limits, claim names) read the way Lambda reads its own. */
  env?: Record<string, string | undefined>;
}

/** A running local platform: its addresses, the login link, and the services behind it. */
export type LocalPlatform = Omit<LocalServices, 'handlers' | 'issuer' | 's3Endpoint' | 'loginFor'> & {
  url: string;
  apiUrl: string;
  loginLink: string;
};

/** Listens first, so a busy port is reported before anything else starts. */
const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });

/**
 * Starts the whole platform on one machine (the wiring is composition/local.ts): the port is taken first, then
 * the services start, and the very handlers Lambda runs are served behind an HTTP server that builds API
 * Gateway events, beside the portal (or the plain sign-in page) and the login-code exchange.
 */
export const startLocalPlatform = async (o: LocalPlatformOptions): Promise<LocalPlatform> => {
  const host = o.host ?? '127.0.0.1';
  // The port is taken before the emulators start, so answer 503 until the API is wired in.
  let listener: RequestListener = (_req, res) => {
    const headers = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', 'retry-after': '1' };
    const body = { error: 'starting', message: 'Orrery is starting; try again in a moment' };
    res.writeHead(503, headers).end(JSON.stringify(body));
  };
  const server = createServer((req, res) => listener(req, res));
  await listen(server, o.port, host);
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  let services: LocalServices;
  try {
    const apiUrl = `${url}${API_PREFIX}`;
    services = await startLocalServices({ home: o.home, origin: url, apiUrl, adminUser: o.adminUser, env: o.env });
  } catch (err) {
    server.close();
    throw err;
  }
  const { handlers, issuer, s3Endpoint, loginFor, ...rest } = services;
  // The portal POSTs uploads straight to s3rver's presigned forms, another origin than its own.
  const portal = makePortalFiles(rest.settings.webDist, [s3Endpoint]);
  const maxBodyBytes = rest.config.limits.inlineBytes + 2 * 1024 * 1024;
  listener = makeLocalRequestListener({ handlers, issuer, users: rest.users, portal, maxBodyBytes });
  return {
    ...rest,
    url,
    apiUrl: `${url}${API_PREFIX}`,
    loginLink: `${url}/login#code=${rest.users.createLoginCode(loginFor, new Date())}`,
    close: async () => {
      rest.culler.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
};
