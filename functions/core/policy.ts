/**
 * Decision rules (ARCHITECTURE.md, "Decision rules"): is this stop event a failure we own and
 * may relaunch? Pure: the event, the policy and the current time in, a decision out.
 */
import type { ReasonCode } from './audit-items';
import { type CatalogEntry, classifyReason } from './catalog';
import { arnAccountRegion, clusterNameOf, familyOf, type TaskStateChangeEvent } from './task-event';

/** Network parameters to use when no launch record exists for a cluster. */
export interface NetworkDefaults {
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp?: 'ENABLED' | 'DISABLED';
}

/** The policy the core applies; parsed once from the environment by functions/shared/config.ts. */
export interface RemediatorPolicy {
  /** When set, events from other accounts are rejected. */
  readonly accountId?: string;
  /** When set, events from other regions are rejected. */
  readonly region?: string;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  readonly latenessLimitMs: number;
  /** How long to wait for the launch recorder's record before giving up as UNRESOLVED. */
  readonly launchRecordWaitMs: number;
  readonly launchRecordPollMs: number;
  readonly dryRun: boolean;
  readonly clusterAllow: readonly string[];
  readonly clusterDeny: readonly string[];
  readonly familyAllow: readonly string[];
  readonly familyDeny: readonly string[];
  readonly stepFunctionsPolicy: 'skip' | 'relaunch';
  readonly optOutTagKey: string;
  /** Keyed by cluster name, or `*` for every cluster. */
  readonly networkDefaults: Readonly<Record<string, NetworkDefaults>>;
  readonly stormLimit: number;
  readonly stormWindowMs: number;
  readonly auditRetentionDays: number;
  readonly launchRecordTtlHours: number;
  readonly verifyWithDescribe: boolean;
  /** Claims older than this are taken over (crashed holder); longer than the function timeout. */
  readonly claimLeaseMs: number;
}

export const DEFAULT_POLICY: RemediatorPolicy = Object.freeze({
  maxAttempts: 3,
  backoffBaseMs: 20_000,
  backoffMinMs: 10_000,
  backoffMaxMs: 60_000,
  latenessLimitMs: 30 * 60_000,
  launchRecordWaitMs: 120_000,
  launchRecordPollMs: 10_000,
  dryRun: false,
  clusterAllow: [],
  clusterDeny: [],
  familyAllow: [],
  familyDeny: [],
  stepFunctionsPolicy: 'skip',
  optOutTagKey: 'eni-remediator:opt-out',
  networkDefaults: {},
  stormLimit: 100,
  stormWindowMs: 5 * 60_000,
  auditRetentionDays: 90,
  launchRecordTtlHours: 48,
  verifyWithDescribe: true,
  claimLeaseMs: 15 * 60_000,
});

export type Eligibility =
  | { readonly kind: 'eligible'; readonly entry: CatalogEntry }
  | {
      readonly kind: 'skip';
      readonly reasonCode: ReasonCode;
      readonly message: string;
      readonly final: boolean;
    };

function skip(reasonCode: ReasonCode, message: string, final = true): Eligibility {
  return { kind: 'skip', reasonCode, message, final };
}

function inList(list: readonly string[], value: string): boolean {
  return list.includes(value);
}

/** Did any container of the task run? */
export function taskEverRan(event: TaskStateChangeEvent): boolean {
  const d = event.detail;
  // ARCHITECTURE.md: never started = no startedAt and no container exit code. An image pull
  // that began (and failed) does not make a task one that ran.
  if (d.startedAt) return true;
  return (d.containers ?? []).some((c) => typeof c.exitCode === 'number');
}

/**
 * Whether the event is an ENI start failure we own. Ordered so that the most specific reason
 * is recorded. `final: false` marks events that are not a task's last word (a later STOPPED
 * event for the same task will follow), which must never claim the task.
 */
