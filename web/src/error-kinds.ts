/** What kind of failure an error is, for what the portal offers next: a way back, or a retry. */

import { ApiError } from './api-client.ts';

/**
 * The address names nothing the caller can see: a 404 (it does not exist, or it is not shared: the API answers the
 * same for both), or a 400 about the path alone (an id that cannot be one, such as `/runs/run-nope`).
 */
export const isNotFound = (error: unknown): boolean =>
  error instanceof ApiError &&
  (error.status === 404 ||
    (error.status === 400 && error.details.length > 0 && error.details.every((d) => d.path.startsWith('path.'))));

/**
 * Whether asking again may answer differently: not for a 4xx, which says what was asked is wrong (but a timeout,
 * 408, or throttling, 429, may pass later); yes for a 5xx, a network failure or anything else.
 */
export const canRetry = (error: unknown): boolean =>
  !(error instanceof ApiError) || error.status < 400 || error.status >= 500 || [408, 429].includes(error.status);
