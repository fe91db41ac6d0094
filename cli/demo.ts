/**
 * `eni-remediator demo`: the main job on the embedded sandbox (no AWS account). Runs a realistic
 * scenario (or given event files) through the real rule patterns, handlers and SDK clients,
 * shows progress, prints a summary per root task and the answers of the audit queries, and exits
 * non-zero if an invariant breaks (a duplicate launch, a lost event, a relaunch of a task that ran).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import pc from 'picocolors';
import type { Item } from '../functions/adapters/dynamo-audit-reader';
import { classifyReason } from '../functions/core/catalog';
import { checkInvariants, relaunchCalls, simTask } from '../sandbox/invariants';
import { type Sandbox, startSandbox } from '../sandbox/sandbox-stack';
import { installFailureScript, launchJobs, prepareScenario, scenarioJobs } from '../sandbox/scenario';
import { printable } from './output';

export interface DemoOptions {
  /** A file or folder of exported events to run instead of the built-in scenario. */
  readonly events?: string;
  /** Machine-readable summary instead of tables. */
  readonly json?: boolean;
  readonly out: Writable;
  readonly err: Writable;
  /** Colour (default: only when out is a TTY). */
  readonly color?: boolean;
  /** Keep the sandbox up after the run (until `stopSignal` resolves) so the CLI can be tried on it. */
  readonly keep?: boolean;
  /** Resolves when a kept sandbox should stop (the CLI waits for Ctrl-C). */
  readonly stopSignal?: () => Promise<void>;
  /** Runs after the summary with the sandbox still up (the CLI prints the audit answers here). */
  readonly afterRun?: (sandbox: Sandbox, context: DemoContext) => Promise<void>;
}

/** What the demo learned, for the audit answers. */
export interface DemoContext {
  readonly rows: SummaryRow[];
  readonly exampleTaskArn?: string;
  readonly busiestCluster?: string;
}

export interface SummaryRow {
  readonly job: string;
  readonly cluster: string;
  readonly rootTaskArn: string;
  readonly reason: string;
  readonly decision: string;
  readonly attempts: number;
  readonly finalState: string;
  readonly expected?: string;
}

/** The bundled realistic events (copied from shared/events into the test fixtures). */
export const BUNDLED_EVENTS = resolve(__dirname, '..', 'test', 'fixtures', 'events');

const DEMO_NETWORK_DEFAULTS = {
  // What an operator configures for clusters whose launchers do not go through CloudTrail-visible
  // RunTask calls of their own; the bundled events of these clusters come without launch records.
  reporting: {
    subnets: ['subnet-0a11c0ffee0000001', 'subnet-0b22c0ffee0000002'],
    securityGroups: ['sg-0a5e00000000000a5'],
  },
  media: {
    subnets: ['subnet-0a11c0ffee0000001', 'subnet-0c33c0ffee0000003'],
    securityGroups: ['sg-0d0000000000000d0'],
  },
};

/** Reads events from a file (JSON object, array or JSON Lines) or every .json file of a folder. */
export function loadEventFiles(path: string): Record<string, unknown>[] {
  const stat = statSync(path);
  const files = stat.isDirectory()
    ? readdirSync(path)
        .filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))
        .sort()
        .map((f) => join(path, f))
    : [path];
  const events: Record<string, unknown>[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8').trim();
    if (text === '') continue;
    try {
      const parsed = JSON.parse(text) as unknown;
      events.push(...((Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[]));
    } catch {
      text.split('\n').forEach((line, n) => {
        if (line.trim() === '') return;
        try {
          events.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          throw new Error(`${file}:${n + 1}: not JSON`);
        }
      });
    }
  }
  return events;
}

const TIME_FIELDS = [
  'createdAt',
  'connectivityAt',
  'pullStartedAt',
  'pullStoppedAt',
  'startedAt',
  'stoppingAt',
  'stoppedAt',
  'executionStoppedAt',
  'updatedAt',
];

/** Moves an exported event to the simulated present, keeping its internal time offsets. */
export function retime(event: Record<string, unknown>, nowMs: number): Record<string, unknown> {
  const copy = structuredClone(event);
  const at = Date.parse(String(copy.time ?? ''));
  if (Number.isNaN(at)) return copy;
  const shift = (v: unknown) => {
    const t = Date.parse(String(v));
    return Number.isNaN(t) ? v : new Date(t - at + nowMs).toISOString();
  };
  copy.time = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const detail = copy.detail as Record<string, unknown> | undefined;
  if (detail) for (const f of TIME_FIELDS) if (detail[f] !== undefined) detail[f] = shift(detail[f]);
  return copy;
}

