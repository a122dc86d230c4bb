import { describe, expect, it } from 'vitest';
import { compareKeys, titleKey, titlePrefix, titleRange } from '../../../src/domain/listing-order.ts';

const nb = (title: string, i = 1) => ({ title, createdAt: `2026-01-01T00:00:0${i}.000Z`, id: `nb-${i}` });

describe('Title keys', () => {
  it('order titles in any case, a title before its longer ones, the same titles oldest first', () => {
    const keys = [nb('report b', 2), nb('Report'), nb('REPORT B', 1), nb('report 10'), nb('Report a')].map(titleKey);
    const sorted = [...keys].sort(compareKeys);
    expect(sorted.map((k) => k.split('\u0001')[0])).toEqual([
      'report',
      'report 10',
      'report a',
      'report b',
      'report b',
    ]);
    expect(sorted[3]!.endsWith('nb-1')).toBe(true);
  });

  it('start with the prefix of every title that starts with the search in any case, and of no other', () => {
    expect(titleKey(nb('Quarterly Report')).startsWith(titlePrefix('qUARTERLY r'))).toBe(true);
    expect(titleKey(nb('Quarterly')).startsWith(titlePrefix('quarterly r'))).toBe(false);
  });

  it('hold no control character but the separator, so nothing sorts between a key and the next range start', () => {
    const bell = titleKey(nb('a\u0007b'));
    expect(bell.startsWith('a b')).toBe(true);
    const { from } = titleRange('a', bell);
    expect(compareKeys(from, bell)).toBe(1);
    expect(compareKeys(titleKey(nb('a b', 2)), from)).toBe(1);
  });

  it('compare by code point as DynamoDB does, so a title with an emoji sorts after one with a private-use sign', () => {
    expect('\u{1F680}' < '\uE000').toBe(true);
    expect(compareKeys('\u{1F680}', '\uE000')).toBe(1);
    const { to } = titleRange('a');
    expect(compareKeys(titleKey(nb('a\u{1F680}')), to)).toBe(-1);
    expect(compareKeys(titleKey(nb('b')), to)).toBe(1);
  });

  it('keep at most 200 code points of a title, so a key fits a DynamoDB sort key', () => {
    const long = titleKey(nb('\u{1F680}'.repeat(300)));
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(1024);
    expect(titleKey(nb('\u{1F680}'.repeat(300))).startsWith(titlePrefix('\u{1F680}'.repeat(250)))).toBe(true);
  });
});
