import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';

/**
 * What useAsync knows about one load: the last data (kept while reloading, so nothing jumps), the error, and how to
 * reload.
 */
export interface AsyncState<T> {
  data: T | undefined;
  error: Error | undefined;
  /** True while a load is in flight (the first one or a reload). */
  loading: boolean;
  /** Loads again; `quiet` keeps the current error and data on screen until the answer arrives. */
  reload: (quiet?: boolean) => void;
  /** Replaces the data locally (after a mutation answered with the new value). */
  setData: (data: T | ((current: T | undefined) => T)) => void;
}

/**
 * Runs `load` when `deps` change and on reload. Answers of superseded loads, and anything after unmount,
 * are dropped (the signal is aborted too), so no state is set on an unmounted component.
 */
export const useAsync = <T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList): AsyncState<T> => {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const quietRef = useRef(false);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    if (!quietRef.current) setError(undefined);
    quietRef.current = false;
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setDataState(() => value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(err instanceof Error ? err : new Error(String(err)));
        setLoading(false);
      },
    );
    return () => controller.abort();
    // The caller's deps and a reload's tick decide when to load; `load` itself is read through a ref.
  }, [...deps, tick]);

  const reload = useCallback((quiet = false) => {
    quietRef.current = quiet;
    setTick((t) => t + 1);
  }, []);
  const setData = useCallback(
    (next: T | ((current: T | undefined) => T)) =>
      setDataState((current) => (typeof next === 'function' ? (next as (c: T | undefined) => T)(current) : next)),
    [],
  );
  return { data, error, loading, reload, setData };
};

/** Calls `callback` every `ms` milliseconds while `ms` is not null (polling while something is in progress). */
export const useInterval = (callback: () => void, ms: number | null): void => {
  const ref = useRef(callback);
  ref.current = callback;
  useEffect(() => {
    if (ms === null) return;
    const handle = setInterval(() => ref.current(), ms);
    return () => clearInterval(handle);
  }, [ms]);
};

/**
 * The signal of work a handler starts (a submit, an upload): aborted when the component unmounts, so the
 * work can stop and set no state. A getter, because StrictMode mounts twice and the first signal is aborted.
 */
export const useUnmountSignal = (): (() => AbortSignal) => {
  const ref = useRef(new AbortController());
  useEffect(() => {
    const controller = new AbortController();
    ref.current = controller;
    return () => controller.abort();
  }, []);
  return useCallback(() => ref.current.signal, []);
};
