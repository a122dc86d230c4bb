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
