/**
 * Time ranges of the audit commands: `--since` / `--until` as ISO timestamps, UTC days
 * (`YYYY-MM-DD`) or relative times (`30m`, `24h`, `7d`, `2w` ago), and the UTC days they span
 * (the outcome index is partitioned by day).
 */
import { UsageError } from './cli-errors';

/** A resolved range, both ends inclusive, as ISO timestamps (UTC, millisecond precision). */
export interface TimeRange {
  readonly since: string;
  readonly until: string;
}

const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS };

/** Examples of the relative form, one per unit above: the help text and the errors both quote them. */
export const RELATIVE_TIME_EXAMPLES = '30m, 24h, 7d, 2w';

/** Default look-back of the audit commands. */
export const DEFAULT_RANGE_DAYS = 7;

/** Longest range the per-day queries accept (one Query per outcome and day). */
export const MAX_RANGE_DAYS = 366;

/**
 * Parses one end of a range. A bare day is its first millisecond for `start` and its last for
 * `end`, so `--since 2025-01-01 --until 2025-01-01` is that whole day.
 */
export function parseTimePoint(text: string, nowMs: number, edge: 'start' | 'end', flag = '--since'): number {
  const t = text.trim();
  if (t === 'now') return nowMs;
  const relative = /^(\d+)([mhdw])$/.exec(t);
  if (relative) return nowMs - Number(relative[1]) * (UNIT_MS[relative[2] ?? 'd'] ?? DAY_MS);
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) {
    const start = Date.parse(`${t}T00:00:00.000Z`);
    if (!Number.isNaN(start) && new Date(start).toISOString().startsWith(t))
      return edge === 'start' ? start : start + DAY_MS - 1;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(t)) {
    // No zone means UTC: the table's timestamps are UTC.
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(t) ? t : `${t}Z`;
    const ms = Date.parse(zoned);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new UsageError(
    `${flag} "${text}" is not a time: use an ISO timestamp (2025-01-31T06:00:00Z), a UTC day (2025-01-31) ` +
      `or a relative time (${RELATIVE_TIME_EXAMPLES})`,
  );
}

/** Resolves `--since` / `--until` (default: the last 7 days up to now). */
export function resolveRange(
  options: { since?: string; until?: string },
  nowMs: number,
  defaultDays = DEFAULT_RANGE_DAYS,
): TimeRange {
  const until = options.until === undefined ? nowMs : parseTimePoint(options.until, nowMs, 'end', '--until');
  const since =
    options.since === undefined
      ? until - defaultDays * DAY_MS
      : parseTimePoint(options.since, nowMs, 'start');
  if (since > until) {
    throw new UsageError(
      `--since (${new Date(since).toISOString()}) is after --until (${new Date(until).toISOString()}): swap them`,
    );
  }
  return { since: new Date(since).toISOString(), until: new Date(until).toISOString() };
}

/** The UTC days (`YYYY-MM-DD`) a range touches, oldest first. */
export function daysOf(range: TimeRange, maxDays = MAX_RANGE_DAYS): string[] {
  const first = Date.parse(`${range.since.slice(0, 10)}T00:00:00.000Z`);
  const last = Date.parse(`${range.until.slice(0, 10)}T00:00:00.000Z`);
  const count = Math.round((last - first) / DAY_MS) + 1;
  if (count > maxDays) {
    throw new UsageError(
      `the range spans ${count} days (at most ${maxDays}, one query per outcome and day): ` +
        'narrow --since/--until, or use --cluster (one query for any range)',
    );
  }
  return Array.from({ length: count }, (_, i) => new Date(first + i * DAY_MS).toISOString().slice(0, 10));
}

/**
 * The upper bound for a `BETWEEN` on a sort key `<iso time>#<id>`: `~` sorts after `#` and every
 * ARN character, so items stamped exactly at `until` are included.
 */
export function sortKeyUpperBound(untilIso: string): string {
  return `${untilIso}~`;
}
