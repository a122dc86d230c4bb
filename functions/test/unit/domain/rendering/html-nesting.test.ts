import { describe, expect, it } from 'vitest';
import { nestsWithin } from '../../../../src/domain/rendering/html-nesting.ts';

describe('nestsWithin', () => {
  it('stacks tags the way the sanitizer parser does', () => {
    // Prepare
    const cases: Array<[string, number, boolean]> = [
      ['<div>'.repeat(10), 10, true],
      ['<div>'.repeat(11), 10, false],
      ['<p>a'.repeat(1000), 2, true],
      ['<li>a'.repeat(1000), 2, true],
      ['<tr><td>a'.repeat(1000), 3, true],
      ['<br><img src=x><hr>'.repeat(1000), 1, true],
      ['<span></span>'.repeat(1000), 1, true],
      [`<script>${'<b>'.repeat(1000)}</script>`, 1, true],
      [`<!--${'<b>'.repeat(1000)}-->`, 1, true],
      ['<div><b>'.repeat(1000), 100, false],
    ];

    // Act
    const results = cases.map(([html, limit]) => nestsWithin(html, limit));

    // Assess
    expect(results).toEqual(cases.map(([, , within]) => within));
  });
});
