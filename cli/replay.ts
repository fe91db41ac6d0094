/**
 * `replay`: the remediator's decisions on exported events, without a table and without sending
 * anything. Each event goes through the real `remediate()` with dry-run on, an in-memory audit
 * store, no wait for launch records, no DescribeTasks, and an ECS launcher that fails the run if
 * it is ever called. The clock reads each event's stop time + 1 s, so the lateness limit does not
 * reject old exports (`--now` uses the real time instead). Printed per event: the decision, the
 * reason and the RunTask request it would send (as the audit trail stores it: environment values
 * as digests).
 */
import type { MemoryAuditStore } from '../functions/adapters/memory-audit-store';
import type { LaunchRecordItem, RecordedLaunch } from '../functions/core/audit-items';
import { PK, SK, ttlFrom } from '../functions/core/audit-schema';
import { ConfigError } from '../functions/core/errors';
import { recordLaunch } from '../functions/core/launch-record';
import { DEFAULT_POLICY, type NetworkDefaults, type RemediatorPolicy } from '../functions/core/policy';
import type { Alert, TaskLauncher } from '../functions/core/ports';
import {
  type LogPort,
  type RemediationResult,
  type RemediatorDeps,
  remediate,
} from '../functions/core/remediate';
import { parseConfig } from '../functions/shared/config';
import { ENV } from '../functions/shared/env-names';
import { RecordingMetricsSink } from '../functions/shared/observability';
import { type Colors, cell, type OutputFormat, renderCsv, renderJson, renderTable } from './output';
import { InputError, type InputRecord } from './replay-input';

/** What replay decided for one event. */
export interface ReplayRow {
  readonly index: number;
  readonly source: string;
  readonly eventId?: string;
  readonly taskArn?: string;
  /** `would relaunch`, `skip`, `give up`, `unresolved`, `error` (a human must act), `replay error`. */
  readonly decision: string;
  readonly action: RemediationResult['action'] | 'replay-error';
  readonly outcome?: string;
  readonly reasonCode: string;
  readonly message: string;
  readonly rootTaskArn?: string;
  readonly attempt?: number;
  /** Whether the remediator would alert (give-up, failure, unresolved launch). */
  readonly alert: boolean;
  /** Where the request's network parameters came from (launch record, network defaults...). */
  readonly launchSource?: string;
  /** The RunTask request it would send, as recorded (environment values as digests). */
  readonly request?: Record<string, unknown>;
}

/** Options of {@link replayEvents}. */
export interface ReplayOptions {
  /** Launch records (CloudTrail RunTask events or launch record items) to seed the store with. */
  readonly launchRecords?: readonly InputRecord[];
  readonly networkDefaults?: Readonly<Record<string, NetworkDefaults>>;
  /** Use this clock instead of each event's stop time + 1 s. */
  readonly now?: () => number;
  /** Called after each event (progress). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called for launch records that could not be used. */
  readonly onWarning?: (message: string) => void;
}

const SILENT: LogPort = { info: () => {}, warn: () => {}, error: () => {} };

const DECISION: Record<RemediationResult['action'], string> = {
  'dry-run': 'would relaunch',
  retry: 'relaunched',
  skip: 'skip',
  'give-up': 'give up',
  error: 'error',
};

/** An ECS launcher for replay: any call is a bug (replay never launches). */
export const REFUSING_LAUNCHER: TaskLauncher = {
  runTask: async () => {
    throw new Error('replay must never call RunTask (dry-run is on): this is a bug, please report it');
  },
  describeTask: async () => {
    throw new Error('replay must never call DescribeTasks (verifyWithDescribe is off): this is a bug');
  },
};

/** Parses `--network-defaults` (JSON, as the NETWORK_DEFAULTS variable) with the remediator's own rules. */
export function parseNetworkDefaults(json: string): Record<string, NetworkDefaults> {
  try {
    return {
      ...parseConfig({ [ENV.auditTableName]: 'replay', [ENV.networkDefaults]: json }).policy.networkDefaults,
    };
  } catch (err) {
    if (err instanceof ConfigError)
      throw new InputError(`--network-defaults: ${err.message.replace(/^[A-Z_]+: /, '')}`);
    throw err;
  }
}

