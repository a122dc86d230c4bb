/**
 * The token of `Authorization: token <token>` (or `Bearer`), sent by machines rather than people: a server's
 * activity reporter, its credentials sidecar, a runner. Undefined when the header holds none.
 */
export const machineToken = (headers: Record<string, string | undefined>): string | undefined =>
  /^(?:token|Bearer)\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
