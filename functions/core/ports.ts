/**
 * Ports: what the core needs from the outside world. Adapters implement them with AWS SDK
 * clients; tests implement them in memory. No @aws-sdk types here.
 */
import type {
  AttemptItem,
  ChainSummaryItem,
  EventLogItem,
  FailureItem,
  LaunchRecordItem,
  RecordedLaunch,
  RejectedEventItem,
  TaskPointerItem,
} from './audit-items';

/** A RunTask request in the wire shape (camelCase members, as @aws-sdk/client-ecs takes it). */
export type RunTaskRequest = Record<string, unknown> & {
  cluster: string;
  taskDefinition: string;
  count: 1;
  clientToken: string;
};

/** What a RunTask call produced when it did not throw. */
export interface RunTaskOutcome {
  /** ARN of the task started, absent when ECS answered 200 with failures[] only. */
  taskArn?: string;
  failures: { arn?: string; reason?: string; detail?: string }[];
  /** HTTP calls the SDK made (its retries reuse the same clientToken). */
  apiCalls: number;
}

/** Authoritative state of a task, from DescribeTasks. */
export interface DescribedTask {
  taskArn: string;
  lastStatus?: string;
  startedAt?: string;
  pullStartedAt?: string;
  containerExitCodes: number[];
  /** The task in the shape of a Task State Change event's detail (ISO timestamps), for redrives. */
  detail?: Record<string, unknown>;
}

export interface TaskLauncher {
  /**
   * Calls RunTask. Throws LaunchRejectedError (a definite "no": 4xx such as ClientException,
   * AccessDenied, InvalidParameter), ConflictingTokenError (token bound to other parameters),
   * or a retryable error (throttling/5xx after the SDK's own retries).
   */
  runTask(request: RunTaskRequest): Promise<RunTaskOutcome>;
  /** DescribeTasks for one task; undefined when ECS no longer knows it. */
  describeTask(clusterArn: string, taskArn: string): Promise<DescribedTask | undefined>;
}

/** Result of trying to claim a failed task ARN. */
export type ClaimResult =
  | { readonly kind: 'claimed'; readonly pointer: TaskPointerItem; readonly reentered: boolean }
  | { readonly kind: 'done'; readonly pointer: TaskPointerItem }
  | { readonly kind: 'busy'; readonly pointer: TaskPointerItem };

export interface ClaimRequest {
  taskArn: string;
  /** Who claims: the event id, so a retry of the same delivery can re-enter its own claim. */
  claimant: string;
  now: string;
  /** Claims older than this are taken over (the holder crashed). */
  leaseMs: number;
  /** Used when no pointer exists yet: this task is the root of a new chain. */
  expiresAt: number;
}

export interface AuditStore {
  /** Conditional write on the task pointer: the exactly-once gate. */
  claimTask(request: ClaimRequest): Promise<ClaimResult>;
  /** Marks a claimed task as handled. */
  completeTask(taskArn: string, outcome: ChainSummaryItem['outcome'], now: string): Promise<void>;
  /** Counts a duplicate delivery on a handled task. */
  countDuplicate(taskArn: string): Promise<void>;
  /** Creates the pointer for a task we started, so its failure continues the chain. */
  putPointer(pointer: TaskPointerItem): Promise<void>;
  getPointer(taskArn: string): Promise<TaskPointerItem | undefined>;
  getChain(rootTaskArn: string): Promise<ChainSummaryItem | undefined>;
  putChain(summary: ChainSummaryItem): Promise<void>;
  getAttempts(rootTaskArn: string): Promise<AttemptItem[]>;
  putAttempt(attempt: AttemptItem): Promise<void>;
  putFailure(failure: FailureItem): Promise<void>;
  putEventLog(entry: EventLogItem): Promise<void>;
  putRejected(entry: RejectedEventItem): Promise<void>;
  getLaunchRecord(taskArn: string): Promise<LaunchRecordItem | undefined>;
  putLaunchRecord(record: LaunchRecordItem): Promise<void>;
  /**
   * Adds one to the relaunch counter of the window; false when the limit is already reached
   * (nothing is added then).
   */
  takeStormToken(scope: string, windowStart: string, limit: number, expiresAt: number): Promise<boolean>;
}

/** Alerts for humans: give-ups, failures, unresolved launches. */
export interface Alerter {
  alert(alert: Alert): Promise<void>;
}

export interface Alert {
  outcome: 'GAVE_UP' | 'FAILED' | 'UNRESOLVED' | 'SKIPPED';
  rootTaskArn: string;
  taskArn: string;
  clusterArn: string;
  reasonCode: string;
  message: string;
}

/** Publishes `TaskRelaunched` so orchestrators can follow the replacement. */
export interface EventPublisher {
  taskRelaunched(event: TaskRelaunchedEvent): Promise<void>;
}

export interface TaskRelaunchedEvent {
  oldTaskArn: string;
  newTaskArn: string;
  rootTaskArn: string;
  attempt: number;
  clusterArn: string;
  taskDefinitionArn: string;
  startedBy?: string;
  group?: string;
}

/** Time, injected so tests and the sandbox control it. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Counters and timings; the handler maps them to Powertools Metrics. */
export interface MetricsSink {
  count(name: string, value?: number, dimensions?: Record<string, string>): void;
  timing(name: string, ms: number): void;
}

export type { RecordedLaunch };