/** The replay policy: the product defaults, dry-run, no waiting, no DescribeTasks. */
export function replayPolicy(
  networkDefaults: Readonly<Record<string, NetworkDefaults>> = {},
): RemediatorPolicy {
  return {
    ...DEFAULT_POLICY,
    dryRun: true,
    launchRecordWaitMs: 0,
    verifyWithDescribe: false,
    networkDefaults,
  };
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** When the event's task stopped (falling back like the core does), or undefined. */
export function stopTimeOf(event: unknown): number | undefined {
  if (!isObject(event)) return undefined;
  const detail = isObject(event.detail) ? event.detail : {};
  for (const candidate of [detail.stoppedAt, detail.stoppingAt, detail.updatedAt, event.time]) {
    if (typeof candidate !== 'string') continue;
    const ms = Date.parse(candidate);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

/** A CloudTrail record (from a trail file or lookup-events) as EventBridge delivers it. */
function asCloudTrailEnvelope(record: Obj): Obj {
  const identity = isObject(record.userIdentity) ? record.userIdentity : {};
  return {
    version: '0',
    id: typeof record.eventID === 'string' ? record.eventID : 'imported',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: typeof record.recipientAccountId === 'string' ? record.recipientAccountId : identity.accountId,
    time: record.eventTime,
    region: record.awsRegion,
    detail: record,
  };
}

/** Seeds the store with launch records; returns how many tasks got one. */
export async function seedLaunchRecords(
  store: MemoryAuditStore,
  records: readonly InputRecord[],
  nowMs: number,
  onWarning: (message: string) => void = () => {},
): Promise<number> {
  let seeded = 0;
  const deps = { store, now: () => nowMs, ttlHours: 48, log: SILENT, metrics: new RecordingMetricsSink() };
  for (const { source, value } of records) {
    if (!isObject(value)) throw new InputError(`${source}: not a launch record or CloudTrail RunTask event`);
    if (value['detail-type'] === 'AWS API Call via CloudTrail' || value.eventName === 'RunTask') {
      const envelope = value['detail-type'] ? value : asCloudTrailEnvelope(value);
      const result = await recordLaunch(envelope, deps);
      if (result.recorded.length === 0)
        onWarning(`${source}: no launch record stored: ${result.reason ?? ''}`);
      seeded += result.recorded.length;
      continue;
    }
    if (typeof value.taskArn === 'string' && isObject(value.launch)) {
      const item: LaunchRecordItem = {
        pk: PK.launch(value.taskArn),
        sk: 'LAUNCH',
        type: 'LAUNCH',
        taskArn: value.taskArn,
        launch: value.launch as RecordedLaunch,
        cloudTrailEventId: typeof value.cloudTrailEventId === 'string' ? value.cloudTrailEventId : 'imported',
        recordedAt: new Date(nowMs).toISOString(),
        expiresAt: ttlFrom(nowMs, 48 * 3600),
      };
      await store.putLaunchRecord(item);
      seeded += 1;
      continue;
    }
    throw new InputError(
      `${source}: not a launch record: expected a CloudTrail RunTask event (EventBridge envelope, trail ` +
        'record or lookup-events entry) or an item with "taskArn" and "launch"',
    );
  }
  return seeded;
}

/** Runs every event through the remediator in dry-run, in order, against one in-memory store. */
export async function replayEvents(
  events: readonly InputRecord[],
  store: MemoryAuditStore,
  options: ReplayOptions = {},
): Promise<ReplayRow[]> {
  let current = Date.now();
  const alerts: Alert[] = [];
  const deps: RemediatorDeps = {
    store,
    launcher: REFUSING_LAUNCHER,
    alerter: { alert: async (a) => void alerts.push(a) },
    publisher: { taskRelaunched: async () => {} },
    clock: {
      now: () => current,
      sleep: async (ms) => {
        current += ms;
      },
    },
    metrics: new RecordingMetricsSink(),
    policy: replayPolicy(options.networkDefaults),
    log: SILENT,
    random: () => 0.5,
  };
  if (options.launchRecords && options.launchRecords.length > 0) {
    await seedLaunchRecords(store, options.launchRecords, options.now?.() ?? Date.now(), options.onWarning);
  }
  const rows: ReplayRow[] = [];
  for (const [i, { source, value }] of events.entries()) {
    current = options.now?.() ?? (stopTimeOf(value) ?? Date.now()) + 1000;
    const alertsBefore = alerts.length;
    const envelope = isObject(value) ? value : {};
    const detail = isObject(envelope.detail) ? envelope.detail : {};
    const base = {
      index: i + 1,
      source,
      eventId: typeof envelope.id === 'string' ? envelope.id : undefined,
      taskArn: typeof detail.taskArn === 'string' ? detail.taskArn : undefined,
    };
    try {
      const result = await remediate(value, deps);
      const attemptItem =
        result.outcome === 'DRY_RUN' && result.rootTaskArn && result.attempt !== undefined
          ? store.query(PK.chain(result.rootTaskArn), SK.attempt(result.attempt))[0]
          : undefined;
      const request = attemptItem?.request;
      rows.push({
        ...base,
        taskArn: result.taskArn ?? base.taskArn,
        decision: result.outcome === 'UNRESOLVED' ? 'unresolved' : DECISION[result.action],
        action: result.action,
        outcome: result.outcome,
        reasonCode: result.reasonCode,
        message: result.message,
        rootTaskArn: result.rootTaskArn,
        attempt: result.attempt,
        alert: alerts.length > alertsBefore,
        request: isObject(request) ? request : undefined,
        launchSource: typeof attemptItem?.launchSource === 'string' ? attemptItem.launchSource : undefined,
      });
    } catch (err) {
      rows.push({
        ...base,
        decision: 'replay error',
        action: 'replay-error',
        reasonCode: err instanceof Error ? err.name : 'Error',
        message: err instanceof Error ? err.message : String(err),
        alert: false,
      });
    }
    options.onProgress?.(i + 1, events.length);
  }
  return rows;
}

function counts(rows: readonly ReplayRow[]): [string, number][] {
  const byDecision = new Map<string, number>();
  for (const r of rows) {
    const key = `${r.decision}|${r.reasonCode}`;
    byDecision.set(key, (byDecision.get(key) ?? 0) + 1);
  }
  return [...byDecision.entries()].sort(([a], [b]) => a.localeCompare(b));
}

function paintDecision(row: ReplayRow, c: Colors): string {
  switch (row.action) {
    case 'dry-run':
      return c.green(row.decision);
    case 'give-up':
      return c.yellow(row.decision);
    case 'error':
    case 'replay-error':
      return c.red(row.decision);
    default:
      return c.dim(row.decision);
  }
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}

const CSV_HEAD = [
  'index',
  'source',
  'eventId',
  'taskArn',
  'decision',
  'outcome',
  'reasonCode',
  'message',
  'attempt',
  'alert',
  'launchSource',
  'request',
];

/** Formats the replay results. */
export function formatReplay(rows: readonly ReplayRow[], format: OutputFormat, c: Colors): string {
  if (format === 'json') return renderJson(rows);
  if (format === 'csv') {
    return renderCsv(
      CSV_HEAD,
      rows.map((r) => [
        r.index,
        r.source,
        r.eventId,
        r.taskArn,
        r.decision,
        r.outcome,
        r.reasonCode,
        r.message,
        r.attempt,
        r.alert,
        r.launchSource,
        r.request ? JSON.stringify(r.request) : '',
      ]),
    );
  }
  const parts: string[] = [];
  for (const r of rows) {
    parts.push(c.bold(`#${r.index} ${r.source}`) + c.dim(`  event ${r.eventId ?? '(no id)'}`));
    parts.push(`  task      ${r.taskArn ?? '(none)'}`);
    const attempt =
      r.attempt !== undefined && r.action === 'dry-run'
        ? ` (attempt ${r.attempt}, parameters from ${r.launchSource ?? '?'})`
        : '';
    parts.push(`  decision  ${paintDecision(r, c)}${attempt}${r.alert ? c.yellow('  + alert') : ''}`);
    parts.push(`  reason    ${r.reasonCode}: ${r.message}`);
    if (r.request)
      parts.push('  RunTask request it would send:', indent(JSON.stringify(r.request, null, 2), '    '));
    parts.push('');
  }
  parts.push(
    renderTable(
      ['decision', 'reason', 'events'],
      counts(rows).map(([key, n]) => {
        const [decision, reason] = key.split('|');
        return [cell(decision), cell(reason), n];
      }),
      c,
    ),
  );
  parts.push(c.dim(`${rows.length} event(s) replayed in dry-run: nothing was sent, no table was written`));
  return `${parts.join('\n')}\n`;
}
