/**
 * `audit list`: chains by cluster, outcome and time, over the GSIs (never a Scan).
 * - `--cluster`: one Query on byCluster (sort key: when the chain was first seen);
 * - otherwise one Query on byOutcomeDay per outcome and UTC day of the range, newest day first
 *   (sort key: when the outcome was recorded); `--outcome` narrows it to one outcome.
 * `--family` (and `--outcome` together with `--cluster`) are FilterExpressions on top.
 */
import { createHash } from 'node:crypto';
import type { DynamoAuditReader, Item, QuerySpec } from '../functions/adapters/dynamo-audit-reader';
import { AUDIT_TABLE, OUTCOMES, type Outcome } from '../functions/core/audit-schema';
import { UsageError } from './cli-errors';
import { decodeNextToken, encodeNextToken, type PageCursor } from './next-token';
import {
  type Colors,
  cell,
  humanDuration,
  type OutputFormat,
  paintOutcome,
  renderCsv,
  renderJson,
  renderTable,
} from './output';
import { RAW_QUERIES } from './raw-queries';
import { daysOf, resolveRange, sortKeyUpperBound, type TimeRange } from './time-range';

/** Filters of `audit list` and `audit stats`. */
export interface AuditFilters {
  readonly cluster?: string;
  readonly outcome?: Outcome;
  readonly family?: string;
}

/** The queries of a listing, in output order, and a fingerprint of its filters. */
export interface QueryPlan {
  readonly id: string;
  readonly queries: readonly QuerySpec[];
}

/** `--outcome` value to an Outcome (`gave-up`, `gave_up` and `GAVE_UP` all work). */
export function parseOutcome(text: string): Outcome {
  const normalized = text.trim().toUpperCase().replaceAll('-', '_');
  const found = OUTCOMES.find((o) => o === normalized);
  if (!found)
    throw new UsageError(`--outcome "${text}" is not an outcome: use one of ${OUTCOMES.join(', ')}`);
  return found;
}

/** `--day YYYY-MM-DD` or `--since`/`--until` to a range (default: the last 7 days). */
export function rangeOf(options: { day?: string; since?: string; until?: string }, nowMs: number): TimeRange {
  if (options.day === undefined) return resolveRange(options, nowMs);
  if (options.since !== undefined || options.until !== undefined) {
    throw new UsageError('--day excludes --since/--until: use one or the other');
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.day.trim())) {
    throw new UsageError(`--day "${options.day}" is not a UTC day: use YYYY-MM-DD`);
  }
  return resolveRange({ since: options.day, until: options.day }, nowMs);
}

function filtersOf(filters: AuditFilters, onClusterIndex: boolean): Partial<QuerySpec> {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, string> = {};
  if (filters.family !== undefined) {
    clauses.push('#family = :family');
    names['#family'] = 'family';
    values[':family'] = filters.family;
  }
  if (onClusterIndex && filters.outcome !== undefined) {
    clauses.push('#outcome = :outcome');
    names['#outcome'] = 'outcome';
    values[':outcome'] = filters.outcome;
  }
  if (!onClusterIndex && filters.cluster !== undefined) {
    clauses.push('#clusterName = :clusterName');
    names['#clusterName'] = 'clusterName';
    values[':clusterName'] = filters.cluster;
  }
  return clauses.length > 0 ? { filterExpression: clauses.join(' AND '), names, values } : {};
}

function withFilters(spec: QuerySpec, extra: Partial<QuerySpec>): QuerySpec {
  if (!extra.filterExpression) return spec;
  return {
    ...spec,
    filterExpression: extra.filterExpression,
    names: extra.names,
    values: { ...spec.values, ...extra.values },
  };
}

/** Fingerprint of the filters a next-token belongs to. */
export function filtersFingerprint(kind: string, filters: AuditFilters): string {
  const text = JSON.stringify([
    kind,
    filters.cluster ?? null,
    filters.outcome ?? null,
    filters.family ?? null,
  ]);
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}

/**
 * The queries answering a listing. With `useClusterIndex` false (stats), a cluster is a filter on
 * the outcome index instead, so every chain is counted by outcome day.
 */
