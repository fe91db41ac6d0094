import { randomUUID } from 'node:crypto';
/**
 * Runs one acceptance case (test/fixtures/cases/<name>) through the real remediator handler:
 * middy + Powertools around the core, the real ECS SDK client on a scripted transport, and any
 * AuditStore. Returns what a test needs to compare with expected.json.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EcsTaskLauncher } from '../../functions/adapters/ecs-task-launcher';
import type { RecordedLaunch } from '../../functions/core/audit-items';
import { recordLaunch } from '../../functions/core/launch-record';
import { DEFAULT_POLICY, type RemediatorPolicy } from '../../functions/core/policy';
import type { Alert, AuditStore, TaskRelaunchedEvent } from '../../functions/core/ports';
import type { RemediationResult } from '../../functions/core/remediate';
import { createRemediatorHandler } from '../../functions/remediator/app';
import { logPort, RecordingMetricsSink } from '../../functions/shared/observability';
import { FakeClock } from './fake-clock';
import { fixtureExists, loadJson } from './fixtures';
import { ScriptedEcs, type ScriptedResponse } from './scripted-ecs';

export interface CaseFiles {
  name: string;
  events: Record<string, unknown>[];
  expected: Record<string, unknown>;
  context: { originalLaunch?: RecordedLaunch; policy?: { maxRetriesPerRootTask?: number } } & Record<
    string,
    unknown
  >;
  apiResponses: Record<string, ScriptedResponse[]>;
}

export function loadCase(name: string): CaseFiles {
  const events = fixtureExists('cases', name, 'events.json')
    ? loadJson<Record<string, unknown>[]>('cases', name, 'events.json')
    : [loadJson<Record<string, unknown>>('cases', name, 'event.json')];
  const apiResponses = fixtureExists('cases', name, 'api-responses.json')
    ? loadJson<Record<string, unknown>>('cases', name, 'api-responses.json')
    : {};
  const script: Record<string, ScriptedResponse[]> = {};
  for (const [k, v] of Object.entries(apiResponses))
    if (!k.startsWith('_') && Array.isArray(v)) script[k] = v;
  return {
    name,
    events,
    expected: loadJson('cases', name, 'expected.json'),
    context: fixtureExists('cases', name, 'context.json') ? loadJson('cases', name, 'context.json') : {},
    apiResponses: script,
  };
}

export interface CaseRun {
  results: RemediationResult[];
  ecs: ScriptedEcs;
  clock: FakeClock;
  alerts: Alert[];
  published: TaskRelaunchedEvent[];
  metrics: RecordingMetricsSink;
  rootTaskArn: string;
  /** Re-runs the same events against the same store and ECS (a duplicate invocation). */
  replay(): Promise<RemediationResult[]>;
}

function eventOf(e: Record<string, unknown>) {
  return e as {
    id: string;
    time: string;
    detail: { taskArn: string; stoppedAt?: string; updatedAt?: string };
  };
}

/** Policy for cases: the product defaults, with what the case's context asks for. */
export function casePolicy(files: CaseFiles): RemediatorPolicy {
  return {
    ...DEFAULT_POLICY,
    accountId: '111122223333',
    maxAttempts: files.context.policy?.maxRetriesPerRootTask ?? DEFAULT_POLICY.maxAttempts,
    launchRecordWaitMs: 0,
  };
}

export async function runCase(
  files: CaseFiles,
  store: AuditStore,
  options: { concurrent?: boolean } = {},
): Promise<CaseRun> {
  const first = eventOf(files.events[0] as Record<string, unknown>);
  const clock = new FakeClock(Date.parse(first.time) + 5_000);
  const ecs = new ScriptedEcs(
    files.apiResponses,
    () => clock.now(),
    (body) => ({
      tasks: ((body.tasks as string[]) ?? []).map((taskArn) => ({ taskArn, lastStatus: 'STOPPED' })),
      failures: [],
    }),
  );
  const rootTaskArn = first.detail.taskArn;
  if (files.context.originalLaunch) {
    // Seed through the real launch recorder, from the CloudTrail record of the original call.
    const recorded = await recordLaunch(
      cloudTrailRunTaskEvent(files.context.originalLaunch, rootTaskArn, clock.now()),
      {
        store,
        now: () => clock.now(),
        ttlHours: 48,
        log: { info: () => {}, warn: () => {}, error: () => {} },
        metrics: new RecordingMetricsSink(),
      },
    );
    if (recorded.recorded.length !== 1) throw new Error(`launch record not stored: ${recorded.reason}`);
  }
  const alerts: Alert[] = [];
  const published: TaskRelaunchedEvent[] = [];
  const metrics = new RecordingMetricsSink();
  const logger = new Logger({ serviceName: 'eni-remediator', logLevel: 'SILENT' });
  const handler = createRemediatorHandler({
    logger,
    deps: {
      store,
      launcher: new EcsTaskLauncher(ecs.client),
      alerter: { alert: async (a) => void alerts.push(a) },
      publisher: { taskRelaunched: async (e) => void published.push(e) },
      clock,
      metrics,
      policy: casePolicy(files),
      log: logPort(logger),
      random: () => 0.5,
    },
  });
  // Every delivery is a separate invocation with its own request id, as in Lambda.
  const invoke = (e: Record<string, unknown>) =>
    handler(e, { awsRequestId: randomUUID() } as never) as Promise<RemediationResult>;
  const runAll = async (): Promise<RemediationResult[]> => {
    if (options.concurrent) return Promise.all(files.events.map((e) => invoke(e)));
    const out: RemediationResult[] = [];
    for (const e of files.events) {
      const time = Date.parse(eventOf(e).time) + 5_000;
      if (time > clock.now()) clock.set(time);
      out.push(await invoke(e));
    }
    return out;
  };
  const results = await runAll();
  return { results, ecs, clock, alerts, published, metrics, rootTaskArn, replay: runAll };
}

