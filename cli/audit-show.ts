/**
 * `audit show <task ARN>`: the whole chain of any task in it (root, replacement or a task whose
 * failure was skipped), as a timeline: failures with their reason and decision, relaunch attempts
 * with token, delay, latency and new task, every event received per task (duplicates included),
 * and the chain's outcome. Pointer → chain partition → each task's partition; Query only.
 */
import type { DynamoAuditReader, Item } from '../functions/adapters/dynamo-audit-reader';
import { PK } from '../functions/core/audit-schema';
import { CliError, EXIT, UsageError } from './cli-errors';
import {
  type Colors,
  cell,
  humanDuration,
  type OutputFormat,
  paintOutcome,
  renderJson,
  renderTable,
  taskIdOf,
} from './output';
import { RAW_QUERIES } from './raw-queries';

/** One line of the timeline. */
export interface TimelineEntry {
  readonly time: string;
  readonly step: 'FAILURE' | 'ATTEMPT' | 'EVENT' | 'OUTCOME';
  readonly taskArn: string;
  readonly summary: string;
}

/** Everything the table holds about a task's chain. */
export interface ChainView {
  /** The task asked about. */
  readonly taskArn: string;
  /** Absent when the task's events were logged but it was never claimed (not its last event). */
  readonly rootTaskArn?: string;
  readonly chain?: Item;
  readonly failures: Item[];
  readonly attempts: Item[];
  /** Pointer of every task of the chain (claims, duplicate counts). */
  readonly pointers: Item[];
  /** Event log of every task of the chain. */
  readonly events: Item[];
  readonly timeline: TimelineEntry[];
}

