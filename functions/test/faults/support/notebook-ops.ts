import { acknowledged, call, send, sendUpload, sha256, trace, withRetries, type Attempts } from './client.ts';
import { FAULTS_TAG, type Ledger, type Target } from './ledger.ts';

/** What one operation did under a fault: the statuses it went through, where it ended, and any broken invariant. */
export interface OpResult {
  trace: string;
  outcome: string;
  problems: string[];
}

const post = (t: Target, path: string, body: unknown) => () => call(t.apiUrl, t.token, 'POST', path, body);
const last = (a: Attempts) => `${a.last.status} ${a.last.error ?? a.last.body?.error ?? ''}`.trim();

/** Commits inline content as a new version; an acknowledged one goes in the ledger. */
export const commitInline = async (
  t: Target,
  ledger: Ledger,
  id: string,
  text: string,
  budgetMs: number,
): Promise<OpResult> => {
  const a = await withRetries(
    post(t, `/notebooks/${id}/versions`, { content: text, message: 'under a fault' }),
    budgetMs,
  );
  if (!acknowledged(a.last))
    return { trace: trace(a), outcome: 'not committed', problems: [`an inline commit did not recover: ${last(a)}`] };
  ledger.version(id, a.last.body.version, sha256(text));
  return { trace: trace(a), outcome: `v${a.last.body.version}`, problems: [] };
};

/**
 * Commits inline content once, as a client that goes away after a failure would: whatever it leaves must still read
 * whole.
 */
export const commitOnce = async (t: Target, ledger: Ledger, id: string, text: string): Promise<OpResult> => {
  const a = await call(t.apiUrl, t.token, 'POST', `/notebooks/${id}/versions`, {
    content: text,
    message: 'once, under a fault',
  });
  if (acknowledged(a)) ledger.version(id, a.body.version, sha256(text));
  return { trace: String(a.status), outcome: acknowledged(a) ? `v${a.body.version}` : 'given up', problems: [] };
};

/** Creates a notebook with inline content (version 1 and the notebook in one request). */
export const createInline = async (
  t: Target,
  ledger: Ledger,
  title: string,
  text: string,
  budgetMs: number,
): Promise<OpResult> => {
  const a = await withRetries(post(t, '/notebooks', { title, tags: [FAULTS_TAG], content: text }), budgetMs);
  if (!acknowledged(a.last))
    return { trace: trace(a), outcome: 'not created', problems: [`an inline create did not recover: ${last(a)}`] };
  ledger.version(a.last.body.notebook.id, 1, sha256(text));
  return { trace: trace(a), outcome: `${a.last.body.notebook.id} v1`, problems: [] };
};

/** Whether some version of the notebook holds these bytes (a commit that went through while its answer was lost). */
const hasVersionWith = async (t: Target, id: string, sha: string): Promise<boolean> => {
  const versions = await call(t.apiUrl, t.token, 'GET', `/notebooks/${id}/versions?limit=200`);
  return versions.status === 200 && versions.body.items.some((v: { sha256: string }) => v.sha256 === sha);
};

// Storage is back within a second or two of a fault; an upload URL that still fails after this is broken, not slow.
const STORAGE_BUDGET_MS = 15_000;

/**
 * Sends the body to a presigned upload, then commits it by uploadId and sha256. An acknowledged
 * upload URL must work until it expires; when it does not, that is recorded and the client asks for
 * a new one, as the portal would. Once storage has acknowledged the upload, the commit must go
 * through: a 409 for a missing upload is acceptable only when an earlier attempt did commit it.
 */