/** Registers the clusters and task definitions events refer to, so relaunches can start. */
function registerFromEvents(sandbox: Sandbox, events: readonly Record<string, unknown>[]): void {
  const seen = new Set<string>();
  for (const e of events) {
    const d = e.detail as
      | {
          clusterArn?: string;
          taskDefinitionArn?: string;
          containers?: { name?: string }[];
          overrides?: unknown;
        }
      | undefined;
    if (!d?.clusterArn || !d.taskDefinitionArn) continue;
    const cluster = d.clusterArn.slice(d.clusterArn.indexOf('/') + 1);
    if (!seen.has(cluster)) {
      seen.add(cluster);
      try {
        sandbox.sim.addCluster(cluster);
      } catch {
        // already there
      }
    }
    const m = /task-definition\/(.+):(\d+)$/.exec(d.taskDefinitionArn);
    if (m && !seen.has(d.taskDefinitionArn)) {
      seen.add(d.taskDefinitionArn);
      const names = (d.containers ?? []).map((c) => c.name).filter((n): n is string => typeof n === 'string');
      try {
        sandbox.sim.registerTaskDefinition({
          family: m[1] ?? '',
          revision: Number(m[2]),
          containers: names.length ? names : ['app'],
        });
      } catch {
        // already registered
      }
    }
  }
}

async function collectChains(sandbox: Sandbox, taskArns: readonly string[]): Promise<Map<string, Item[]>> {
  const chains = new Map<string, Item[]>();
  for (const arn of taskArns) {
    const chain = await sandbox.reader.chainOf(arn);
    if (chain && !chains.has(chain.rootTaskArn)) chains.set(chain.rootTaskArn, chain.items);
  }
  return chains;
}

function finalState(sandbox: Sandbox, arns: readonly string[]): string {
  const last = arns[arns.length - 1];
  if (!last) return '-';
  const t = simTask(sandbox, last);
  if (!t) return 'not in ECS';
  if (t.started) {
    if (t.lastStatus === 'STOPPED') return `ran, exit ${t.exitCodes[0] ?? '?'}`;
    return `running (${t.lastStatus ?? '?'})`;
  }
  if (t.stopCode === 'TaskFailedToStart') return `failed to start${arns.length > 1 ? ' again' : ''}`;
  return (t.lastStatus ?? '?').toLowerCase();
}

function reasonLabel(reason: string | undefined): string {
  if (!reason) return '-';
  const match = classifyReason(reason);
  if (match.matched) return `${match.entry.id} ${match.entry.label}`;
  return reason.length > 28 ? `${reason.slice(0, 27)}…` : reason;
}

interface RootRef {
  readonly taskArn: string;
  readonly job: string;
  readonly expected?: string;
  /** The stop event, for roots the simulator never ran (bundled or given events). */
  readonly detail?: { stopCode?: string; stoppedReason?: string; lastStatus?: string };
}

function rowsFor(
  sandbox: Sandbox,
  chains: ReadonlyMap<string, Item[]>,
  roots: readonly RootRef[],
): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const root of roots) {
    const items = [...chains.values()].find((list) =>
      list.some(
        (i) =>
          i.type === 'CHAIN' &&
          (i.rootTaskArn === root.taskArn ||
            ((i.failedTaskArns as string[] | undefined) ?? []).includes(root.taskArn)),
      ),
    );
    const summary = items?.find((i) => i.type === 'CHAIN');
    const sim = simTask(sandbox, root.taskArn);
    const stop = sim ?? root.detail;
    const cluster = root.taskArn.split('/')[1] ?? '';
    if (!summary) {
      const result = [...sandbox.results].reverse().find((r) => r.taskArn === root.taskArn);
      const failed = stop?.stopCode === 'TaskFailedToStart';
      const decision = result
        ? `${result.action === 'skip' ? 'REJECTED' : result.action}: ${result.reasonCode}`
        : failed
          ? 'not delivered (rule)'
          : 'none needed';
      rows.push({
        job: root.job,
        cluster,
        rootTaskArn: root.taskArn,
        reason: failed ? reasonLabel(stop?.stoppedReason) : '-',
        decision,
        attempts: 0,
        finalState: sim
          ? finalState(sandbox, [root.taskArn])
          : (root.detail?.lastStatus ?? '-').toLowerCase(),
        expected: root.expected,
      });
      continue;
    }
    const newTasks = (summary.newTaskArns as string[] | undefined) ?? [];
    const outcome = String(summary.outcome);
    const code = String(summary.reasonCode);
    rows.push({
      job: root.job,
      cluster: String(summary.clusterName),
      rootTaskArn: root.taskArn,
      reason: reasonLabel(String(summary.firstStoppedReason)),
      decision: code === outcome ? outcome : `${outcome}: ${code}`,
      attempts: Number(summary.attempts ?? 0),
      finalState: sim || newTasks.length > 0 ? finalState(sandbox, [root.taskArn, ...newTasks]) : 'stopped',
      expected: root.expected,
    });
  }
  return rows;
}