export function assessEligibility(event: TaskStateChangeEvent, policy: RemediatorPolicy): Eligibility {
  const d = event.detail;
  const { account, region } = arnAccountRegion(d.taskArn);
  if (policy.accountId && (event.account !== policy.accountId || account !== policy.accountId)) {
    return skip(
      'FOREIGN_ACCOUNT',
      `event from account ${event.account}, this deployment serves ${policy.accountId}`,
    );
  }
  if (policy.region && (event.region !== policy.region || region !== policy.region)) {
    return skip(
      'FOREIGN_REGION',
      `event from region ${event.region}, this deployment serves ${policy.region}`,
    );
  }
  if (d.lastStatus !== 'STOPPED') {
    return skip('NOT_STOPPED', `lastStatus is ${d.lastStatus}; only STOPPED events are acted on`, false);
  }
  if (d.stopCode !== 'TaskFailedToStart') {
    return skip('NOT_TASK_FAILED_TO_START', `stopCode is ${d.stopCode ?? '(none)'}, not TaskFailedToStart`);
  }
  if (taskEverRan(event)) {
    return skip('TASK_STARTED', 'the task started (startedAt, image pull or container exit code present)');
  }
  const group = d.group ?? '';
  const startedBy = d.startedBy ?? '';
  if (group.startsWith('service:') || startedBy.startsWith('ecs-svc/')) {
    return skip(
      'ECS_SERVICE_TASK',
      `task of ECS service ${group || startedBy}: the service scheduler replaces it`,
    );
  }
  if (startedBy === 'AWS Step Functions' && policy.stepFunctionsPolicy === 'skip') {
    return skip('STEP_FUNCTIONS_TASK', 'started by Step Functions: the state machine owns its retries');
  }
  const clusterName = clusterNameOf(d.clusterArn);
  if (clusterName.startsWith('AWSBatch-')) {
    return skip('AWS_BATCH_TASK', 'task of an AWS Batch compute environment: Batch owns its retries');
  }
  const fargate =
    d.capacityProviderName !== undefined
      ? d.capacityProviderName === 'FARGATE' || d.capacityProviderName === 'FARGATE_SPOT'
      : d.launchType === 'FARGATE';
  if (!fargate) {
    return skip(
      'NOT_FARGATE',
      `launch type ${d.launchType ?? '?'} / capacity provider ${d.capacityProviderName ?? '-'}`,
    );
  }
  if (policy.clusterAllow.length > 0 && !inList(policy.clusterAllow, clusterName)) {
    return skip('CLUSTER_NOT_ALLOWED', `cluster ${clusterName} is not in the allow list`);
  }
  if (inList(policy.clusterDeny, clusterName)) {
    return skip('CLUSTER_NOT_ALLOWED', `cluster ${clusterName} is in the deny list`);
  }
  const family = familyOf(d.taskDefinitionArn);
  if (policy.familyAllow.length > 0 && !inList(policy.familyAllow, family)) {
    return skip('FAMILY_NOT_ALLOWED', `task family ${family} is not in the allow list`);
  }
  if (inList(policy.familyDeny, family)) {
    return skip('FAMILY_NOT_ALLOWED', `task family ${family} is in the deny list`);
  }
  const classification = classifyReason(d.stoppedReason);
  if (!classification.matched) {
    return skip(
      'UNKNOWN_REASON',
      `stoppedReason is not a known network interface failure: ${d.stoppedReason ?? ''}`,
    );
  }
  return { kind: 'eligible', entry: classification.entry };
}

/** Time of the stop, falling back through the event's timestamps. */
export function stoppedAtMs(event: TaskStateChangeEvent): number {
  const d = event.detail;
  const candidates = [d.stoppedAt, d.stoppingAt, d.updatedAt, event.time];
  for (const c of candidates) {
    if (!c) continue;
    const t = Date.parse(c);
    if (!Number.isNaN(t)) return t;
  }
  return Number.NaN;
}

/** Is the failure too old to relaunch (the job's moment has passed)? */
export function isTooLate(event: TaskStateChangeEvent, nowMs: number, policy: RemediatorPolicy): boolean {
  const stopped = stoppedAtMs(event);
  if (Number.isNaN(stopped)) return true;
  return nowMs - stopped > policy.latenessLimitMs;
}

/**
 * Delay before relaunch attempt `attempt` (1-based): none for the first, then a floor plus
 * full jitter over an exponentially growing window, capped.
 */
export function backoffDelayMs(attempt: number, policy: RemediatorPolicy, random: () => number): number {
  if (attempt <= 1) return 0;
  const window = Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** (attempt - 2));
  return policy.backoffMinMs + Math.floor(random() * window);
}

/** Is the task's opt-out tag set in the recorded launch? */
export function optedOut(tags: readonly { key: string; value?: string }[] | undefined, key: string): boolean {
  return (tags ?? []).some(
    (t) => t.key === key && ['true', 'yes', '1'].includes((t.value ?? '').toLowerCase()),
  );
}
