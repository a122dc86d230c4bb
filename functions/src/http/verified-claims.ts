import { UnauthorizedError } from '../domain/errors.ts';
import type { Claims } from '../domain/user.ts';
import type { ApiEvent } from './api-event.ts';

// The authorizer takes the token alone or after `Bearer ` (API Gateway's JWT authorizer accepts both).
const BEARER = /^(?:Bearer\s+)?([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/i;

// Claims every token the authorizer accepts has, compared as text: the authorizer hands numbers over as strings.
const MUST_AGREE = ['sub', 'iss', 'exp'] as const;

const mismatch = () =>
  new UnauthorizedError('this bearer token is not the one the authorizer verified; send exactly one Bearer token');

const decodePayload = (segment: string): Claims => {
  try {
    const payload: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    if (payload && typeof payload === 'object' && !Array.isArray(payload)) return payload as Claims;
  } catch {
    // Falls through to the refusal below.
  }
  throw mismatch();
};

/**
 * The claims of the caller's verified token with their JSON types (groups as a real array). The HTTP API's
 * JWT authorizer has verified the signature of the token in `Authorization` and passes its claims flattened
 * to strings (`[a b]` for arrays); local mode's server does the same after jose verified it. So the payload
 * of that very header is read, and used only when its `sub`, `iss` and `exp` agree with what the authorizer
 * passed; anything else is a 401.
 */
export const verifiedClaims = (event: ApiEvent): Claims => {
  const passed = event.requestContext.authorizer?.jwt?.claims;
  if (!passed) throw new UnauthorizedError();
  const match = BEARER.exec((event.headers?.authorization ?? '').trim());
  if (!match) throw mismatch();
  const payload = decodePayload(match[2]!);
  for (const claim of MUST_AGREE) {
    const [mine, theirs] = [payload[claim], passed[claim]];
    const comparable = (typeof mine === 'string' || typeof mine === 'number') && theirs !== undefined;
    if (!comparable || String(mine) !== String(theirs)) throw mismatch();
  }
  return payload;
};
