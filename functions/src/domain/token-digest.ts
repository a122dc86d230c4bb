import { createHash, timingSafeEqual } from 'node:crypto';

/** The sha256 a secret token is stored as (hex): the token itself is only ever handed out, never kept. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Whether `token` is the one whose digest was stored, compared in constant time, so how long a refusal takes says
 * nothing about how much of the digest matched. A missing stored digest matches nothing.
 */
export const matchesDigest = (token: string, stored: string | null | undefined): boolean => {
  if (!stored) return false;
  const given = Buffer.from(tokenDigest(token), 'hex');
  const kept = Buffer.from(stored, 'hex');
  return given.length === kept.length && timingSafeEqual(given, kept);
};
