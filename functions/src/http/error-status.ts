import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  QuotaExceededError,
  UnauthorizedError,
  UnprocessableError,
  UpstreamError,
  ValidationError,
} from '../domain/errors.ts';

/** The one table from error to HTTP status; anything not listed is a 500 that says nothing inside. */
export const ERROR_STATUS: ReadonlyArray<[new (...args: never[]) => AppError, number]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnprocessableError, 422],
  [QuotaExceededError, 429],
  [UpstreamError, 503],
];

/** The HTTP status of an error: its class's entry, else 500. */
export const statusOf = (err: unknown): number => ERROR_STATUS.find(([type]) => err instanceof type)?.[1] ?? 500;

/** The JSON error body: the code and message of our errors, "internal error" for anything else. */
export const errorBody = (err: unknown, requestId: string) => {
  if (err instanceof AppError && statusOf(err) < 500) {
    return {
      error: err.code,
      message: err.message,
      requestId,
      ...(err.details?.length ? { details: err.details } : {}),
    };
  }
  if (err instanceof AppError) return { error: err.code, message: err.message, requestId };
  return { error: 'internal', message: `internal error; quote request id ${requestId} when you report it`, requestId };
};
