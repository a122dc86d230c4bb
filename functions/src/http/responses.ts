/** What a route returns before it becomes an API Gateway result. */
export interface HttpResult {
  status: number;
  body?: unknown;
  /** A body that is already text (HTML), sent as is. */
  text?: string;
  headers?: Record<string, string>;
}

/** 200 with a JSON body. */
export const ok = (body: unknown): HttpResult => ({ status: 200, body });
/** 201 with a JSON body: something new exists. */
export const created = (body: unknown): HttpResult => ({ status: 201, body });
/** 202 with a JSON body: accepted, work continues in the background. */
export const accepted = (body: unknown): HttpResult => ({ status: 202, body });
/** A text body with its own content type and headers. */
export const textResult = (text: string, headers: Record<string, string>): HttpResult => ({
  status: 200,
  text,
  headers,
});
