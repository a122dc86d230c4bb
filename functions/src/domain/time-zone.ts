// Wall-clock arithmetic in IANA zones through Intl, the only zone database Node carries.

const formatters = new Map<string, Intl.DateTimeFormat>();

// One formatter per zone: building one costs far more than using it, and a busy calendar asks thousands of times.
const formatterFor = (zone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
};

/** What is wrong with an IANA zone name, or null when Intl knows it (offsets such as `+01:00` are not names). */
export const timeZoneProblem = (zone: string): string | null => {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return `'${zone}' is not an IANA zone name such as Europe/Berlin`;
  let resolved: string;
  try {
    resolved = formatterFor(zone).resolvedOptions().timeZone;
  } catch {
    return `'${zone}' is not a time zone this platform knows (an IANA name such as America/New_York or UTC)`;
  }
  // Intl matches names in any case; EventBridge Scheduler wants the zone as the database spells it.
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) return `write it as ${resolved}`;
  return null;
};

/** How far the zone's wall clock is ahead of UTC at an instant, in milliseconds (negative west of Greenwich). */
export const zoneOffsetMs = (at: Date, zone: string): number => {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(at)) parts[part.type] = Number(part.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(at.getTime() / 1000) * 1000;
};

// Longer than any zone's clock change, shorter than the time between two changes.
const LOOK_BACK_MS = 6 * 3600_000;

/**
 * The earliest instant whose wall-clock time in the zone equals that of `at`: `at` itself, except in the hour a
 * clock change repeats, where the same wall-clock time occurred once already, before the clocks went back.
 */
export const firstOccurrence = (at: Date, zone: string): Date => {
  const offset = zoneOffsetMs(at, zone);
  const before = zoneOffsetMs(new Date(at.getTime() - LOOK_BACK_MS), zone);
  if (before <= offset) return at;
  const earlier = new Date(at.getTime() + offset - before);
  return zoneOffsetMs(earlier, zone) === before ? earlier : at;
};
