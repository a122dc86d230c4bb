import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../domain/errors.ts';
import type { CursorCodec } from '../../ports/cursor-codec.ts';

const invalid = () =>
  new ValidationError(
    'the cursor is not one this API gave out for this listing; start again without it',
    [{ path: 'cursor', message: 'invalid' }],
    'invalid_cursor',
  );

/** Cursors as base64url(position).base64url(HMAC-SHA256(scope, position)): opaque and tamper-evident. */
export class HmacCursorCodec implements CursorCodec {
  constructor(private readonly secret: string) {}

  encode(scope: string, position: string): string {
    return `${Buffer.from(position, 'utf8').toString('base64url')}.${this.sign(scope, position).toString('base64url')}`;
  }

  decode(scope: string, cursor: string): string {
    const [body, mac, extra] = cursor.split('.');
    if (!body || !mac || extra !== undefined || cursor.length > 2048) throw invalid();
    const position = Buffer.from(body, 'base64url').toString('utf8');
    const given = Buffer.from(mac, 'base64url');
    const expected = this.sign(scope, position);
    if (
      given.length !== expected.length ||
      !timingSafeEqual(given, expected) ||
      Buffer.from(position, 'utf8').toString('base64url') !== body
    )
      throw invalid();
    return position;
  }

  private sign(scope: string, position: string): Buffer {
    return createHmac('sha256', this.secret).update(scope).update('\u0000').update(position).digest();
  }
}
