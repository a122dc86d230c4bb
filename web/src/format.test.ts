import { describe, expect, it } from 'vitest';
import { formatAge, formatDuration, formatHourlyPrice, formatMemoryQuantity, secondsBetween } from './format.ts';

describe('format', () => {
  it('shows durations in their two largest units', () => {
    // Prepare
    const seconds = [0, 42, 60, 303, 3600, 7500, 90_000, null];
    // Act
    const shown = seconds.map(formatDuration);
    // Assess
    expect(shown).toEqual(['0 s', '42 s', '1 min', '5 min 3 s', '1 h', '2 h 5 min', '1 d 1 h', '—']);
  });

  it('measures ages from an ISO time to now, and between two times', () => {
    // Prepare
    const now = Date.parse('2026-01-01T12:00:00Z');
    // Act
    const age = formatAge('2026-01-01T11:30:00Z', now);
    const span = secondsBetween('2026-01-01T11:00:00Z', '2026-01-01T11:00:30Z', now);
    // Assess
    expect(age).toBe('30 min');
    expect(span).toBe(30);
    expect(formatAge(null, now)).toBe('—');
  });

  it('prices per hour in dollars with cents', () => {
    // Prepare
    const prices = [0.05, 1.5, 0.1925];
    // Act
    const shown = prices.map(formatHourlyPrice);
    // Assess
    expect(shown).toEqual(['$0.05/h', '$1.50/h', '$0.193/h']);
  });

  it('writes memory quantities in the binary units profile descriptions use, leaving others as they are', () => {
    // Prepare
    const quantities = ['2Gi', '512Mi', '1.5Ti', '4G', '1000'];
    // Act
    const shown = quantities.map(formatMemoryQuantity);
    // Assess
    expect(shown).toEqual(['2 GiB', '512 MiB', '1.5 TiB', '4G', '1000']);
  });
});
