/**
 * What must hold after any sandbox run, checked from the outside (the simulator's record of
 * what ECS did, the bus's record of deliveries, and the audit table):
 * - no duplicate launch: one task per relaunch clientToken, at most one relaunch per (chain, attempt),
 *   and no job ran more than once;
 * - no lost event: every ENI failure delivered to the remediator ends as a handled audit record
 *   or in the dead-letter list;
 * - no relaunch of a task that had started;
 * - every give-up, failure and unresolved chain raised an alert.
 */
import type { Item } from '../functions/adapters/dynamo-audit-reader';
import { PK } from '../functions/core/audit-schema';
import { RULE_NAMES, type Sandbox } from './sandbox-stack';

export interface InvariantResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** A task as the simulator knows it, reduced to what the checks need. */
export interface SimTaskView {
  readonly taskArn: string;
  readonly lastStatus?: string;
  readonly started: boolean;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly exitCodes: number[];
}

export function simTask(sandbox: Sandbox, taskArn: string): SimTaskView | undefined {
  const t = sandbox.sim.describeTask(taskArn) as
    | {
        taskArn?: string;
        lastStatus?: string;
        startedAt?: unknown;
        stopCode?: string;
        stoppedReason?: string;
        containers?: { exitCode?: number }[];
      }
    | undefined;
  if (!t?.taskArn) return undefined;
  return {
    taskArn: t.taskArn,
    lastStatus: t.lastStatus,
    started: t.startedAt !== undefined && t.startedAt !== null,
    stopCode: t.stopCode,
    stoppedReason: t.stoppedReason,
    exitCodes: (t.containers ?? []).map((c) => c.exitCode).filter((c): c is number => typeof c === 'number'),
  };
}

/** RunTask calls the remediator made (its clientTokens start with `eni-r`), with the tasks they got. */
export function relaunchCalls(sandbox: Sandbox): { token: string; taskArns: string[]; status: number }[] {
  return sandbox.sim
    .callsTo('RunTask')
    .filter(
      (c) => typeof c.request.clientToken === 'string' && String(c.request.clientToken).startsWith('eni-r'),
    )
    .map((c) => ({
      token: String(c.request.clientToken),
      status: c.status,
      taskArns: ((c.response?.tasks as { taskArn?: string }[] | undefined) ?? [])
        .map((t) => t.taskArn)
        .filter((a): a is string => typeof a === 'string'),
    }));
}

