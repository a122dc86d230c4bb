import { ApiException } from '@kubernetes/client-node';
import { UpstreamError } from '../../domain/errors.ts';

// How the Kubernetes adapter makes one API call: tolerated statuses become null, anything else an UpstreamError that
// repeats only what is safe to repeat.

/** The HTTP status of a failed call, when the API server answered. */
export const statusOf = (err: unknown): number | undefined => (err instanceof ApiException ? err.code : undefined);

// The Status `reason` (NotFound, Forbidden, InternalError) is an enum; its `message` is free text, kept out on purpose.
const statusReason = (body: unknown): string | undefined => {
  let parsed = body;
  // For statuses the OpenAPI document does not list, the client hands the body over as unparsed text.
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const reason = (parsed as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' && /^[A-Za-z]+$/.test(reason) ? reason : undefined;
};

/**
 * An UpstreamError for a failed call. ApiException's message carries response headers and body; only the status and
 * the Status reason are safe to repeat.
 */
export const upstream = (operation: string, err: unknown): UpstreamError => {
  const status = statusOf(err);
  if (status === undefined)
    return new UpstreamError(
      `Kubernetes API: ${operation} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  const reason = statusReason((err as ApiException<unknown>).body);
  return new UpstreamError(`Kubernetes API: ${operation} failed with HTTP ${status}${reason ? ` ${reason}` : ''}`);
};

/** Runs one API call; a status in `tolerated` yields null instead of an error. */
export const call = async <T>(operation: string, fn: () => Promise<T>, tolerated: number[] = []): Promise<T | null> => {
  try {
    return await fn();
  } catch (err) {
    const status = statusOf(err);
    if (status !== undefined && tolerated.includes(status)) return null;
    throw upstream(operation, err);
  }
};
