// The printed report of `npm run cost`: a table per part (Orrery's own, EKS, the VPC's), the idle platform and the
// orchestration of one run against the targets (naming the lines that dominate), then one JSON line.
import type { Inventory, Usage } from './model.ts';
import type { Line, Section } from './lines.ts';
import { totalUsd } from './lines.ts';
import { PRICES_AS_OF, PRICES_REGION } from './prices.ts';

/** The platform idle must cost less than this a month, beyond the cluster (issue 17). */
export const IDLE_TARGET_USD = 5;
/** One run's orchestration must cost less than this (issue 17). */
export const PER_RUN_TARGET_USD = 0.001;

/** Everything the report prints. */
export interface CostReport {
  configPath: string;
  inventory: Inventory;
  usage: Usage;
  month: Line[];
  idle: Line[];
  perRun: { api: Line[]; scheduled: Line[] };
  perLaunch: Line[];
}

/** Dollars: cents for a dollar and more, four significant digits below (a run costs fractions of a cent). */
export const usd = (value: number): string =>
  value >= 1 || value === 0 ? `$${value.toFixed(2)}` : `$${Number(value.toPrecision(4))}`;

// The table's column: cents, or tenths of a cent below a dollar, so the small lines still show.
const money = (value: number): string => `$${value.toFixed(value >= 1 ? 2 : 4)}`;

const quantity = (value: number): string =>
  value >= 100 ? Math.round(value).toLocaleString('en-US') : String(Number(value.toPrecision(4)));

// Rows by service, each service where it first appears (its work, then what it keeps), zero lines left out.
const table = (lines: readonly Line[]): string[] => {
  const order = [...new Set(lines.map((l) => l.service))];
  const rows = lines
    .filter((l) => l.quantity > 0)
    .sort((a, b) => order.indexOf(a.service) - order.indexOf(b.service))
    .map((l) => [l.service, l.item, quantity(l.quantity), l.price, money(l.usd)]);
  const head = ['service', 'item', 'quantity', 'unit price', 'USD/month'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r.map((cell, i) => (i >= 2 && i !== 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [fmt(head), ...rows.map(fmt)].map((row) => `  ${row.trimEnd()}`);
};

/** The lines that weigh most, largest first, as "service item $x". */
export const largest = (lines: readonly Line[], n = 3): string =>
  [...lines]
    .sort((a, b) => b.usd - a.usd)
    .slice(0, n)
    .map((l) => `${l.service} ${l.item} ${usd(l.usd)}`)
    .join('; ');

// What a platform team can leave out for a cheap idle platform: its own web ACL (waf.webAclArn: the company's) and the
// dashboard ("dashboard": false). The alarms, the key and the secrets stay.
const isOptional = (l: Line) => l.service === 'WAF' || (l.service === 'CloudWatch' && l.item === 'dashboards');

/** The idle platform without its own web ACL and dashboard. */
export const leanIdleUsd = (idle: readonly Line[]): number => totalUsd(idle.filter((l) => !isOptional(l)));

const leanHint = (idle: readonly Line[]): string =>
  idle.some(isOptional)
    ? `\n  (with the company's web ACL, waf.webAclArn, and "dashboard": false: ${usd(leanIdleUsd(idle))} a month)`
    : '';

const verdict = (value: number, target: number, lines: readonly Line[]): string =>
  value < target
    ? `meets the target (< ${usd(target)})`
    : `MISSES the target (< ${usd(target)}); the largest lines: ${largest(lines)}`;

const section = (title: string, lines: Line[], part: Section): string[] => {
  const mine = lines.filter((l) => l.section === part);
  return mine.length ? [title, ...table(mine), `  total ${money(totalUsd(mine))}`, ''] : [];
};

/** The report as text: tables, totals, the two targets, and what dominates where a target is missed. */
export const formatReport = (r: CostReport): string => {
  const u = r.usage;
  const idle = totalUsd(r.idle);
  const [api, scheduled] = [totalUsd(r.perRun.api), totalUsd(r.perRun.scheduled)];
  const regionNote =
    r.inventory.region === PRICES_REGION
      ? ''
      : ` (the configuration deploys to ${r.inventory.region}; prices differ a little)`;
  return [
    `Orrery's monthly AWS cost, ${PRICES_REGION} list prices of ${PRICES_AS_OF}${regionNote}, from ${r.configPath}`,
    `Assuming ${u.users} users, ${u.runsPerDay} runs a day (${u.scheduledRunsPerDay} scheduled) of ${u.runMinutes} ` +
      `min, servers ${u.serverHoursPerUserPerDay} h a day per user, ${u.apiRequestsPerUserPerDay} API requests a ` +
      `day per user, ${u.notebooks} notebooks of ${u.notebookKb} KB (npm run cost -- --help lists every flag).`,
    '',
    ...section("Orrery's own parts", r.month, 'own'),
    ...section("Users' servers and runs on EKS (profile hourly prices)", r.month, 'eks'),
    ...section("The configured VPC's NAT (not Orrery's; its functions in the VPC need one)", r.month, 'network'),
    `Idle platform (no users, runs or requests; beyond the cluster): ${usd(idle)} a month: ` +
      verdict(idle, IDLE_TARGET_USD, r.idle) +
      leanHint(r.idle),
    `Orchestration per run: ${usd(api)} started through the API, ${usd(scheduled)} by a schedule: ` +
      verdict(Math.max(api, scheduled), PER_RUN_TARGET_USD, api >= scheduled ? r.perRun.api : r.perRun.scheduled),
    `  (one server launch: ${usd(totalUsd(r.perLaunch))}; largest: ${largest(r.perLaunch, 2)})`,
  ].join('\n');
};

const cents = (value: number) => Math.round(value * 100) / 100;

/** The report's figures as one JSON object (the line the script prints last). */
export const jsonSummary = (r: CostReport) => {
  const idle = totalUsd(r.idle);
  const perRun = Math.max(totalUsd(r.perRun.api), totalUsd(r.perRun.scheduled));
  return {
    pricesAsOf: PRICES_AS_OF,
    pricesRegion: PRICES_REGION,
    usage: r.usage,
    ownMonthlyUsd: cents(totalUsd(r.month, 'own')),
    eksMonthlyUsd: cents(totalUsd(r.month, 'eks')),
    networkMonthlyUsd: cents(totalUsd(r.month, 'network')),
    idleMonthlyUsd: cents(idle),
    leanIdleMonthlyUsd: cents(leanIdleUsd(r.idle)),
    perRunUsd: {
      api: Number(totalUsd(r.perRun.api).toPrecision(4)),
      scheduled: Number(totalUsd(r.perRun.scheduled).toPrecision(4)),
    },
    perLaunchUsd: Number(totalUsd(r.perLaunch).toPrecision(4)),
    targets: { idleUnder5: idle < IDLE_TARGET_USD, perRunUnder0001: perRun < PER_RUN_TARGET_USD },
  };
};
