import { createHash } from 'node:crypto';

/** One answer as a client sees it: status 0 when no answer came (reset, refused, timed out). */
export interface Answer {
  status: number;
  body: any;
  text: string;
  error?: string;
}

/** A request's own time bound: a platform that neither answers nor fails within it has hung. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** The hex sha256 of a text, as a client names an upload. */
export const sha256 = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');

/** Whether an answer is an acknowledgement (2xx): what the platform then promises to keep. */
export const acknowledged = (a: Answer): boolean => a.status >= 200 && a.status < 300;

/** Whether a client would try again: no answer, or a 5xx. */
export const retryable = (a: Answer): boolean => a.status === 0 || a.status >= 500;

const read = async (res: Response): Promise<Answer> => {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body, text };
};

/** Sends one request; never throws for a network failure, which comes back as status 0 with the reason. */
export const send = async (url: string, init: RequestInit = {}): Promise<Answer> => {
  try {
    return await read(await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }));
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return {
      status: 0,
      body: null,
      text: '',
      error: (err as Error).name === 'TimeoutError' ? 'timed out' : (cause ?? (err as Error).message),
    };
  }
};

/** A JSON API call with a bearer token. */
export const call = (base: string, token: string, method: string, path: string, body?: unknown): Promise<Answer> =>
  send(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** What a presigned upload tells the client to do: a PUT with headers, or a POST form with fields (either shape). */
export interface UploadTarget {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  fields?: Record<string, string>;
}

/** Sends a file to a presigned upload the way the portal does, whichever shape the platform hands out. */
export const sendUpload = (target: UploadTarget, text: string): Promise<Answer> => {
  if (target.fields) {
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields)) form.append(k, v);
    form.append('file', new Blob([text], { type: 'application/x-ipynb+json' }), 'notebook.ipynb');
    return send(target.url, { method: 'POST', body: form });
  }
  return send(target.url, { method: target.method ?? 'PUT', headers: target.headers, body: text });
};

/** Every answer one logical request got, the last one deciding. */
export interface Attempts {
  answers: Answer[];
  last: Answer;
}

/**
 * Repeats a request as a careful client would: again after no answer or a 5xx, with a short
 * backoff, until it gets another answer or the budget is spent.
 */
export const withRetries = async (attempt: () => Promise<Answer>, budgetMs: number): Promise<Attempts> => {
  const answers: Answer[] = [];
  const deadline = Date.now() + budgetMs;
  for (let n = 0; ; n += 1) {
    const answer = await attempt();
    answers.push(answer);
    if (!retryable(answer) || Date.now() > deadline) return { answers, last: answer };
    await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** n, 1000)));
  }
};

/** A compact trace of the statuses one request went through, e.g. `0,500,201`. */
export const trace = (a: Attempts): string => a.answers.map((x) => x.status).join(',');