export function planQueries(filters: AuditFilters, range: TimeRange, useClusterIndex = true): QueryPlan {
  const to = sortKeyUpperBound(range.until);
  if (filters.cluster !== undefined && useClusterIndex) {
    const spec = RAW_QUERIES.clusterRange.spec({ cluster: filters.cluster, from: range.since, to });
    return {
      id: filtersFingerprint('cluster', filters),
      queries: [withFilters(spec, filtersOf(filters, true))],
    };
  }
  const outcomes: readonly Outcome[] = filters.outcome ? [filters.outcome] : OUTCOMES;
  const extra = filtersOf(filters, false);
  const queries: QuerySpec[] = [];
  for (const day of daysOf(range).reverse()) {
    for (const outcome of outcomes) {
      const spec = RAW_QUERIES.outcomeRange.spec({ outcome, day, from: range.since, to });
      queries.push(withFilters(spec, extra));
    }
  }
  return { id: filtersFingerprint('outcome', filters), queries };
}

/** The key DynamoDB would return as LastEvaluatedKey right after `item` in the query `spec`. */
export function startKeyAfter(item: Item, spec: QuerySpec): Item {
  const index = Object.values(AUDIT_TABLE.indexes).find((i) => i.name === spec.indexName);
  const names = [
    AUDIT_TABLE.partitionKey,
    AUDIT_TABLE.sortKey,
    ...(index ? [index.partitionKey, index.sortKey] : []),
  ];
  return Object.fromEntries(names.map((n) => [n, item[n]]));
}

/**
 * One page of a plan: up to `limit` items in plan order, and where the next page starts.
 * Partitions are probed a few at a time (most days of a range are empty for most outcomes);
 * items are taken strictly in plan order, so the cursor stays exact.
 */
export async function readPage(
  reader: DynamoAuditReader,
  plan: QueryPlan,
  range: TimeRange,
  limit: number,
  cursor?: PageCursor,
): Promise<{ items: Item[]; next?: PageCursor }> {
  const items: Item[] = [];
  let index = cursor?.query ?? 0;
  let key = cursor?.key;
  while (index < plan.queries.length && items.length < limit) {
    const remaining = limit - items.length;
    // Resume inside a partition alone; start fresh partitions in parallel.
    const batch = plan.queries.slice(index, key ? index + 1 : index + READ_CONCURRENCY);
    const pages = await Promise.all(
      batch.map((spec, i) =>
        reader.queryPage(spec, { limit: remaining, startKey: i === 0 ? key : undefined }),
      ),
    );
    let stop = false;
    for (const [i, page] of pages.entries()) {
      const spec = batch[i];
      if (!spec) break;
      const room = limit - items.length;
      if (page.items.length > room) {
        // An earlier partition of the batch filled the page: cut here, resume after the last item taken.
        const taken = page.items.slice(0, room);
        items.push(...taken);
        const last = taken.at(-1);
        // No room at all (page already full): partition i starts from its beginning next time.
        key = last ? startKeyAfter(last, spec) : undefined;
        stop = true;
        break;
      }
      items.push(...page.items);
      if (page.lastEvaluatedKey) {
        key = page.lastEvaluatedKey;
        stop = true;
        break;
      }
      index += 1;
      key = undefined;
    }
    if (stop) break;
  }
  const next = index < plan.queries.length ? { plan: plan.id, query: index, key, range } : undefined;
  return { items, next };
}

/** Queries run at once by {@link readAll}: far below DynamoDB's limits, enough to hide latency. */
export const READ_CONCURRENCY = 8;

/** Every item of a plan (all pages of all queries), in plan order; queries run a few at a time. */
export async function readAll(reader: DynamoAuditReader, plan: QueryPlan): Promise<Item[]> {
  const results: Item[][] = new Array(plan.queries.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < plan.queries.length; i = next++) {
      const spec = plan.queries[i];
      results[i] = spec ? await reader.queryAll(spec) : [];
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, plan.queries.length) }, worker));
  return results.flat();
}

