/**
 * The shapes of the items in the audit table (see audit-schema.ts for keys and indexes).
 * Field names follow the vocabulary operators search for (originalTaskArn, newTaskArn,
 * rootTaskArn, stoppedReason, status, finalStatus...).
 */
import type { AttemptStatus, Outcome } from './audit-schema';

/** Machine-readable reasons for a skip, a give-up, a failure or an unresolved launch. */
export type ReasonCode =
  // skips: not ours, or not an ENI start failure
  | 'INVALID_EVENT'
  | 'FOREIGN_ACCOUNT'
  | 'FOREIGN_REGION'
  | 'NOT_STOPPED'
  | 'NOT_TASK_FAILED_TO_START'
  | 'TASK_STARTED'
  | 'UNKNOWN_REASON'
  | 'NOT_FARGATE'
  | 'ECS_SERVICE_TASK'
  | 'STEP_FUNCTIONS_TASK'
  | 'AWS_BATCH_TASK'
  | 'CLUSTER_NOT_ALLOWED'
  | 'FAMILY_NOT_ALLOWED'
  | 'OPTED_OUT'
  | 'TOO_LATE'
  | 'DUPLICATE_EVENT'
  // give-ups and failures
  | 'PERMANENT_FAILURE'
  | 'MAX_ATTEMPTS_REACHED'
  | 'NO_OTHER_SUBNET'
  | 'STORM_LIMIT'
  | 'RUN_TASK_REJECTED'
  | 'INVALID_REQUEST'
  | 'OVERRIDES_TOO_LARGE'
  | 'CONFLICTING_TOKEN'
  // unresolved launch parameters
  | 'NO_LAUNCH_RECORD'
  | 'NO_SECURITY_GROUPS'
  | 'NO_SUBNETS'
  // success
  | 'RELAUNCHED'
  | 'DRY_RUN'
  | 'REDRIVEN';

/** Where the network configuration and the other event-less parameters came from. */
export type LaunchSource = 'PREVIOUS_ATTEMPT' | 'LAUNCH_RECORD' | 'NETWORK_DEFAULTS';

/** One item per chain (the root failed task and every relaunch that followed it). */
export interface ChainSummaryItem {
  pk: string;
  sk: 'SUMMARY';
  type: 'CHAIN';
  rootTaskArn: string;
  clusterArn: string;
  clusterName: string;
  family: string;
  taskDefinitionArn: string;
  startedBy?: string;
  group?: string;
  /** Current outcome; final once the chain stops. */
  outcome: Outcome;
  /** Same as outcome, named for operators reading the raw item. */
  finalStatus: Outcome;
  reasonCode: ReasonCode;
  /** Human-readable explanation, says what to do next where a human must act. */
  reasonMessage: string;
  catalogId?: string;
  failureClass?: string;
  firstStoppedReason: string;
  lastStoppedReason: string;
  /** Logical relaunch attempts made (each with its own clientToken). */
  attempts: number;
  /** Task ARNs started by this chain, in order. */
  newTaskArns: string[];
  /** Every failed task of the chain, root first. */
  failedTaskArns: string[];
  failedSubnets: string[];
  failedAvailabilityZones: string[];
  /** When the root task stopped (from its event). */
  rootStoppedAt: string;
  createdAt: string;
  updatedAt: string;
  /** Milliseconds from the root's stop to the first successful relaunch. */
  recoveryLatencyMs?: number;
  redrivenBy?: string;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  expiresAt: number;
}

/** One item per logical relaunch attempt. */
export interface AttemptItem {
  pk: string;
  sk: string;
  type: 'ATTEMPT';
  rootTaskArn: string;
  /** The failed task this attempt replaces. */
  originalTaskArn: string;
  attempt: number;
  clientToken: string;
  status: AttemptStatus;
  launchSource: LaunchSource;
  /** The RunTask request as sent, with environment override values replaced by digests. */
  request: Record<string, unknown>;
  newTaskArn?: string | null;
  failureReason?: string;
  errorName?: string;
  errorMessage?: string;
  /** HTTP calls the SDK made for this attempt (retries reuse the clientToken). */
  runTaskApiCalls?: number;
  requestedAt: string;
  completedAt?: string;
  /** Milliseconds from the replaced task's stop to this launch. */
  latencyMs?: number;
  delayMs?: number;
  expiresAt: number;
}

