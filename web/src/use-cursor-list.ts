import { type DependencyList, useCallback, useState } from 'react';
import type { Page } from './api-client.ts';
import { type AsyncState, useAsync } from './use-async.ts';

/** A list read page by page: what has arrived so far, the current page's load, and how to ask for the next. */
export interface CursorList<T> {
  /** Every item so far, in order, each once. */
  items: T[];
  /** The load of the latest page (its data, error, loading and reload). */
  page: AsyncState<Page<T>>;
  /** Whether nothing has arrived yet. */
  empty: boolean;
  /** Loads the page after the last one. */
  more: () => void;
  /** Starts over from the first page. */
  reset: () => void;
}

/** Reads a cursor-paged list, keeping earlier pages on screen while "More" loads the next. */
export const useCursorList = <T extends { id: string }>(
  load: (cursor: string | undefined) => Promise<Page<T>>,
  deps: DependencyList,
): CursorList<T> => {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [earlier, setEarlier] = useState<T[]>([]);
  const page = useAsync(() => load(cursor), [...deps, cursor]);
  const reset = useCallback(() => {
    setEarlier([]);
    setCursor(undefined);
  }, []);
  // The previous page stays in `data` until the next arrives: drop repeats rather than show them twice.
  const items = [...earlier, ...(page.data?.items ?? [])].filter(
    (c, i, all) => all.findIndex((o) => o.id === c.id) === i,
  );
  return {
    items,
    page,
    empty: !page.data && earlier.length === 0,
    more: () => {
      setEarlier(items);
      setCursor(page.data?.nextCursor ?? undefined);
    },
    reset,
  };
};
