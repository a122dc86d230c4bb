import type { KeyValueStore } from './session.ts';

const key = (name: string) => `orrery.server-token.${name}`;

/** Keeps a server's launch token for this tab only (sessionStorage): the API shows it once, at launch. */
export const keepServerToken = (store: KeyValueStore, name: string, token: string): void =>
  store.setItem(key(name), token);

/** The launch token of a server, when this tab launched it. */
export const serverToken = (store: KeyValueStore, name: string): string | null => store.getItem(key(name));

/** Forgets a server's token (it stopped; a relaunch gets a new one). */
export const forgetServerToken = (store: KeyValueStore, name: string): void => store.removeItem(key(name));

/** The Jupyter address that opens a server with its token: `<url>lab?token=<token>`. */
export const jupyterLabUrl = (url: string, token: string): string =>
  `${url.endsWith('/') ? url : `${url}/`}lab?token=${encodeURIComponent(token)}`;