/** A task ARN or a usage error that shows the expected shape. */
export function checkTaskArn(text: string): string {
  const arn = text.trim();
  if (!/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\/.+/.test(arn)) {
    throw new UsageError(
      `"${text}" is not a task ARN: pass the full ARN, arn:aws:ecs:<region>:<account>:task/<cluster>/<task id>`,
    );
  }
  return arn;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const STEP_ORDER: Record<TimelineEntry['step'], number> = { FAILURE: 0, ATTEMPT: 1, EVENT: 2, OUTCOME: 3 };

function failureEntry(f: Item): TimelineEntry {
  const attempt = num(f.attempt) ?? 0;
  const who = attempt === 0 ? 'root task' : `replacement from attempt ${attempt}`;
  const where = [str(f.subnetId), str(f.availabilityZone)].filter((x) => x !== undefined).join(', ');
  const lines = [
    `${who} stopped: ${cell(f.stoppedReason) || '(no reason)'}${f.stopCode ? ` [${cell(f.stopCode)}]` : ''}`,
    `decision ${cell(f.decision)} (${cell(f.reasonCode)})${f.catalogId ? `, catalog ${cell(f.catalogId)}` : ''}`,
  ];
  if (where) lines.push(`network interface in ${where}`);
  return {
    time: str(f.stoppedAt) ?? cell(f.receivedAt),
    step: 'FAILURE',
    taskArn: cell(f.originalTaskArn),
    summary: lines.join('\n'),
  };
}

function attemptEntry(a: Item): TimelineEntry {
  const lines = [`attempt ${cell(a.attempt)} ${cell(a.status)} (parameters from ${cell(a.launchSource)})`];
  if (str(a.newTaskArn)) lines.push(`new task ${cell(a.newTaskArn)}`);
  const timing = [
    num(a.delayMs) !== undefined ? `delay ${humanDuration(num(a.delayMs))}` : undefined,
    num(a.latencyMs) !== undefined ? `latency ${humanDuration(num(a.latencyMs))} after the stop` : undefined,
    num(a.runTaskApiCalls) !== undefined ? `${cell(a.runTaskApiCalls)} RunTask call(s)` : undefined,
  ].filter((x) => x !== undefined);
  if (timing.length > 0) lines.push(timing.join(', '));
  if (str(a.failureReason)) lines.push(`failure: ${cell(a.failureReason)}`);
  if (str(a.errorName) && a.errorName !== a.failureReason)
    lines.push(`error: ${cell(a.errorName)}${a.errorMessage ? `: ${cell(a.errorMessage)}` : ''}`);
  lines.push(`clientToken ${cell(a.clientToken)}`);
  return {
    time: cell(a.requestedAt),
    step: 'ATTEMPT',
    taskArn: cell(a.originalTaskArn),
    summary: lines.join('\n'),
  };
}

function eventEntry(e: Item): TimelineEntry {
  const duplicate = e.decision === 'DUPLICATE' ? ' (duplicate delivery)' : '';
  return {
    time: cell(e.receivedAt),
    step: 'EVENT',
    taskArn: cell(e.taskArn),
    summary: `event ${cell(e.eventId)} v${cell(e.detailVersion)} ${cell(e.lastStatus)} → ${cell(e.decision)} (${cell(e.reasonCode)})${duplicate}`,
  };
}

function outcomeEntry(chain: Item): TimelineEntry {
  const lines = [`chain ${cell(chain.outcome)} (${cell(chain.reasonCode)}): ${cell(chain.reasonMessage)}`];
  if (str(chain.redrivenBy)) lines.push(`redriven by ${cell(chain.redrivenBy)}`);
  return {
    time: cell(chain.updatedAt),
    step: 'OUTCOME',
    taskArn: cell(chain.rootTaskArn),
    summary: lines.join('\n'),
  };
}

/** The timeline of a chain, ordered by time (failure, attempt, event, outcome on ties). */
export function buildTimeline(
  parts: Pick<ChainView, 'chain' | 'failures' | 'attempts' | 'events'>,
): TimelineEntry[] {
  const entries = [
    ...parts.failures.map(failureEntry),
    ...parts.attempts.map(attemptEntry),
    ...parts.events.map(eventEntry),
    ...(parts.chain ? [outcomeEntry(parts.chain)] : []),
  ];
  return entries.sort((a, b) => a.time.localeCompare(b.time) || STEP_ORDER[a.step] - STEP_ORDER[b.step]);
}

/** Reads the chain of a task; undefined when the table knows nothing of the task. */
export async function loadChainView(
  reader: DynamoAuditReader,
  taskArn: string,
): Promise<ChainView | undefined> {
  const [pointer] = await reader.queryAll(RAW_QUERIES.taskPointer.spec({ taskArn }));
  const rootTaskArn = str(pointer?.rootTaskArn);
  if (!rootTaskArn) {
    const events = await reader.queryAll(RAW_QUERIES.taskEvents.spec({ taskArn }));
    if (events.length === 0) return undefined;
    const parts = { failures: [], attempts: [], events };
    return { taskArn, pointers: [], ...parts, timeline: buildTimeline(parts) };
  }
  const items = await reader.queryAll(RAW_QUERIES.chain.spec({ rootTaskArn }));
  const chain = items.find((i) => i.type === 'CHAIN');
  const failures = items.filter((i) => i.type === 'FAILURE');
  const attempts = items.filter((i) => i.type === 'ATTEMPT');
  const tasks = new Set<string>([rootTaskArn, taskArn]);
  const addAll = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') tasks.add(v);
  };
  addAll(chain?.failedTaskArns);
  addAll(chain?.newTaskArns);
  for (const f of failures) if (str(f.originalTaskArn)) tasks.add(cell(f.originalTaskArn));
  for (const a of attempts) if (str(a.newTaskArn)) tasks.add(cell(a.newTaskArn));
  const pointers: Item[] = [];
  const events: Item[] = [];
  for (const arn of tasks) {
    // One Query per task partition: its pointer and its event log.
    for (const item of await reader.partition(PK.task(arn))) {
      if (item.type === 'POINTER') pointers.push(item);
      else if (item.type === 'EVENT') events.push(item);
    }
  }
  const parts = { chain, failures, attempts, events };
  return { taskArn, rootTaskArn, pointers, ...parts, timeline: buildTimeline(parts) };
}

