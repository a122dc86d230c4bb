import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Notebook, Page } from '../api-client.ts';
import { FieldError } from '../components/form-error.tsx';
import { EmptyState, ErrorAlert, Loading } from '../components/states.tsx';
import { TagList } from '../components/tag-list.tsx';
import { formatDateTime } from '../format.ts';
import { GROUP_PATTERN, GROUP_PROBLEM, TAG_PATTERN } from '../notebook-fields.tsx';
import { useApi } from '../session-context.tsx';
import { useAsync } from '../use-async.ts';
import { FoliumUpload } from './folium-upload.tsx';
import './folium.css';

const FILTERS = ['q', 'tag', 'group', 'owner'] as const;
type FilterName = (typeof FILTERS)[number];
type Filters = Record<FilterName, string>;

const PAGE_SIZE = 20;

const filtersOf = (params: URLSearchParams): Filters =>
  Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Filters;

/** Why a filter cannot be sent as typed, or nothing. */
const filterProblems = (f: Filters): Partial<Filters> => ({
  ...(f.tag && !TAG_PATTERN.test(f.tag)
    ? { tag: 'A tag is a lowercase slug: letters, digits and single dashes (q3-report).' }
    : {}),
  ...(f.group && !GROUP_PATTERN.test(f.group) ? { group: GROUP_PROBLEM } : {}),
});

/** The first page of notebooks for the filters in the URL, then more pages by `nextCursor`. */
const useNotebookList = (filters: Filters) => {
  const api = useApi();
  const key = JSON.stringify(filters);
  const first = useAsync((): Promise<Page<Notebook>> => api.listNotebooks({ ...filters, limit: PAGE_SIZE }), [key]);
  const [extra, setExtra] = useState<{
    key: string;
    items: Notebook[];
    cursor: string | null;
    loading: boolean;
    error: Error | null;
  }>({ key, items: [], cursor: null, loading: false, error: null });
  const current = extra.key === key ? extra : { key, items: [], cursor: null, loading: false, error: null };
  const cursor = current.cursor ?? first.data?.nextCursor ?? null;
  const more = async () => {
    if (!cursor) return;
    setExtra({ ...current, loading: true, error: null });
    try {
      const page = await api.listNotebooks({ ...filters, limit: PAGE_SIZE, cursor });
      setExtra((e) =>
        e.key === key
          ? {
              key,
              items: [...current.items, ...page.items],
              cursor: page.nextCursor ?? '',
              loading: false,
              error: null,
            }
          : e,
      );
    } catch (err) {
      setExtra((e) => (e.key === key ? { ...current, loading: false, error: err as Error } : e));
    }
  };
  // An empty string marks "no further page" once a later page said so.
  const hasMore = current.cursor === null ? Boolean(first.data?.nextCursor) : current.cursor !== '';
  return {
    first,
    items: [...(first.data?.items ?? []), ...current.items],
    more,
    hasMore,
    loadingMore: current.loading,
    moreError: current.error,
  };
};

/** Folium: search and filter the notebooks you may see (filters live in the URL), and upload new ones. */
export const FoliumPage = () => {
  const [params, setParams] = useSearchParams();
  // Filters are compared by value: each render reads a fresh object from the URL, so the effects below depend on
  // objects that change only when a filter does.
  const appliedKey = JSON.stringify(filtersOf(params));
  const applied = useMemo(() => JSON.parse(appliedKey) as Filters, [appliedKey]);
  const [draft, setDraft] = useState<Filters>(applied);
  const problems = filterProblems(draft);
  const draftKey = JSON.stringify(draft);
  const pending = useMemo(() => JSON.parse(draftKey) as Filters, [draftKey]);

  // Back and Forward change the URL: the fields follow it.
  useEffect(() => setDraft(applied), [applied]);

  const apply = useCallback(
    (next: Filters) => {
      if (Object.keys(filterProblems(next)).length > 0) return;
      const search = new URLSearchParams();
      for (const f of FILTERS) if (next[f].trim()) search.set(f, next[f].trim());
      if (search.toString() !== params.toString()) setParams(search, { replace: true });
    },
    [params, setParams],
  );

  // Typing filters as it goes, a moment after the last key; each keystroke is not a history entry.
  useEffect(() => {
    const handle = setTimeout(() => apply(pending), 350);
    return () => clearTimeout(handle);
  }, [apply, pending]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };

  return (
    <>
      <div className="page-header">
        <h1>Folium</h1>
        <p className="muted">The notebook archive: versions, tags and groups, shared with your team.</p>
      </div>
      <div className="folium-layout">
        <section aria-labelledby="browse-heading" className="folium-browse">
          <h2 id="browse-heading" className="visually-hidden">
            Browse notebooks
          </h2>
          <SearchForm draft={draft} problems={problems} onChange={setDraft} onSubmit={onSubmit} />
          <NotebookResults filters={applied} />
        </section>
        <FoliumUpload />
      </div>
    </>
  );
};

