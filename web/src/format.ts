/** Durations, ages, prices and dates as the portal shows them (English, the browser's time zone). */

import type { Profile, Role } from './api-client.ts';

const plural = (n: number, unit: string) => `${n} ${unit}`;

/** `42 s`, `5 min 3 s`, `2 h 5 min`, `3 d 4 h`: the two largest units, for durations in seconds. */
export const formatDuration = (seconds: number | null | undefined): string => {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return plural(s, 's');
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : plural(m, 'min');
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : plural(h, 'h');
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : plural(d, 'd');
};

/** How long ago `iso` was, at `now` (ms), as a duration (`5 min`); `—` when unknown. */
export const formatAge = (iso: string | null | undefined, now: number): string => {
  if (!iso) return '—';
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '—' : formatDuration((now - at) / 1000);
};

/** Seconds between two instants (the second defaulting to `now`), or null when the first is unknown. */
export const secondsBetween = (
  fromIso: string | null | undefined,
  toIso: string | null | undefined,
  now: number,
): number | null => {
  if (!fromIso) return null;
  const from = Date.parse(fromIso);
  const to = toIso ? Date.parse(toIso) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, (to - from) / 1000);
};

const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 3,
});

/** An hourly price: `$0.192/h`. */
export const formatHourlyPrice = (price: number | null | undefined): string =>
  price === null || price === undefined ? '—' : `${usd.format(price)}/h`;

/** A daily price: `$31.49/day`. */
export const formatDailyPrice = (price: number | null | undefined): string =>
  price === null || price === undefined ? '—' : `${usd.format(price)}/day`;

/** A sum of money: `$1.23`. */
export const formatMoney = (amount: number): string => usd.format(amount);

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A date and time in the browser's locale and zone; `—` when missing. */
export const formatDateTime = (iso: string | null | undefined): string => {
  if (!iso) return '—';
  const at = Date.parse(iso);
  return Number.isNaN(at) ? '—' : dateTime.format(at);
};

/** A byte count: `812 B`, `12.5 KB`, `3.1 MB`. */
export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};

/** A status word for people: `IN_PROGRESS` → `In progress`. */
export const formatStatus = (status: string): string =>
  status.charAt(0) + status.slice(1).toLowerCase().replace(/_/g, ' ');

const BINARY_UNITS: Record<string, string> = { Ki: 'KiB', Mi: 'MiB', Gi: 'GiB', Ti: 'TiB' };

/** A Kubernetes memory quantity as people read it, as profile descriptions write it: `2Gi` → `2 GiB`. */
export const formatMemoryQuantity = (quantity: string): string => {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  return match ? `${match[1]} ${BINARY_UNITS[match[2]!]}` : quantity;
};

/** A profile's option label (launch and run forms): its display name first (the contract), then resources and price. */
export const profileLabel = (p: Profile): string =>
  `${p.displayName} — ${p.cpu.request} CPU, ${formatMemoryQuantity(p.memory.request)} memory` +
  (p.gpus ? `, ${p.gpus} GPU` : '') +
  `, ${formatHourlyPrice(p.hourlyPrice)}`;

/** An AWS role's option label (launch, run and server-role pickers): name, account and environment. */
export const roleLabel = (r: Role): string => `${r.name} — ${r.account} (${r.environment})`;