function colourDecision(decision: string, color: boolean): string {
  if (!color) return decision;
  if (decision.startsWith('RELAUNCHED')) return pc.green(decision);
  if (decision.startsWith('GAVE_UP') || decision.startsWith('FAILED') || decision.startsWith('UNRESOLVED'))
    return pc.red(decision);
  if (decision.startsWith('SKIPPED') || decision.startsWith('not delivered')) return pc.yellow(decision);
  return decision;
}

function renderRows(
  rows: readonly SummaryRow[],
  color: boolean,
  withExpected: boolean,
  columns: number,
): string {
  const head = ['Job', 'Cluster', 'Failure', 'Decision', 'Tries', 'Final state'];
  // 140 columns fit the table; narrower terminals get narrower, wrapped columns and no "Expected".
  const narrow = columns < 140;
  const colWidths = narrow ? [16, 11, 14, 16, 7, 9] : [28, 14, 25, 31, 7, 20];
  const showExpected = withExpected && columns >= 170;
  if (showExpected) {
    head.push('Expected');
    colWidths.push(28);
  }
  const table = new Table({
    head,
    colWidths,
    wordWrap: true,
    style: { head: color ? ['cyan'] : [], border: color ? ['grey'] : [], compact: true },
  });
  for (const r of rows) {
    const row = [
      printable(r.job),
      printable(r.cluster),
      printable(r.reason),
      colourDecision(printable(r.decision), color),
      String(r.attempts),
      r.finalState,
    ];
    if (showExpected) row.push(r.expected ?? '');
    table.push(row);
  }
  return table.toString();
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function line(out: Writable, text = ''): void {
  out.write(`${text}\n`);
}

/** Runs the demo and returns the process exit code (non-zero when an invariant broke). */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { out, err } = options;
  const color = options.color ?? Boolean((out as { isTTY?: boolean }).isTTY);
  const progress = (text: string) => err.write(`${color ? pc.dim('›') : '>'} ${text}\n`);
  const started = Date.now();

  let external: Record<string, unknown>[] | undefined;
  if (options.events) {
    try {
      external = loadEventFiles(options.events);
    } catch (e) {
      err.write(
        `cannot read events from ${options.events}: ${String(e)}\nGive a JSON file, a JSON Lines file or a folder of .json files.\n`,
      );
      return 2;
    }
  }

  if (external && external.length === 0) {
    err.write(
      `no events found in ${options.events}: give a JSON event, an array, JSON Lines or a folder of .json files\n`,
    );
    return 2;
  }
  // Given events are played in their own account and region (the first ECS event's).
  const firstEcs = external?.find((e) => e['detail-type'] === 'ECS Task State Change');
  const region = typeof firstEcs?.region === 'string' ? firstEcs.region : undefined;
  const accountId =
    typeof firstEcs?.account === 'string' && /^\d{12}$/.test(firstEcs.account) ? firstEcs.account : undefined;
  progress(
    `starting the sandbox: dynalite (DynamoDB), ECS simulator, event bus${region ? ` (account ${accountId ?? '111122223333'}, ${region})` : ''}`,
  );
  let seedDup = 0;
  const sandbox = await startSandbox({
    region,
    accountId,
    // The scenario plays the last half hour, so its records are in the past for the CLI's ranges.
    simulator: { startTime: Date.now() - 30 * 60_000, seed: 7 },
    env: { NETWORK_DEFAULTS: JSON.stringify(DEMO_NETWORK_DEFAULTS) },
    // CloudTrail is best effort: the legacy job's record never arrives.
    dropCloudTrail: (e) =>
      (e.detail as { requestParameters?: { startedBy?: string } } | undefined)?.requestParameters
        ?.startedBy === 'legacy-cron',
    // ECS delivers at least once: every other failure event arrives twice.
    duplicate: (e) => {
      const d = e.detail as { lastStatus?: string; stopCode?: string };
      return d.lastStatus === 'STOPPED' && d.stopCode === 'TaskFailedToStart' && seedDup++ % 2 === 0;
    },
  });
  try {
    const roots: RootRef[] = [];
    if (!external) {
      prepareScenario(sandbox.sim);
      const jobs = scenarioJobs();
      installFailureScript(sandbox.sim, jobs);
      progress(
        `launching ${jobs.length} jobs through RunTask (schedulers, CI, ad hoc), 20 s apart in simulated time`,
      );
      const launched = await launchJobs(
        sandbox.sim,
        () => sandbox.bus.drain(),
        jobs,
        (done, total) => {
          if (done % 10 === 0 || done === total) progress(`  launched ${done}/${total}`);
        },
      );
      for (const l of launched) roots.push({ taskArn: l.taskArn, job: l.job.name, expected: l.job.expect });
      // The first relaunch meets a Fargate capacity shortage (200 with failures[]), the next a throttle.
      sandbox.sim.failNextRunTaskWith({
        kind: 'failures',
        reason:
          'Capacity is unavailable at this time. Please try again later or in a different availability zone',
      });
      sandbox.sim.failNextRunTaskWith({ kind: 'throttle' });
      progress('running the simulation: ENI failures, relaunches, replacements failing again');
      await sandbox.settle();
    }

    const fileEvents = external ?? loadEventFiles(BUNDLED_EVENTS);
    progress(
      `${external ? 'replaying' : 'adding'} ${fileEvents.length} ${external ? 'given' : 'bundled realistic'} events (re-timed to now)`,
    );
    const retimed = fileEvents.map((e) => retime(e, sandbox.sim.now()));
    registerFromEvents(sandbox, retimed);
    const fileRoots = retimed
      .filter((e) => e['detail-type'] === 'ECS Task State Change')
      .map((e) => {
        const d = e.detail as NonNullable<RootRef['detail']> & {
          taskArn?: string;
          startedBy?: string;
          taskDefinitionArn?: string;
        };
        const family = d.taskDefinitionArn?.split('/').pop() ?? '';
        const root: RootRef = {
          taskArn: String(d.taskArn),
          job: `${external ? 'event' : 'bundled'}: ${d.startedBy ?? family}`,
          detail: d,
        };
        return root;
      });
    sandbox.bus.put(retimed);
    await sandbox.settle();

    // One row per task: several events of one task (duplicates, DEPROVISIONING) are one job.
    const allRoots: RootRef[] = [...roots];
    for (const r of fileRoots) {
      const seen = allRoots.findIndex((x) => x.taskArn === r.taskArn);
      if (seen < 0) allRoots.push(r);
      else if (r.detail?.lastStatus === 'STOPPED' && !roots.includes(allRoots[seen] as RootRef))
        allRoots[seen] = r;
    }
    const chains = await collectChains(sandbox, [
      ...allRoots.map((r) => r.taskArn),
      ...sandbox.relaunched.map((r) => r.newTaskArn),
    ]);
    const rows = rowsFor(sandbox, chains, allRoots);
    const invariants = await checkInvariants(
      sandbox,
      chains,
      roots.map((r) => r.taskArn),
      retimed,
    );
    const failedInvariants = invariants.filter((i) => !i.ok);
    const outcomes = new Map<string, number>();
    for (const items of chains.values()) {
      const s = items.find((i) => i.type === 'CHAIN');
      if (s) outcomes.set(String(s.outcome), (outcomes.get(String(s.outcome)) ?? 0) + 1);
    }
    const rejected = sandbox.metrics.counts.get('Skipped:reason=FOREIGN_REGION') ?? 0;
    const relaunches = relaunchCalls(sandbox);
    const stats = {
      simulatedMinutes: Math.round(
        (sandbox.sim.now() -
          (sandbox.sim.events[0] ? Date.parse(sandbox.sim.events[0].time) : sandbox.sim.now())) /
          60_000,
      ),
      jobsLaunched: roots.length,
      eventsEmitted: sandbox.sim.events.length,
      eventsGiven: retimed.length,
      eventsDeliveredToRemediator: sandbox.bus.deliveriesFor('eni-failure').length,
      eventsFilteredByRules: sandbox.bus.unmatched,
      duplicatesIgnored: sandbox.metrics.counts.get('Duplicate') ?? 0,
      chains: chains.size,
      outcomes: Object.fromEntries(outcomes),
      relaunchRunTaskCalls: relaunches.length,
      relaunchTokens: new Set(relaunches.map((r) => r.token)).size,
      alerts: sandbox.alerts.length,
      rejectedForeign: rejected,
      deadLetters: sandbox.bus.deadLetters.length,
      wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    };

    if (options.json) {
      line(out, JSON.stringify({ rows, stats, invariants }, null, 2));
    } else {
      line(out);
      line(out, color ? pc.bold('What happened to every job') : 'What happened to every job');
      line(out, renderRows(rows, color, !external, (out as { columns?: number }).columns ?? 200));
      line(out);
      line(
        out,
        `${plural(stats.jobsLaunched, 'job')} launched; ${plural(stats.eventsEmitted, 'event')} from the simulator over ${plural(stats.simulatedMinutes, 'simulated minute')} ` +
          `and ${plural(stats.eventsGiven, `${external ? 'given' : 'bundled'} event`)}; ${plural(stats.eventsDeliveredToRemediator, 'delivery', 'deliveries')} reached the remediator ` +
          `(${plural(stats.duplicatesIgnored, 'duplicate')} ignored); ${plural(stats.eventsFilteredByRules, 'event')} matched no rule.`,
      );
      line(
        out,
        `Chains: ${[...outcomes.entries()].map(([k, v]) => `${v} ${k}`).join(', ') || 'none'}; ` +
          `${plural(stats.relaunchTokens, 'relaunch attempt')} (${plural(stats.relaunchRunTaskCalls, 'RunTask call')} incl. SDK retries); ` +
          `${plural(stats.alerts, 'alert')}; ${plural(stats.deadLetters, 'dead letter')}. Wall time ${stats.wallSeconds} s.`,
      );
      line(out);
      line(out, color ? pc.bold('Invariants') : 'Invariants');
      for (const i of invariants) {
        const mark = i.ok ? (color ? pc.green('ok  ') : 'ok  ') : color ? pc.red('FAIL') : 'FAIL';
        line(out, `  ${mark} ${i.name}: ${i.detail}`);
      }
    }
    const relaunchedExample =
      rows.find((r) => r.decision.startsWith('RELAUNCHED') && r.attempts > 1) ??
      rows.find((r) => r.decision.startsWith('RELAUNCHED'));
    const clusterCounts = new Map<string, number>();
    for (const r of rows)
      if (r.attempts > 0) clusterCounts.set(r.cluster, (clusterCounts.get(r.cluster) ?? 0) + 1);
    const busiestCluster = [...clusterCounts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const context: DemoContext = { rows, exampleTaskArn: relaunchedExample?.rootTaskArn, busiestCluster };
    if (options.afterRun && !options.json) await options.afterRun(sandbox, context);
    if (options.keep) {
      const base = `npx eni-remediator --endpoint ${sandbox.db.endpoint} --table ${sandbox.config.tableName}`;
      line(out, '');
      line(out, "The sandbox stays up until Ctrl-C. Try the operators' commands on it, e.g.:");
      line(out, `  ${base} audit list --since 1h`);
      line(out, `  ${base} audit list --outcome GAVE_UP`);
      line(out, `  ${base} audit stats --since 1h`);
      if (context.exampleTaskArn) line(out, `  ${base} audit show ${context.exampleTaskArn}`);
      await (options.stopSignal ? options.stopSignal() : new Promise<void>(() => {}));
    }
    if (failedInvariants.length > 0) {
      err.write(
        `demo: ${failedInvariants.length} invariant(s) broken: ${failedInvariants.map((i) => i.name).join(', ')}\n`,
      );
      return 1;
    }
    if (!options.json)
      line(
        out,
        `\nAll invariants hold. Region ${sandbox.env.AWS_REGION}, table ${sandbox.config.tableName} (in-memory, gone when the demo exits).`,
      );
    return 0;
  } finally {
    await sandbox.stop();
  }
}