/** The not-found error of `audit show` (exit 3), naming where the CLI looked. */
export function taskNotFound(taskArn: string, tableName: string, region: string | undefined): CliError {
  const arnRegion = taskArn.split(':')[3];
  const regionHint =
    region && arnRegion && arnRegion !== region
      ? ` The task is in ${arnRegion} but the CLI read ${region}: pass --region ${arnRegion}.`
      : '';
  return new CliError(
    `task ${taskArn} is not in audit table ${tableName}${region ? ` (${region})` : ''}.${regionHint} ` +
      'Check --region/--profile and --table/--stack (each account and region has its own table); ' +
      'only tasks that stopped with TaskFailedToStart reach the table, and records expire after the retention period.',
    EXIT.notFound,
  );
}

function keyValues(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

/** Formats `audit show`. */
export function formatShow(view: ChainView, format: OutputFormat, c: Colors): string {
  if (format === 'json') return renderJson(view);
  const parts: string[] = [];
  const chain = view.chain;
  if (!view.rootTaskArn || !chain) {
    parts.push(
      c.bold(`Task ${view.taskArn}`),
      c.dim(
        view.rootTaskArn
          ? `chain ${view.rootTaskArn} has no summary yet (the remediator is still handling it)`
          : 'events were received for this task, but none was its final STOPPED event, so no chain exists',
      ),
    );
  } else {
    const duplicates = view.pointers.reduce((sum, p) => sum + (num(p.duplicateDeliveries) ?? 0), 0);
    const newTasks = Array.isArray(chain.newTaskArns) ? chain.newTaskArns.map(cell) : [];
    const failed = Array.isArray(chain.failedTaskArns) ? chain.failedTaskArns.map(cell) : [];
    const rows: [string, string][] = [
      ['asked for', view.taskArn === view.rootTaskArn ? 'the root task' : view.taskArn],
      ['cluster', `${cell(chain.clusterName)} (${cell(chain.clusterArn)})`],
      ['task definition', cell(chain.taskDefinitionArn)],
    ];
    if (str(chain.startedBy) || str(chain.group))
      rows.push(['started by / group', `${cell(chain.startedBy) || '-'} / ${cell(chain.group) || '-'}`]);
    rows.push(
      ['outcome', `${paintOutcome(cell(chain.outcome), c)} (${cell(chain.reasonCode)})`],
      ['reason', cell(chain.reasonMessage)],
      ['root stopped', cell(chain.rootStoppedAt)],
      [
        'attempts',
        `${cell(chain.attempts)}${newTasks.length > 0 ? `; new tasks: ${newTasks.join(', ')}` : ''}`,
      ],
      ['failed tasks', `${failed.length}: ${failed.map(taskIdOf).join(', ')}`],
    );
    const subnets = Array.isArray(chain.failedSubnets) ? chain.failedSubnets.map(cell) : [];
    const azs = Array.isArray(chain.failedAvailabilityZones) ? chain.failedAvailabilityZones.map(cell) : [];
    if (subnets.length > 0 || azs.length > 0) rows.push(['failed in', [...subnets, ...azs].join(', ')]);
    if (num(chain.recoveryLatencyMs) !== undefined)
      rows.push([
        'recovery',
        `${humanDuration(num(chain.recoveryLatencyMs))} from the root's stop to the first relaunch`,
      ]);
    if (duplicates > 0) rows.push(['duplicates', `${duplicates} duplicate deliveries ignored`]);
    if (str(chain.redrivenBy)) rows.push(['redriven by', cell(chain.redrivenBy)]);
    parts.push(c.bold(`Chain ${view.rootTaskArn}`), keyValues(rows));
  }
  parts.push(
    renderTable(
      ['time', 'task', 'step', 'what happened'],
      view.timeline.map((e) => [e.time, taskIdOf(e.taskArn), e.step, e.summary]),
      c,
    ),
  );
  return `${parts.join('\n')}\n`;
}
