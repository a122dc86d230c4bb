import { randomBytes } from 'node:crypto';
import type { Ids } from '../../ports/ids.ts';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Ids as `<prefix>-<time><random>`: lowercase base32, roughly time-ordered, 80 random bits. */
export class RandomIds implements Ids {
  next(prefix: string): string {
    let time = Date.now();
    let head = '';
    for (let i = 0; i < 9; i += 1) {
      head = ALPHABET[time % 32] + head;
      time = Math.floor(time / 32);
    }
    const tail = [...randomBytes(16)].map((b) => ALPHABET[b % 32]).join('');
    return `${prefix}-${head}${tail}`;
  }

  secret(): string {
    return randomBytes(32).toString('base64url');
  }
}