/** One item per failed task of a chain. */
export interface FailureItem {
  pk: string;
  sk: string;
  type: 'FAILURE';
  rootTaskArn: string;
  originalTaskArn: string;
  /** 0 for the root, n for the task that relaunch attempt n started. */
  attempt: number;
  eventId: string;
  detailVersion: number;
  stoppedReason: string;
  stopCode?: string;
  catalogId?: string;
  failureClass?: string;
  decision: 'RELAUNCH' | 'SKIP' | 'GIVE_UP' | 'UNRESOLVED' | 'FAIL' | 'DRY_RUN';
  reasonCode: ReasonCode;
  subnetId?: string;
  availabilityZone?: string;
  stoppedAt?: string;
  receivedAt: string;
  expiresAt: number;
}

/** Pointer from any task ARN (failed or started by us) to its chain; also the claim. */
export interface TaskPointerItem {
  pk: string;
  sk: 'POINTER';
  type: 'POINTER';
  taskArn: string;
  rootTaskArn: string;
  attempt: number;
  /** Set when a failure event for this task was claimed. */
  claimedAt?: string;
  claimedBy?: string;
  /** Set when handling of the claimed failure finished. */
  doneAt?: string;
  outcome?: Outcome;
  duplicateDeliveries?: number;
  expiresAt: number;
}

/** Every event received for a task (duplicates included), for "what happened to task X". */
export interface EventLogItem {
  pk: string;
  sk: string;
  type: 'EVENT';
  taskArn: string;
  eventId: string;
  detailVersion: number;
  lastStatus?: string;
  decision: string;
  reasonCode: ReasonCode;
  receivedAt: string;
  expiresAt: number;
}

/** What the stop event lacks, captured from CloudTrail RunTask calls by the launch recorder. */
export interface LaunchRecordItem {
  pk: string;
  sk: 'LAUNCH';
  type: 'LAUNCH';
  taskArn: string;
  clusterArn?: string;
  /** RunTask request fields, environment values never included. */
  launch: RecordedLaunch;
  cloudTrailEventId: string;
  callerArn?: string;
  invokedBy?: string;
  recordedAt: string;
  expiresAt: number;
}

/** The RunTask request fields the stop event does not carry. */
export interface RecordedLaunch {
  cluster?: string;
  taskDefinition?: string;
  launchType?: string;
  capacityProviderStrategy?: { capacityProvider: string; weight?: number; base?: number }[];
  platformVersion?: string;
  networkConfiguration?: {
    awsvpcConfiguration?: {
      subnets?: string[];
      securityGroups?: string[];
      assignPublicIp?: 'ENABLED' | 'DISABLED';
    };
  };
  tags?: { key: string; value?: string }[];
  propagateTags?: 'TASK_DEFINITION' | 'NONE' | 'SERVICE';
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
  placementConstraints?: { type?: string; expression?: string }[];
  placementStrategy?: { type?: string; field?: string }[];
  volumeConfigurations?: Record<string, unknown>[];
  startedBy?: string;
  group?: string;
  count?: number;
}

/** A malformed or foreign event, kept so that nothing is dropped silently. */
export interface RejectedEventItem {
  pk: string;
  sk: string;
  type: 'REJECTED';
  eventId?: string;
  reasonCode: ReasonCode;
  reasonMessage: string;
  /** The first characters of the raw event, environment values removed. */
  excerpt: string;
  receivedAt: string;
  gsi2pk: string;
  gsi2sk: string;
  expiresAt: number;
}

export type AuditItem =
  | ChainSummaryItem
  | AttemptItem
  | FailureItem
  | TaskPointerItem
  | EventLogItem
  | LaunchRecordItem
  | RejectedEventItem;