/** Drops container override entries that carry only a name (the cases compare without them). */
export function withoutEchoEntries(overrides: unknown): unknown {
  if (!overrides || typeof overrides !== 'object') return overrides;
  const o = overrides as { containerOverrides?: Record<string, unknown>[] };
  const containers = (o.containerOverrides ?? []).filter((c) => Object.keys(c).some((k) => k !== 'name'));
  return { ...o, containerOverrides: containers };
}

/**
 * Deep partial match as the cases define it: subnets and securityGroups as sets, overrides
 * exactly (after dropping echo-only entries), everything else partially. Returns mismatches.
 */
export function partialMismatches(expected: unknown, actual: unknown, path = ''): string[] {
  const key = path.slice(path.lastIndexOf('.') + 1);
  if (key === 'subnets' || key === 'securityGroups') {
    const e = [...((expected as string[]) ?? [])].sort();
    const a = [...((actual as string[]) ?? [])].sort();
    return JSON.stringify(e) === JSON.stringify(a) ? [] : [`${path}: expected set ${e} got ${a}`];
  }
  if (key === 'overrides') {
    const e = JSON.stringify(withoutEchoEntries(expected));
    const a = JSON.stringify(withoutEchoEntries(actual));
    return e === a ? [] : [`${path}: expected ${e} got ${a}`];
  }
  if (Array.isArray(expected)) {
    return JSON.stringify(expected) === JSON.stringify(actual)
      ? []
      : [`${path}: expected ${JSON.stringify(expected)} got ${JSON.stringify(actual)}`];
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return [`${path}: missing`];
    return Object.entries(expected).flatMap(([k, v]) =>
      partialMismatches(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
    );
  }
  return expected === actual
    ? []
    : [`${path}: expected ${JSON.stringify(expected)} got ${JSON.stringify(actual)}`];
}

const SYNONYMS: Record<string, string[]> = { status: ['status', 'outcome', 'finalStatus'] };

/**
 * Checks `auditMustRecord` against the chain's items. Values are the contract; field names are
 * looked up directly (our items use the cases' vocabulary), with `status` also matching the
 * chain's outcome. `attemptN` objects must all hold on attempt N's item; `attempts` lists the
 * task ARNs the chain started.
 */
export function auditMismatches(
  expected: Record<string, unknown>,
  items: Record<string, unknown>[],
): string[] {
  const problems: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  for (const [key, value] of Object.entries(expected)) {
    const attemptKey = /^attempt(\d+)$/.exec(key);
    if (attemptKey && value && typeof value === 'object') {
      const n = Number(attemptKey[1]);
      const item = items.find((i) => i.type === 'ATTEMPT' && i.attempt === n);
      if (!item) {
        problems.push(`${key}: no attempt ${n} recorded`);
        continue;
      }
      for (const [k, v] of Object.entries(value)) {
        const actual = item[k] === undefined && v === null ? null : item[k];
        if (!same(actual, v))
          problems.push(`${key}.${k}: expected ${JSON.stringify(v)} got ${JSON.stringify(item[k])}`);
      }
      continue;
    }
    if (key === 'attempts' && Array.isArray(value)) {
      const chain = items.find((i) => i.type === 'CHAIN');
      if (!same(chain?.newTaskArns, value))
        problems.push(
          `attempts: expected ${JSON.stringify(value)} got ${JSON.stringify(chain?.newTaskArns)}`,
        );
      continue;
    }
    const fields = SYNONYMS[key] ?? [key];
    const found = items.some((i) => fields.some((f) => same(i[f], value)));
    if (!found) problems.push(`${key}: no audit item records ${JSON.stringify(value)}`);
  }
  return problems;
}

/**
 * The "AWS API Call via CloudTrail" event of a RunTask call, as CloudTrail delivers it:
 * environment values hidden, the started task in responseElements.
 */
export function cloudTrailRunTaskEvent(
  launch: RecordedLaunch,
  taskArn: string,
  nowMs: number,
): Record<string, unknown> {
  const request = structuredClone(launch) as Record<string, unknown> & {
    overrides?: { containerOverrides?: { environment?: unknown }[] };
  };
  for (const c of request.overrides?.containerOverrides ?? []) {
    if (c.environment) c.environment = 'HIDDEN_DUE_TO_SECURITY_REASONS';
  }
  return {
    version: '0',
    id: `ct-${taskArn.slice(-12)}`,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: '111122223333',
    time: new Date(nowMs).toISOString(),
    region: taskArn.split(':')[3],
    detail: {
      eventVersion: '1.08',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/launcher/session' },
      eventTime: new Date(nowMs).toISOString(),
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RunTask',
      awsRegion: taskArn.split(':')[3],
      requestParameters: request,
      responseElements: { tasks: [{ taskArn }], failures: [] },
      eventID: `ev-${taskArn.slice(-12)}`,
    },
  };
}
