import { call, send, sha256, type Answer } from './client.ts';

/** A platform under test as the suite reaches it: its API and one user's token. */
export interface Target {
  apiUrl: string;
  token: string;
  owner: string;
}

/** A version the platform acknowledged (a 2xx answer): it must stay readable with these bytes. */
export interface AckedVersion {
  notebookId: string;
  version: number;
  sha256: string;
}

/**
 * Everything the platform acknowledged during the suite (a 2xx answer), which no fault may take
 * back, and the check of the invariants over the public API.
 */
export class Ledger {
  readonly notebooks = new Set<string>();
  readonly versions: AckedVersion[] = [];
  readonly runs = new Set<string>();
  readonly servers = new Set<string>();
  /** Notebooks a check has looked into already. */
  readonly seen = new Set<string>();

  /** Records an acknowledged version. */
  version(notebookId: string, version: number, sha: string): void {
    this.notebooks.add(notebookId);
    this.versions.push({ notebookId, version, sha256: sha });
  }
}

const get = (t: Target, path: string) => call(t.apiUrl, t.token, 'GET', path);

const pages = async (t: Target, path: string, what: string): Promise<{ items: any[]; problem?: string }> => {
  const items: any[] = [];
  for (let cursor: string | null = null, n = 0; n < 50; n += 1) {
    const page: Answer = await get(
      t,
      `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200)
      return { items, problem: `${what} answered ${page.status} ${page.error ?? page.text.slice(0, 120)}` };
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
    if (!cursor) return { items };
  }
  return { items, problem: `${what} never ended` };
};

/** One notebook's versions are 1..n with no gap, and its latestVersion is n and readable. */
const checkVersions = async (t: Target, id: string): Promise<string[]> => {
  const nb = await get(t, `/notebooks/${id}`);
  if (nb.status !== 200) return [`notebook ${id} is listed but GET answers ${nb.status}`];
  const { items, problem } = await pages(t, `/notebooks/${id}/versions`, `the versions of ${id}`);
  if (problem) return [problem];
  const numbers = items.map((v) => v.version as number);
  const problems: string[] = [];
  if (numbers.some((v, i) => v !== i + 1)) problems.push(`versions of ${id} are not contiguous: ${numbers.join(',')}`);
  if (nb.body.latestVersion !== numbers.length) {
    problems.push(
      `${id} shows latestVersion ${nb.body.latestVersion} but has versions ${numbers.join(',') || 'none'} (half-made)`,
    );
  }
  if (nb.body.latestVersion > 0) {
    const latest = await get(t, `/notebooks/${id}/versions/${nb.body.latestVersion}`);
    if (latest.status !== 200) problems.push(`${id} v${nb.body.latestVersion} (its latest) answers ${latest.status}`);
  }
  return problems;
};

/** An acknowledged version still reads with its sha256, and (deep) its body downloads and hashes to it. */
const checkAcked = async (t: Target, v: AckedVersion, deep: boolean): Promise<string[]> => {
  const got = await get(t, `/notebooks/${v.notebookId}/versions/${v.version}`);
  if (got.status !== 200) return [`acknowledged ${v.notebookId} v${v.version} is lost: GET answers ${got.status}`];
  if (got.body.sha256 !== v.sha256)
    return [`acknowledged ${v.notebookId} v${v.version} changed: sha256 ${got.body.sha256}, acknowledged ${v.sha256}`];
  if (!deep) return [];
  const body = await send(got.body.download.url);
  if (body.status !== 200)
    return [`acknowledged ${v.notebookId} v${v.version}: its body answers ${body.status} ${body.error ?? ''}`];
  const hash = sha256(body.text);
  return hash === v.sha256
    ? []
    : [
        `acknowledged ${v.notebookId} v${v.version}: ` +
          `its body (${body.text.length} bytes) hashes to ${hash}, not ${v.sha256}`,
      ];
};

/** Which notebooks a check looks into: all of them (and their bodies), or those touched and those never seen. */
export interface CheckScope {
  deep: boolean;
  touched?: Iterable<string>;
}

/**
 * The notebook invariants, over the public API: every notebook the owner's listing shows reads
 * (nothing half-made), versions contiguous with latestVersion at the top, and every acknowledged
 * notebook and version still there unchanged. A deep check looks at every notebook and downloads
 * every acknowledged body; otherwise only the touched ones and those listed for the first time.
 */
export const checkNotebooks = async (t: Target, ledger: Ledger, scope: CheckScope): Promise<string[]> => {
  const listing = await pages(t, `/notebooks?owner=${t.owner}`, 'the owner listing');
  if (listing.problem) return [listing.problem];
  const listed = new Set(listing.items.map((n) => n.id as string));
  const focus = new Set(scope.touched ?? []);
  const problems: string[] = [];
  for (const id of ledger.notebooks)
    if (!listed.has(id)) problems.push(`acknowledged notebook ${id} is missing from its owner's listing`);
  for (const id of listed) {
    if (!scope.deep && ledger.seen.has(id) && !focus.has(id)) continue;
    ledger.seen.add(id);
    problems.push(...(await checkVersions(t, id)));
  }
  for (const v of ledger.versions)
    if (scope.deep || focus.has(v.notebookId)) problems.push(...(await checkAcked(t, v, scope.deep)));
  problems.push(...(await checkTagListing(t)));
  return problems;
};

// What a listing shows of a notebook; a filtered listing reads copies of it, which must be these.
const LISTED = ['id', 'title', 'tags', 'group', 'visibility', 'latestVersion', 'updatedAt', 'archived'] as const;
const shown = (items: any[]) => items.map((n) => JSON.stringify(LISTED.map((f) => n[f]))).join('\n');

/**
 * The tag listing (read from listing entries, copies written after each notebook write) shows the owner's tagged
 * notebooks exactly as the owner listing (read from the notebook items) does. A write still finishing in the
 * platform after its client gave up may land between the two reads, so a difference must outlast three looks.
 */
const checkTagListing = async (t: Target): Promise<string[]> => {
  let problem = '';
  for (let look = 0; look < 3; look += 1) {
    if (look) await new Promise((r) => setTimeout(r, 500));
    const owned = await pages(t, `/notebooks?owner=${t.owner}`, 'the owner listing');
    const tagged = await pages(t, `/notebooks?tag=${FAULTS_TAG}`, 'the tag listing');
    if (owned.problem || tagged.problem) return [owned.problem ?? tagged.problem ?? ''];
    const want = shown(owned.items.filter((n) => (n.tags as string[]).includes(FAULTS_TAG)));
    const got = shown(tagged.items);
    if (want === got) return [];
    problem = `the tag listing differs from the owner listing:\n  owner: ${want}\n  tag:   ${got}`;
  }
  return [problem];
};

/** The tag every notebook the fault suites create carries. */
export const FAULTS_TAG = 'faults';
