/**
 * `audit stats`: counts by outcome, reason, cluster, day and failed subnet/AZ, the recovery rate
 * and the median time from failure to relaunch, over a range (default: 7 days). Reads the outcome
 * index, one Query per outcome and UTC day; `--cluster` and `--family` are filters on top.
 */
import type { DynamoAuditReader, Item } from '../functions/adapters/dynamo-audit-reader';
import { OUTCOMES } from '../functions/core/audit-schema';
import { type AuditFilters, planQueries, readAll } from './audit-list';
import {
  type Colors,
  humanDuration,
  type OutputFormat,
  paintOutcome,
  renderCsv,
  renderJson,
  renderTable,
} from './output';
import type { TimeRange } from './time-range';

/** Counts by key. */
export type Counts = Record<string, number>;

/** What `audit stats` computes. */
export interface AuditStats {
  readonly range: TimeRange;
  readonly filters: AuditFilters;
  /** Chains whose outcome was recorded in the range. */
  readonly chains: number;
  /** Events rejected before any chain (malformed, foreign account or region). */
  readonly rejectedEvents: number;
  readonly byOutcome: Counts;
  readonly byReason: Counts;
  readonly byCluster: Counts;
  readonly byDay: Counts;
  readonly byFailedSubnet: Counts;
  readonly byFailedAvailabilityZone: Counts;
  readonly rejectedByReason: Counts;
  /** Relaunch attempts made (each with its own clientToken). */
  readonly relaunchAttempts: number;
  /**
   * RELAUNCHED / (RELAUNCHED + GAVE_UP + FAILED + UNRESOLVED): the share of chains we acted on
   * that ended with a running replacement. Null when there were none.
   */
  readonly recoveryRate: number | null;
  /** Median milliseconds from the root task's stop to its first successful relaunch. */
  readonly medianRecoveryMs: number | null;
}

const ACTED_ON = new Set(['RELAUNCHED', 'GAVE_UP', 'FAILED', 'UNRESOLVED']);

function add(counts: Counts, key: unknown, by = 1): void {
  const k = typeof key === 'string' && key.length > 0 ? key : '(none)';
  counts[k] = (counts[k] ?? 0) + by;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The median of a list of numbers (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

/** Computes the statistics of items read from the outcome index. */
export function computeStats(items: readonly Item[], range: TimeRange, filters: AuditFilters): AuditStats {
  const byOutcome: Counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  const byReason: Counts = {};
  const byCluster: Counts = {};
  const byDay: Counts = {};
  const byFailedSubnet: Counts = {};
  const byFailedAvailabilityZone: Counts = {};
  const rejectedByReason: Counts = {};
  const recoveries: number[] = [];
  let chains = 0;
  let rejectedEvents = 0;
  let relaunchAttempts = 0;
  for (const item of items) {
    if (item.type === 'REJECTED') {
      rejectedEvents += 1;
      add(rejectedByReason, item.reasonCode);
      continue;
    }
    if (item.type !== 'CHAIN') continue;
    chains += 1;
    add(byOutcome, item.outcome);
    add(byReason, item.reasonCode);
    add(byCluster, item.clusterName);
    // gsi2pk is OUTCOME#<outcome>#<YYYY-MM-DD>: the day the outcome was recorded.
    add(byDay, typeof item.gsi2pk === 'string' ? item.gsi2pk.slice(-10) : undefined);
    for (const subnet of strings(item.failedSubnets)) add(byFailedSubnet, subnet);
    for (const az of strings(item.failedAvailabilityZones)) add(byFailedAvailabilityZone, az);
    if (typeof item.attempts === 'number') relaunchAttempts += item.attempts;
    if (item.outcome === 'RELAUNCHED' && typeof item.recoveryLatencyMs === 'number')
      recoveries.push(item.recoveryLatencyMs);
  }
  const acted = Object.entries(byOutcome)
    .filter(([o]) => ACTED_ON.has(o))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    range,
    filters,
    chains,
    rejectedEvents,
    byOutcome,
    byReason,
    byCluster,
    byDay: Object.fromEntries(Object.entries(byDay).sort(([a], [b]) => a.localeCompare(b))),
    byFailedSubnet,
    byFailedAvailabilityZone,
    rejectedByReason,
    relaunchAttempts,
    recoveryRate: acted === 0 ? null : (byOutcome.RELAUNCHED ?? 0) / acted,
    medianRecoveryMs: median(recoveries),
  };
}

/** Reads the range from the outcome index and computes the statistics. */
export async function auditStats(
  reader: DynamoAuditReader,
  filters: AuditFilters,
  range: TimeRange,
): Promise<AuditStats> {
  const items = await readAll(reader, planQueries(filters, range, false));
  return computeStats(items, range, filters);
}

function byCountDesc(counts: Counts): [string, number][] {
  return Object.entries(counts).sort(([ka, a], [kb, b]) => b - a || ka.localeCompare(kb));
}

/** Days and outcomes in their natural order, everything else by count. */
function ordered(key: keyof AuditStats, counts: Counts): [string, number][] {
  return key === 'byDay' || key === 'byOutcome' ? Object.entries(counts) : byCountDesc(counts);
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

const SECTIONS: readonly [keyof AuditStats, string][] = [
  ['byOutcome', 'outcome'],
  ['byReason', 'reason'],
  ['byCluster', 'cluster'],
  ['byDay', 'day (UTC)'],
  ['byFailedSubnet', 'failed subnet'],
  ['byFailedAvailabilityZone', 'failed AZ'],
  ['rejectedByReason', 'rejected events'],
];

/** Formats `audit stats`. */
export function formatStats(stats: AuditStats, format: OutputFormat, c: Colors): string {
  if (format === 'json') return renderJson(stats);
  if (format === 'csv') {
    const rows: unknown[][] = [
      ['summary', 'chains', stats.chains],
      ['summary', 'rejectedEvents', stats.rejectedEvents],
      ['summary', 'relaunchAttempts', stats.relaunchAttempts],
      ['summary', 'recoveryRate', stats.recoveryRate ?? ''],
      ['summary', 'medianRecoveryMs', stats.medianRecoveryMs ?? ''],
    ];
    for (const [key] of SECTIONS) {
      const counts = stats[key] as Counts;
      for (const [k, n] of ordered(key, counts)) rows.push([key, k, n]);
    }
    return renderCsv(['dimension', 'key', 'count'], rows);
  }
  const parts: string[] = [
    c.bold(`Audit statistics ${stats.range.since} .. ${stats.range.until}`),
    renderTable(
      ['chains', 'relaunch attempts', 'recovery rate', 'median failure → relaunch', 'rejected events'],
      [
        [
          stats.chains,
          stats.relaunchAttempts,
          percent(stats.recoveryRate),
          stats.medianRecoveryMs === null ? 'n/a' : humanDuration(stats.medianRecoveryMs),
          stats.rejectedEvents,
        ],
      ],
      c,
    ),
  ];
  for (const [key, title] of SECTIONS) {
    const counts = stats[key] as Counts;
    const entries = ordered(key, counts);
    const shown = key === 'byOutcome' ? entries : entries.filter(([, n]) => n > 0);
    if (shown.length === 0) continue;
    const rows = shown.map(([k, n]) => [key === 'byOutcome' ? paintOutcome(k, c) : k, n]);
    parts.push(renderTable([title, 'count'], rows, c));
  }
  parts.push(
    c.dim(
      'recovery rate = RELAUNCHED / (RELAUNCHED + GAVE_UP + FAILED + UNRESOLVED); chains are counted on the day their outcome was recorded',
    ),
  );
  return `${parts.join('\n')}\n`;
}
