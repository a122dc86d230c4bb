import { listingKey, type Notebook } from './notebook.ts';

/**
 * The order a listing is read in: newest first, or, for a title search once titles are indexed, by title A to Z
 * (the same titles oldest first), which an index can serve matching item by matching item.
 */
export type ListingOrder = 'newest' | 'title';

// Code points a title key never holds (control characters, lone surrogates, the last code point), so that the
// separator sorts below whatever follows a title and no key lies between a key and that key plus the separator.
const UNKEYED = /[\p{Cc}\p{Cs}\u{10FFFF}]/gu;
const SEPARATOR = '\u0001';
const TOP = '\u{10FFFF}';
// Code points of a title a key holds: 200 of them (4 bytes each at most) and a listing key fit DynamoDB's 1 KB.
const KEYED_CODE_POINTS = 200;

const keyed = (text: string): string =>
  Array.from(text.toLowerCase().replace(UNKEYED, ' ')).slice(0, KEYED_CODE_POINTS).join('');

/** Where a notebook sorts among title matches: its title in lower case, then its listing key. */
export const titleKey = (nb: Pick<Notebook, 'title' | 'createdAt' | 'id'>): string =>
  `${keyed(nb.title)}${SEPARATOR}${listingKey(nb)}`;

/**
 * The start shared by the title key of every notebook whose title starts with `q` in any case. Keys of titles that
 * only share their first 200 code points with `q` start with it too; the listing's filter drops those.
 */
export const titlePrefix = (q: string): string => keyed(q);

/** The inclusive range of title keys that start with `prefix` and come after `past` (from the start if none). */
export const titleRange = (prefix: string, past?: string): { from: string; to: string } => ({
  // Nothing sorts between a key and the key plus the separator, which no key equals.
  from: past === undefined ? prefix : `${past}${SEPARATOR}`,
  // Every key that starts with the prefix is below it: only the top code point could follow it, and none does.
  to: `${prefix}${TOP}`,
});

/** Orders keys as DynamoDB does: by code point (its UTF-8 bytes), not by UTF-16 unit as `<` does. */
export const compareKeys = (a: string, b: string): number => {
  let i = 0;
  while (i < a.length && i < b.length) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return Math.sign(a.length - b.length);
};

/** A notebook's position in a listing of this order. */
export const positionOf = (order: ListingOrder, nb: Notebook): string =>
  order === 'title' ? titleKey(nb) : listingKey(nb);

/** Does position `a` come before position `b` in this order? */
export const comesFirst = (order: ListingOrder, a: string, b: string): boolean =>
  order === 'title' ? compareKeys(a, b) < 0 : a > b;
