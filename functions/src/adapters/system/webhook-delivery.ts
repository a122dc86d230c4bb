// One POST of a JSON body to a webhook, retried: Slack's 429 waits as long as its Retry-After says; a 5xx, a 408,
// a timeout or an unreachable host waits longer each time (exponential backoff); any other answer is final. The
// URL is a credential: no error text carries it.

/** How hard a delivery tries. */
export interface DeliveryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** How long one attempt may take, the answer's body included. */
  timeoutMs: number;
  /** The wait before the second attempt; each later wait doubles it. */
  baseDelayMs: number;
  /** The longest wait a Retry-After may ask for; a longer one ends the delivery as failed. */
  maxWaitMs: number;
}

/** Four attempts 0.5 s, 1 s and 2 s apart, five seconds each, and at most 30 s for a Retry-After. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  attempts: 4,
  timeoutMs: 5000,
  baseDelayMs: 500,
  maxWaitMs: 30_000,
};

/** What a delivery does its I/O and waiting with; tests pass fakes (a sleep that only records). */
export interface DeliveryTools {
  fetchFn: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** The time a Retry-After given as a date is measured from. */
  now: () => number;
}

/** The real fetch, timers and clock. */
export const SYSTEM_DELIVERY_TOOLS: DeliveryTools = {
  fetchFn: (input, init) => fetch(input, init),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
};

/** How a delivery ended: delivered or not, after how many attempts, and the last failure. */
export interface DeliveryOutcome {
  delivered: boolean;
  attempts: number;
  error: string | null;
}

type Attempt = { ok: true } | { ok: false; error: string; retry: boolean; waitMs: number | null };

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

// Retry-After is whole seconds or an HTTP date; anything else is as good as absent.
const retryAfterMs = (value: string | null, now: number): number | null => {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
};

const failureOf = (err: unknown, url: string, timeoutMs: number): string => {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const why = e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return `unreachable: ${cut(why.split(url).join('<url>'), 200)}`;
};

const attempt = async (url: string, body: string, policy: DeliveryPolicy, tools: DeliveryTools): Promise<Attempt> => {
  try {
    const res = await tools.fetchFn(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(policy.timeoutMs),
    });
    // The body is read either way, so the connection is freed; Slack says why it refused in it.
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true };
    const error = `HTTP ${res.status}${text ? `: ${cut(text.trim().split(url).join('<url>'), 200)}` : ''}`;
    if (res.status === 429) {
      return { ok: false, error, retry: true, waitMs: retryAfterMs(res.headers.get('retry-after'), tools.now()) };
    }
    return { ok: false, error, retry: res.status >= 500 || res.status === 408, waitMs: null };
  } catch (err) {
    return { ok: false, error: failureOf(err, url, policy.timeoutMs), retry: true, waitMs: null };
  }
};

/**
 * POSTs `payload` as JSON to `url` until it is taken or the policy gives up. Never throws: the outcome says how
 * many attempts were made and, when it was not delivered, the last answer (status and a short reason).
 */
export const postWithRetries = async (
  url: string,
  payload: unknown,
  policy: DeliveryPolicy = DEFAULT_DELIVERY_POLICY,
  tools: DeliveryTools = SYSTEM_DELIVERY_TOOLS,
): Promise<DeliveryOutcome> => {
  const body = JSON.stringify(payload);
  let last = 'not attempted';
  for (let n = 1; n <= policy.attempts; n++) {
    const result = await attempt(url, body, policy, tools);
    if (result.ok) return { delivered: true, attempts: n, error: null };
    last = result.error;
    if (!result.retry || n === policy.attempts) return { delivered: false, attempts: n, error: last };
    const wait = result.waitMs ?? policy.baseDelayMs * 2 ** (n - 1);
    if (wait > policy.maxWaitMs) {
      const asked = `${Math.ceil(wait / 1000)} s`;
      const limit = `${Math.round(policy.maxWaitMs / 1000)} s`;
      return { delivered: false, attempts: n, error: `${last}; Retry-After ${asked} is longer than ${limit}` };
    }
    await tools.sleep(wait);
  }
  return { delivered: false, attempts: policy.attempts, error: last };
};