/** Options of `audit list`. */
export interface ListOptions extends AuditFilters {
  readonly day?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  readonly nextToken?: string;
}

/** The result of `audit list`. */
export interface ListResult {
  readonly range: TimeRange;
  readonly items: Item[];
  readonly nextToken?: string;
}

/** Runs `audit list`. */
export async function auditList(
  reader: DynamoAuditReader,
  options: ListOptions,
  nowMs: number,
): Promise<ListResult> {
  if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000) {
    throw new UsageError(`--limit ${options.limit} is out of range: use 1 to 1000`);
  }
  const fingerprint = filtersFingerprint(options.cluster !== undefined ? 'cluster' : 'outcome', options);
  const cursor = options.nextToken ? decodeNextToken(options.nextToken, fingerprint) : undefined;
  // The token carries the range of the first page, so relative times do not shift between pages.
  const range = cursor?.range ?? rangeOf(options, nowMs);
  const plan = planQueries(options, range);
  if (cursor && cursor.query >= plan.queries.length) throw new UsageError('the --next-token is past the end');
  const page = await readPage(reader, plan, range, options.limit, cursor);
  return { range, items: page.items, nextToken: page.next ? encodeNextToken(page.next) : undefined };
}

/** The time an item sorts by in the index it was found in. */
function timeOf(item: Item, clusterIndex: boolean): string {
  if (clusterIndex) return cell(item.createdAt);
  if (item.type === 'REJECTED') return cell(item.receivedAt);
  // gsi2sk is `<ISO time>#<root task ARN>`; ISO times from toISOString() are 24 characters.
  return cell(item.gsi2sk).slice(0, 24);
}

const CSV_HEAD = [
  'time',
  'type',
  'outcome',
  'reasonCode',
  'clusterName',
  'family',
  'attempts',
  'recoveryLatencyMs',
  'rootTaskArn',
  'reasonMessage',
  'eventId',
];

function csvRow(item: Item, clusterIndex: boolean): unknown[] {
  const rejected = item.type === 'REJECTED';
  return [
    timeOf(item, clusterIndex),
    item.type,
    rejected ? 'SKIPPED' : item.outcome,
    item.reasonCode,
    item.clusterName,
    item.family,
    item.attempts,
    item.recoveryLatencyMs,
    item.rootTaskArn,
    item.reasonMessage,
    item.eventId,
  ];
}

/** Formats `audit list`. */
export function formatList(
  result: ListResult,
  format: OutputFormat,
  c: Colors,
  clusterIndex: boolean,
): string {
  if (format === 'json') {
    return renderJson({ range: result.range, items: result.items, nextToken: result.nextToken ?? null });
  }
  if (format === 'csv')
    return renderCsv(
      CSV_HEAD,
      result.items.map((i) => csvRow(i, clusterIndex)),
    );
  const lines: string[] = [];
  if (result.items.length === 0) {
    lines.push(
      c.dim(
        `nothing recorded from ${result.range.since} to ${result.range.until} (widen with --since/--until)`,
      ),
    );
  } else {
    const rows = result.items.map((i) => {
      const rejected = i.type === 'REJECTED';
      return [
        timeOf(i, clusterIndex),
        paintOutcome(rejected ? 'SKIPPED' : cell(i.outcome), c),
        cell(i.reasonCode),
        rejected ? c.dim('(rejected event)') : cell(i.clusterName),
        cell(i.family),
        cell(i.attempts),
        humanDuration(typeof i.recoveryLatencyMs === 'number' ? i.recoveryLatencyMs : undefined),
        rejected ? cell(i.eventId) : cell(i.rootTaskArn),
      ];
    });
    lines.push(
      renderTable(
        [
          clusterIndex ? 'first seen' : 'outcome at',
          'outcome',
          'reason',
          'cluster',
          'family',
          'attempts',
          'recovery',
          'root task',
        ],
        rows,
        c,
      ),
    );
    lines.push(c.dim(`${result.items.length} item(s), ${result.range.since} .. ${result.range.until}`));
  }
  if (result.nextToken) lines.push(`more: add --next-token ${result.nextToken}`);
  return `${lines.join('\n')}\n`;
}