const sendAndCommit = async (
  t: Target,
  ledger: Ledger,
  id: string,
  upload: any,
  text: string,
  budgetMs: number,
  before: string,
): Promise<OpResult> => {
  const problems: string[] = [];
  let put = await withRetries(() => sendUpload(upload, text), STORAGE_BUDGET_MS);
  let traced = `${before} put ${trace(put)}`;
  if (!acknowledged(put.last)) {
    problems.push(
      `an acknowledged upload URL stopped working before it expired: ${last(put)} (${new URL(upload.url).host})`,
    );
    const again = await withRetries(post(t, `/notebooks/${id}/uploads`, undefined), budgetMs);
    if (!acknowledged(again.last)) {
      return {
        trace: traced,
        outcome: 'upload not stored',
        problems: [...problems, `asking for a new upload did not recover: ${last(again)}`],
      };
    }
    upload = again.last.body;
    put = await withRetries(() => sendUpload(upload, text), STORAGE_BUDGET_MS);
    traced = `${traced} new ${trace(again)} put ${trace(put)}`;
    if (!acknowledged(put.last)) {
      return {
        trace: traced,
        outcome: 'upload not stored',
        problems: [...problems, `a new upload URL did not work either: ${last(put)}`],
      };
    }
  }
  const sha = sha256(text);
  const named = { uploadId: upload.uploadId, sha256: sha, message: 'uploaded under a fault' };
  const commit = await withRetries(post(t, `/notebooks/${id}/versions`, named), budgetMs);
  const full = `${traced} commit ${trace(commit)}`;
  if (acknowledged(commit.last)) {
    ledger.version(id, commit.last.body.version, sha);
    return { trace: full, outcome: `v${commit.last.body.version}`, problems };
  }
  const lostAnswer = commit.last.status === 409 && commit.answers.length > 1 && (await hasVersionWith(t, id, sha));
  if (lostAnswer) return { trace: full, outcome: 'committed, answer lost', problems };
  return {
    trace: full,
    outcome: 'not committed',
    problems: [...problems, `an acknowledged upload could not be committed: ${last(commit)}`],
  };
};

/** Asks for an upload for the next version, sends the body to it and commits it. */
export const uploadAndCommit = async (
  t: Target,
  ledger: Ledger,
  id: string,
  text: string,
  budgetMs: number,
): Promise<OpResult> => {
  const up = await withRetries(post(t, `/notebooks/${id}/uploads`, undefined), budgetMs);
  if (!acknowledged(up.last))
    return {
      trace: `upload ${trace(up)}`,
      outcome: 'no upload',
      problems: [`asking for an upload did not recover: ${last(up)}`],
    };
  return sendAndCommit(t, ledger, id, up.last.body, text, budgetMs, `upload ${trace(up)}`);
};

/** Creates a notebook without content, then uploads and commits its version 1. */
export const createThenUpload = async (
  t: Target,
  ledger: Ledger,
  title: string,
  text: string,
  budgetMs: number,
): Promise<OpResult> => {
  const created = await withRetries(post(t, '/notebooks', { title, tags: [FAULTS_TAG, 'uploaded'] }), budgetMs);
  if (!acknowledged(created.last)) {
    return {
      trace: `create ${trace(created)}`,
      outcome: 'not created',
      problems: [`a create did not recover: ${last(created)}`],
    };
  }
  const id: string = created.last.body.notebook.id;
  ledger.notebooks.add(id);
  return sendAndCommit(t, ledger, id, created.last.body.upload, text, budgetMs, `create ${trace(created)}`);
};

/** What a reader of an acknowledged body saw while something else went on. */
export interface ReadLog {
  reads: number;
  /** Reads that got an answer with other bytes than acknowledged. */
  wrong: string[];
  /** Reads that got no whole answer at all (reset, refused, cut short). */
  failed: string[];
}

/**
 * Downloads an acknowledged body again and again until `until` settles: a reader must never see
 * anything but its exact bytes, whatever is being written meanwhile.
 */
export const readWhile = async (url: string, sha: string, until: Promise<unknown>): Promise<ReadLog> => {
  let done = false;
  void until.finally(() => (done = true));
  const log: ReadLog = { reads: 0, wrong: [], failed: [] };
  while (!done) {
    const begun = Date.now();
    const got = await send(url);
    log.reads += 1;
    const took = Date.now() - begun;
    if (got.status !== 200) log.failed.push(`${got.status || got.error} after ${took} ms`);
    else if (sha256(got.text) !== sha)
      log.wrong.push(`${got.text.length} bytes hashing to ${sha256(got.text).slice(0, 12)}… after ${took} ms`);
  }
  return log;
};