export async function checkInvariants(
  sandbox: Sandbox,
  chains: ReadonlyMap<string, Item[]>,
  jobRoots: readonly string[],
  /** Events put on the bus directly (not emitted by the simulator). */
  givenEvents: readonly Record<string, unknown>[] = [],
): Promise<InvariantResult[]> {
  const results: InvariantResult[] = [];

  // 1. No duplicate launch.
  const tasksByToken = new Map<string, Set<string>>();
  for (const call of relaunchCalls(sandbox)) {
    const set = tasksByToken.get(call.token) ?? new Set<string>();
    for (const arn of call.taskArns) set.add(arn);
    tasksByToken.set(call.token, set);
  }
  const multi = [...tasksByToken.entries()].filter(([, s]) => s.size > 1);
  const launchedAttempts = new Map<string, number>();
  for (const items of chains.values()) {
    for (const i of items) {
      if (i.type === 'ATTEMPT' && i.status === 'LAUNCHED') {
        const key = `${String(i.rootTaskArn)}#${String(i.attempt)}`;
        launchedAttempts.set(key, (launchedAttempts.get(key) ?? 0) + 1);
      }
    }
  }
  let ranTwice = 0;
  for (const items of chains.values()) {
    const summary = items.find((i) => i.type === 'CHAIN');
    const arns = [
      String(summary?.rootTaskArn ?? ''),
      ...((summary?.newTaskArns as string[] | undefined) ?? []),
    ];
    const ran = arns.filter((a) => simTask(sandbox, a)?.started).length;
    if (ran > 1) ranTwice += 1;
  }
  const relaunchTasks = [...tasksByToken.values()].reduce((n, s) => n + s.size, 0);
  results.push({
    name: 'no duplicate launch',
    ok: multi.length === 0 && ranTwice === 0,
    detail:
      `${tasksByToken.size} relaunch tokens started ${relaunchTasks} tasks; ` +
      `${ranTwice} jobs ran more than once; ${multi.length} tokens with more than one task`,
  });

  // 2. No lost event.
  const delivered = new Set(sandbox.bus.deliveriesFor(RULE_NAMES.eniFailure).map((d) => d.eventId));
  const deliveredTasks = new Map<string, Set<string>>();
  for (const e of [...sandbox.sim.events, ...givenEvents]) {
    const taskArn = (e.detail as { taskArn?: unknown } | undefined)?.taskArn;
    // A delivered event without a task ARN is rejected and recorded as such, not a task to follow.
    if (!delivered.has(String(e.id)) || typeof taskArn !== 'string') continue;
    const ids = deliveredTasks.get(taskArn) ?? new Set<string>();
    ids.add(String(e.id));
    deliveredTasks.set(taskArn, ids);
  }
  // Malformed and foreign events are kept as REJECTED items (one partition per day).
  const rejectedIds = new Set<string>();
  const today = new Date(sandbox.sim.now()).toISOString().slice(0, 10);
  for (const item of await sandbox.reader.partition(PK.rejected(today)))
    rejectedIds.add(String(item.eventId));
  const deadTasks = new Set(
    sandbox.bus.deadLetters
      .filter((d) => d.rule === RULE_NAMES.eniFailure)
      .map((d) => String((d.event.detail as { taskArn?: string } | undefined)?.taskArn)),
  );
  const unhandled: string[] = [];
  let rejected = 0;
  for (const [arn, ids] of deliveredTasks) {
    const pointer = await sandbox.reader.pointer(arn);
    if (pointer?.doneAt || deadTasks.has(arn)) continue;
    if ([...ids].some((id) => rejectedIds.has(id))) rejected += 1;
    else unhandled.push(arn);
  }
  results.push({
    name: 'no lost event',
    ok: unhandled.length === 0,
    detail: `${deliveredTasks.size} failed tasks delivered; ${deliveredTasks.size - unhandled.length - deadTasks.size - rejected} handled, ${rejected} rejected and recorded, ${deadTasks.size} dead-lettered, ${unhandled.length} unaccounted`,
  });

  // 3. No relaunch of a task that had started.
  let relaunchedStarted = 0;
  for (const items of chains.values()) {
    for (const i of items) {
      if (i.type !== 'ATTEMPT' || i.status !== 'LAUNCHED') continue;
      if (simTask(sandbox, String(i.originalTaskArn))?.started) relaunchedStarted += 1;
    }
  }
  results.push({
    name: 'no relaunch of a task that started',
    ok: relaunchedStarted === 0,
    detail: `${relaunchedStarted} relaunches replaced a task that had started`,
  });

  // 4. Loud give-ups.
  const needAlert = [...chains.values()]
    .map((items) => items.find((i) => i.type === 'CHAIN'))
    .filter((s) => s && ['GAVE_UP', 'FAILED', 'UNRESOLVED'].includes(String(s.outcome)))
    .map((s) => String(s?.rootTaskArn));
  const alerted = new Set(sandbox.alerts.map((a) => a.rootTaskArn));
  const silent = needAlert.filter((r) => !alerted.has(r));
  results.push({
    name: 'every give-up alerted',
    ok: silent.length === 0,
    detail: `${needAlert.length} chains needed a human, ${needAlert.length - silent.length} alerted`,
  });

  // 5. Every scheduled job is accounted for.
  const jobsWithoutTask = jobRoots.filter((arn) => !simTask(sandbox, arn));
  results.push({
    name: 'every job accounted for',
    ok: jobsWithoutTask.length === 0,
    detail: `${jobRoots.length} jobs launched, ${jobsWithoutTask.length} unknown to ECS`,
  });
  return results;
}
