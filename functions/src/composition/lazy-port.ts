/**
 * A getter that runs `load` on first use and keeps its promise. A failed load is not kept, so the next call
 * tries again instead of failing for the container's life (a chunk or a client that could not load once).
 */
export const loadOnce = <T>(load: () => Promise<T>): (() => Promise<T>) => {
  let loaded: Promise<T> | undefined;
  return () =>
    (loaded ??= load().catch((err: unknown) => {
      loaded = undefined;
      throw err;
    }));
};

/** Every method of a port, named once: a method added to the port and not listed here fails the type check. */
export type PortMethods<T> = { readonly [K in keyof T]-?: true };

// A port whose every member is an async method, so a call can wait for the adapter to load first.
type AsyncPort<T> = { [K in keyof T]: (...args: never[]) => Promise<unknown> };

/**
 * A port whose adapter is built by `load` on its first call and kept (a failed load is tried again on the next
 * call). The composition uses it for adapters a function's cold start need not pay for: an SDK client, the
 * Kubernetes client or the renderer that only some routes or steps use arrive with `await import(...)`, which the
 * bundler turns into a chunk of its own.
 */
export const lazyPort = <T extends AsyncPort<T>>(load: () => Promise<T>, methods: PortMethods<T>): T => {
  const adapter = loadOnce(load);
  const port: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of Object.keys(methods)) {
    port[name] = async (...args) => {
      const target = (await adapter()) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      return target[name]!(...args);
    };
  }
  return port as unknown as T;
};
