/** One detail of a validation failure: where (a path such as `cells[3].source`) and what is wrong. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one error family of the platform: a stable `code` that clients and Step Functions match on. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request is malformed or names something that cannot be (400). */
export class ValidationError extends AppError {
  constructor(message: string, details?: ErrorDetail[], code = 'validation_failed') {
    super(code, message, details);
  }
}

/** No valid credentials came with the request (401). */
export class UnauthorizedError extends AppError {
  constructor(message = 'sign in first: send Authorization: Bearer <token>') {
    super('unauthorized', message);
  }
}

/** The caller is known but may not do this (403). */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message);
  }
}

/** The thing does not exist, or the caller may not know that it does (404). */
export class NotFoundError extends AppError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** The request conflicts with the current state; retrying as is will not help (409). */
export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(code, message);
  }
}

/** The body is larger than this route accepts (413). */
export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super('payload_too_large', message);
  }
}

/** Well-formed input whose content cannot be accepted, such as a body that is not a notebook (422). */
export class UnprocessableError extends AppError {
  constructor(message: string, details?: ErrorDetail[], code = 'unprocessable') {
    super(code, message, details);
  }
}

/** A per-user limit was reached (429). */
export class QuotaExceededError extends AppError {
  constructor(message: string) {
    super('quota_exceeded', message);
  }
}

/** Something the platform depends on failed or is not available here (503). */
export class UpstreamError extends AppError {
  constructor(message: string) {
    super('upstream_unavailable', message);
  }
}

/** A workflow step found its run stopped (Step Functions matches this name). */
export class RunStoppedError extends AppError {
  constructor(message: string) {
    super('run_stopped', message);
  }
}

/** Nothing can execute the notebook here: no kernel, no runner (Step Functions matches this name). */
export class RunnerUnavailableError extends AppError {
  constructor(message: string) {
    super('runner_unavailable', message);
  }
}

/** The runner ended without completing the notebook (Step Functions matches this name). */
export class RunnerFailedError extends AppError {
  constructor(message: string) {
    super('runner_failed', message);
  }
}

/** A launch cannot finish: timeout, an image pull error, an unschedulable pod (Step Functions matches this name). */
export class ServerLaunchFailedError extends AppError {
  constructor(message: string) {
    super('server_launch_failed', message);
  }
}