const LABELS: Record<FilterName, string> = { q: 'Search titles', tag: 'Tag', group: 'Group', owner: 'Owner' };
const PLACEHOLDERS: Record<FilterName, string> = {
  q: 'Title starts with…',
  tag: 'q3-report',
  group: 'ads/reports',
  owner: 'user id',
};

const SearchForm = ({
  draft,
  problems,
  onChange,
  onSubmit,
}: {
  draft: Filters;
  problems: Partial<Filters>;
  onChange: (f: Filters) => void;
  onSubmit: (e: FormEvent) => void;
}) => {
  const base = useId();
  return (
    <form role="search" aria-label="Notebooks" className="card search-form" onSubmit={onSubmit} noValidate>
      <div className="field-row">
        {FILTERS.map((f) => (
          <div className={`field field-${f}`} key={f}>
            <label htmlFor={`${base}-${f}`}>{LABELS[f]}</label>
            <input
              id={`${base}-${f}`}
              type={f === 'q' ? 'search' : 'text'}
              value={draft[f]}
              placeholder={PLACEHOLDERS[f]}
              autoComplete="off"
              spellCheck={false}
              aria-invalid={problems[f] ? true : undefined}
              aria-describedby={problems[f] ? `${base}-${f}-error` : undefined}
              onChange={(e) => onChange({ ...draft, [f]: e.target.value })}
            />
            {problems[f] ? <FieldError id={`${base}-${f}-error`}>{problems[f]}</FieldError> : null}
          </div>
        ))}
      </div>
      <div className="actions">
        <button type="submit" className="secondary">
          Search
        </button>
        {FILTERS.some((f) => draft[f]) ? (
          <button type="button" className="link" onClick={() => onChange({ q: '', tag: '', group: '', owner: '' })}>
            Clear filters
          </button>
        ) : null}
      </div>
    </form>
  );
};

const NotebookResults = ({ filters }: { filters: Filters }) => {
  const list = useNotebookList(filters);
  const filtered = FILTERS.some((f) => filters[f]);
  if (list.first.error)
    return (
      <ErrorAlert error={list.first.error} title="Notebooks could not be listed" onRetry={() => list.first.reload()} />
    );
  if (list.first.loading && !list.first.data) return <Loading label="Loading notebooks…" />;
  if (list.items.length === 0) {
    return (
      <EmptyState>
        <p>{filtered ? 'No notebooks match these filters.' : 'No notebooks yet.'}</p>
        <p>{filtered ? 'Try a shorter title, or clear a filter.' : 'Upload one with the form on this page.'}</p>
      </EmptyState>
    );
  }
  return (
    <>
      <ul className="notebook-list" aria-label="Notebooks" aria-busy={list.first.loading}>
        {list.items.map((nb) => (
          <NotebookItem key={nb.id} nb={nb} />
        ))}
      </ul>
      <div className="pager">
        {list.hasMore ? (
          <button type="button" className="secondary" onClick={() => void list.more()} disabled={list.loadingMore}>
            {list.loadingMore ? 'Loading more…' : 'Load more notebooks'}
          </button>
        ) : (
          <p className="muted small">
            {list.items.length} notebook{list.items.length === 1 ? '' : 's'}, all shown.
          </p>
        )}
      </div>
      {list.moreError ? <ErrorAlert error={list.moreError} size="inline" onRetry={() => void list.more()} /> : null}
    </>
  );
};

const NotebookItem = ({ nb }: { nb: Notebook }) => (
  <li className="notebook-item">
    <h3 className="notebook-item-title">
      <Link to={`/notebooks/${nb.id}`}>{nb.title}</Link>
    </h3>
    {nb.description ? <p className="notebook-item-description">{nb.description}</p> : null}
    <TagList tags={nb.tags} label={`Tags of ${nb.title}`} />
    <p className="small muted notebook-item-meta">
      <span>Owner {nb.owner}</span>
      {nb.group ? <span>Group {nb.group}</span> : null}
      <span>{nb.visibility}</span>
      <span>{nb.latestVersion > 0 ? `Version ${nb.latestVersion}` : 'No version yet'}</span>
      <span>
        Updated <time dateTime={nb.updatedAt}>{formatDateTime(nb.updatedAt)}</time>
      </span>
    </p>
  </li>
);
