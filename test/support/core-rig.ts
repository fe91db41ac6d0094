/**
 * In-memory dependencies for driving the remediator core (remediate, redriveChain, recordLaunch)
 * without AWS: MemoryAuditStore, FakeClock, FakeLauncher, and recorders for alerts, published
 * events, log calls and metrics. Plus helpers to derive events from the fixtures.
 */
import { MemoryAuditStore } from '../../functions/adapters/memory-audit-store';
import type { LaunchRecordItem, RecordedLaunch } from '../../functions/core/audit-items';
import { PK, ttlFrom } from '../../functions/core/audit-schema';
import { DEFAULT_POLICY, type RemediatorPolicy } from '../../functions/core/policy';
import type { Alert, AuditStore, MetricsSink, TaskRelaunchedEvent } from '../../functions/core/ports';
import type { LogPort, RemediatorDeps } from '../../functions/core/remediate';
import type { TaskStateChangeEvent } from '../../functions/core/task-event';
import { FakeClock } from './fake-clock';
import { FakeLauncher } from './fake-launcher';
import { loadJson } from './fixtures';

export const ACCOUNT = '111122223333';

export interface LogCall {
  level: 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

/** A LogPort that keeps every call. */
export class RecordingLog implements LogPort {
  readonly calls: LogCall[] = [];
  info(message: string, data?: Record<string, unknown>): void {
    this.calls.push({ level: 'info', message, data });
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.calls.push({ level: 'warn', message, data });
  }
  error(message: string, data?: Record<string, unknown>): void {
    this.calls.push({ level: 'error', message, data });
  }
}

/** A MetricsSink that keeps every call. */
export class RecordingMetrics implements MetricsSink {
  readonly counts: { name: string; value: number; dimensions?: Record<string, string> }[] = [];
  readonly timings: { name: string; ms: number }[] = [];
  count(name: string, value = 1, dimensions?: Record<string, string>): void {
    this.counts.push({ name, value, dimensions });
  }
  timing(name: string, ms: number): void {
    this.timings.push({ name, ms });
  }
  total(name: string): number {
    return this.counts.filter((c) => c.name === name).reduce((sum, c) => sum + c.value, 0);
  }
}

export interface CoreRig {
  readonly deps: RemediatorDeps;
  readonly store: MemoryAuditStore;
  readonly launcher: FakeLauncher;
  readonly clock: FakeClock;
  readonly alerts: Alert[];
  readonly published: TaskRelaunchedEvent[];
  readonly log: RecordingLog;
  readonly metrics: RecordingMetrics;
}

export interface RigOptions {
  /** Merged over the product defaults (plus the fixtures' account id). */
  readonly policy?: Partial<RemediatorPolicy>;
  /** Start time of the clock (epoch ms). */
  readonly now?: number;
  readonly clock?: FakeClock;
  /** Wraps the memory store, e.g. to act on a call. */
  readonly wrapStore?: (store: MemoryAuditStore) => AuditStore;
  readonly random?: () => number;
}

/** The policy of core tests: the product defaults, serving the fixtures' account. */
export function testPolicy(overrides: Partial<RemediatorPolicy> = {}): RemediatorPolicy {
  return { ...DEFAULT_POLICY, accountId: ACCOUNT, ...overrides };
}

export function coreRig(options: RigOptions = {}): CoreRig {
  const store = new MemoryAuditStore();
  const launcher = new FakeLauncher();
  const clock = options.clock ?? new FakeClock(options.now ?? Date.parse('2025-03-04T02:04:10Z'));
  const alerts: Alert[] = [];
  const published: TaskRelaunchedEvent[] = [];
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();
  const deps: RemediatorDeps = {
    store: options.wrapStore ? options.wrapStore(store) : store,
    launcher,
    alerter: { alert: async (a) => void alerts.push(structuredClone(a)) },
    publisher: { taskRelaunched: async (e) => void published.push(structuredClone(e)) },
    clock,
    metrics,
    policy: testPolicy(options.policy),
    log,
    random: options.random ?? (() => 0.5),
  };
  return { deps, store, launcher, clock, alerts, published, log, metrics };
}

/** A fixture event from test/fixtures/events (fresh parse, so a private copy). */
export function fixtureEvent(name: string): TaskStateChangeEvent {
  return loadJson<TaskStateChangeEvent>('events', `${name}.json`);
}

/** Epoch ms of the fixture's stop, plus `ms`. */
export function afterStop(event: TaskStateChangeEvent, ms = 5_000): number {
  return Date.parse(event.detail.stoppedAt ?? event.time) + ms;
}

/**
 * The stop event of a replacement task that failed again the same way: same failure, new task
 * ARN, new event id, `minutes` later.
 */
export function failureOf(
  base: TaskStateChangeEvent,
  taskArn: string,
  minutes: number,
  id = `evt-${taskArn.slice(-8)}`,
): TaskStateChangeEvent {
  const e = structuredClone(base);
  const shift = (iso: string | undefined) =>
    iso === undefined ? undefined : new Date(Date.parse(iso) + minutes * 60_000).toISOString();
  e.id = id;
  e.time = shift(e.time) ?? e.time;
  e.resources = [taskArn];
  e.detail.taskArn = taskArn;
  e.detail.createdAt = shift(e.detail.createdAt);
  e.detail.stoppingAt = shift(e.detail.stoppingAt);
  e.detail.stoppedAt = shift(e.detail.stoppedAt);
  e.detail.updatedAt = shift(e.detail.updatedAt);
  return e;
}

/** A launch record as the launch recorder stores it. */
export function launchRecord(taskArn: string, launch: RecordedLaunch, nowMs: number): LaunchRecordItem {
  return {
    pk: PK.launch(taskArn),
    sk: 'LAUNCH',
    type: 'LAUNCH',
    taskArn,
    launch,
    cloudTrailEventId: `ct-${taskArn.slice(-8)}`,
    recordedAt: new Date(nowMs).toISOString(),
    expiresAt: ttlFrom(nowMs, 48 * 3600),
  };
}

/** A typical captured launch: two subnets, one security group, no public IP. */
export function recordedLaunch(overrides: Partial<RecordedLaunch> = {}): RecordedLaunch {
  return {
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-8e3f981de48241322', 'subnet-0b7c1d2e3f4a5b6c7'],
        securityGroups: ['sg-0123456789abcdef0'],
        assignPublicIp: 'DISABLED',
      },
    },
    ...overrides,
  };
}

/** Every item of the store of a given type. */
export function itemsOfType(store: MemoryAuditStore, type: string): Record<string, unknown>[] {
  return [...store.items.values()].filter((i) => i.type === type);
}
