/**
 * The remediation use case: one ECS Task State Change event in, one decision out, every step
 * recorded in the audit store.
 *
 * Steps: validate → assess → claim → chain → budget → resolve launch → build → (backoff) →
 * storm guard → RunTask → record. Exactly once: the claim is a conditional write on the failed
 * task ARN; the clientToken is a hash of (root task ARN, attempt), so a re-entered claim (Lambda
 * retry after a crash) re-sends the same token and ECS returns the task it already started.
 */

import { createHash } from 'node:crypto';
import type {
  AttemptItem,
  ChainSummaryItem,
  FailureItem,
  LaunchRecordItem,
  ReasonCode,
  RecordedLaunch,
} from './audit-items';
import { GSI_KEYS, type Outcome, PK, SK, ttlFrom, utcDay } from './audit-schema';
import type { CatalogEntry } from './catalog';
import { ConflictingTokenError, InvalidEventError, LaunchRejectedError } from './errors';
import {
  buildRunTaskRequest,
  type LaunchSourceData,
  launchFromPreviousRequest,
  redactRequest,
} from './launch-spec';
import {
  assessEligibility,
  backoffDelayMs,
  isTooLate,
  optedOut,
  type RemediatorPolicy,
  stoppedAtMs,
} from './policy';
import type {
  Alerter,
  AuditStore,
  Clock,
  EventPublisher,
  MetricsSink,
  RunTaskRequest,
  TaskLauncher,
} from './ports';
import {
  arnAccountRegion,
  clusterNameOf,
  failedSubnetOf,
  familyOf,
  parseTaskStateChange,
  type TaskDetail,
  type TaskStateChangeEvent,
} from './task-event';

/** Minimal structured logger (Powertools Logger satisfies it). */
export interface LogPort {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface RemediatorDeps {
  readonly store: AuditStore;
  readonly launcher: TaskLauncher;
  readonly alerter: Alerter;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  readonly policy: RemediatorPolicy;
  readonly log: LogPort;
  /** Source of jitter; Math.random in production. */
  readonly random: () => number;
}

/** What happened to one event; `action` uses the vocabulary of the acceptance cases. */
export interface RemediationResult {
  readonly action: 'retry' | 'skip' | 'give-up' | 'error' | 'dry-run';
  readonly outcome?: Outcome;
  readonly reasonCode: ReasonCode;
  readonly message: string;
  readonly taskArn?: string;
  readonly rootTaskArn?: string;
  readonly attempt?: number;
  readonly newTaskArn?: string;
}

const ACTION_BY_OUTCOME: Record<Outcome, RemediationResult['action']> = {
  RELAUNCHED: 'retry',
  SKIPPED: 'skip',
  GAVE_UP: 'give-up',
  FAILED: 'error',
  UNRESOLVED: 'error',
  DRY_RUN: 'dry-run',
};

const DECISION_BY_OUTCOME: Record<Outcome, FailureItem['decision']> = {
  RELAUNCHED: 'RELAUNCH',
  SKIPPED: 'SKIP',
  GAVE_UP: 'GIVE_UP',
  FAILED: 'FAIL',
  UNRESOLVED: 'UNRESOLVED',
  DRY_RUN: 'DRY_RUN',
};

interface Finish {
  outcome: Outcome;
  reasonCode: ReasonCode;
  message: string;
  newTaskArn?: string;
  attempt?: number;
}

/** Identifies one invocation: Lambda keeps the request id across its asynchronous retries. */
export interface Invocation {
  readonly requestId?: string;
}

/**
 * Handles one raw event. Never throws for bad input; throws only errors worth a retry of the
 * invocation (which keeps its request id, and so may re-enter its own claim).
 */
export async function remediate(
  raw: unknown,
  deps: RemediatorDeps,
  invocation: Invocation = {},
): Promise<RemediationResult> {
  const { store, metrics, log, clock, policy } = deps;
  const nowIso = () => new Date(clock.now()).toISOString();

  let event: TaskStateChangeEvent;
  try {
    event = parseTaskStateChange(raw);
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    await recordRejected(raw, 'INVALID_EVENT', err.message, deps);
    metrics.count('Skipped', 1, { reason: 'INVALID_EVENT' });
    log.warn('event rejected', { reasonCode: 'INVALID_EVENT', field: err.field, error: err.message });
    return { action: 'skip', reasonCode: 'INVALID_EVENT', message: err.message };
  }

  const d = event.detail;
  const taskArn = d.taskArn;
  const eligibility = assessEligibility(event, policy);

  if (
    eligibility.kind === 'skip' &&
    (eligibility.reasonCode === 'FOREIGN_ACCOUNT' || eligibility.reasonCode === 'FOREIGN_REGION')
  ) {
    await recordRejected(raw, eligibility.reasonCode, eligibility.message, deps, event.id);
    metrics.count('Skipped', 1, { reason: eligibility.reasonCode });
    log.warn('event rejected', { taskArn, reasonCode: eligibility.reasonCode });
    return { action: 'skip', reasonCode: eligibility.reasonCode, message: eligibility.message, taskArn };
  }

  if (eligibility.kind === 'skip' && !eligibility.final) {
    // Not the task's last word: a STOPPED event follows. Claiming now would swallow it.
    await logEvent(event, 'IGNORED', eligibility.reasonCode, deps);
    log.info('event ignored', { taskArn, reasonCode: eligibility.reasonCode });
    return { action: 'skip', reasonCode: eligibility.reasonCode, message: eligibility.message, taskArn };
  }

  const claim = await store.claimTask({
    taskArn,
    claimant: invocation.requestId ?? event.id,
    now: nowIso(),
    leaseMs: policy.claimLeaseMs,
    expiresAt: ttlFrom(clock.now(), policy.auditRetentionDays * 86_400),
  });
  if (claim.kind !== 'claimed') {
    // Handled already, or being handled by another delivery of the same failure. If that
    // invocation fails, its own retries (same request id) or, after the lease, anyone finishes it.
    await store.countDuplicate(taskArn);
    await logEvent(event, 'DUPLICATE', 'DUPLICATE_EVENT', deps);
    metrics.count('Duplicate');
    log.info('duplicate event', {
      taskArn,
      rootTaskArn: claim.pointer.rootTaskArn,
      inFlight: claim.kind === 'busy',
    });
    return {
      action: 'skip',
      reasonCode: 'DUPLICATE_EVENT',
      message:
        claim.kind === 'done'
          ? `already handled (${claim.pointer.outcome ?? 'done'})`
          : 'being handled by another invocation',
      taskArn,
      rootTaskArn: claim.pointer.rootTaskArn,
    };
  }

  const pointer = claim.pointer;
  const rootTaskArn = pointer.rootTaskArn;
  metrics.count('Detected');
  log.info('failure claimed', {
    taskArn,
    rootTaskArn,
    failureIndex: pointer.attempt,
    reentered: claim.reentered,
    reasonCode: eligibility.kind === 'skip' ? eligibility.reasonCode : eligibility.entry.id,
  });

  let chain = await store.getChain(rootTaskArn);
  if (!chain) chain = newChain(event, rootTaskArn, nowIso(), policy, clock.now());
  chain = noteFailure(chain, event, nowIso());

  const finish =
    eligibility.kind === 'skip'
      ? { outcome: 'SKIPPED' as const, reasonCode: eligibility.reasonCode, message: eligibility.message }
      : await relaunch(event, chain, eligibility.entry, deps);

  const outcome = finish.outcome;
  const now = nowIso();
  const entry = eligibility.kind === 'eligible' ? eligibility.entry : undefined;
  const failure: FailureItem = {
    pk: PK.chain(rootTaskArn),
    sk: SK.failure(pointer.attempt, taskArn),
    type: 'FAILURE',
    rootTaskArn,
    originalTaskArn: taskArn,
    attempt: pointer.attempt,
    eventId: event.id,
    detailVersion: d.version,
    stoppedReason: d.stoppedReason ?? '',
    stopCode: d.stopCode,
    catalogId: entry?.id,
    failureClass: entry?.class,
    decision: DECISION_BY_OUTCOME[outcome],
    reasonCode: finish.reasonCode,
    subnetId: failedSubnetOf(d),
    availabilityZone: d.availabilityZone,
    stoppedAt: d.stoppedAt ?? d.stoppingAt,
    receivedAt: now,
    expiresAt: chain.expiresAt,
  };
  await store.putFailure(failure);

  // A skip of a replacement (it failed for a non-ENI reason) does not change what the chain did.
  const keepOutcome = eligibility.kind === 'skip' && pointer.attempt > 0;
  const updated: ChainSummaryItem = keepOutcome
    ? { ...chain, updatedAt: now }
    : withOutcome(
        {
          ...chain,
          reasonCode: finish.reasonCode,
          reasonMessage: finish.message,
          catalogId: entry?.id ?? chain.catalogId,
          failureClass: entry?.class ?? chain.failureClass,
          updatedAt: now,
        },
        outcome,
        now,
      );
  await store.putChain(updated);
  if (outcome === 'GAVE_UP' || outcome === 'FAILED' || outcome === 'UNRESOLVED') {
    // Before completing the claim: if the alert fails, the retried invocation alerts again.
    await deps.alerter.alert({
      outcome,
      rootTaskArn,
      taskArn,
      clusterArn: d.clusterArn,
      reasonCode: finish.reasonCode,
      message: finish.message,
    });
  }
  await store.completeTask(taskArn, outcome, now);
  await logEvent(event, DECISION_BY_OUTCOME[outcome], finish.reasonCode, deps);
  metricFor(outcome, finish.reasonCode, metrics);
  log.info('failure handled', {
    taskArn,
    rootTaskArn,
    outcome,
    reasonCode: finish.reasonCode,
    attempt: finish.attempt,
    newTaskArn: finish.newTaskArn,
  });
  return {
    action: ACTION_BY_OUTCOME[outcome],
    outcome,
    reasonCode: finish.reasonCode,
    message: finish.message,
    taskArn,
    rootTaskArn,
    attempt: finish.attempt,
    newTaskArn: finish.newTaskArn,
  };
}

function metricFor(outcome: Outcome, reasonCode: ReasonCode, metrics: MetricsSink): void {
  switch (outcome) {
    case 'RELAUNCHED':
      metrics.count('Relaunched');
      break;
    case 'SKIPPED':
      metrics.count('Skipped', 1, { reason: reasonCode });
      break;
    case 'GAVE_UP':
      metrics.count('GaveUp', 1, { reason: reasonCode });
      break;
    case 'FAILED':
      metrics.count('Failed', 1, { reason: reasonCode });
      break;
    case 'UNRESOLVED':
      metrics.count('Unresolved', 1, { reason: reasonCode });
      break;
    case 'DRY_RUN':
      metrics.count('DryRun');
      break;
  }
}

function newChain(
  event: TaskStateChangeEvent,
  rootTaskArn: string,
  now: string,
  policy: RemediatorPolicy,
  nowMs: number,
): ChainSummaryItem {
  const d = event.detail;
  const clusterName = clusterNameOf(d.clusterArn);
  return {
    pk: PK.chain(rootTaskArn),
    sk: 'SUMMARY',
    type: 'CHAIN',
    rootTaskArn,
    clusterArn: d.clusterArn,
    clusterName,
    family: familyOf(d.taskDefinitionArn),
    taskDefinitionArn: d.taskDefinitionArn,
    startedBy: d.startedBy,
    group: d.group,
    outcome: 'SKIPPED',
    finalStatus: 'SKIPPED',
    reasonCode: 'UNKNOWN_REASON',
    reasonMessage: '',
    firstStoppedReason: d.stoppedReason ?? '',
    lastStoppedReason: d.stoppedReason ?? '',
    attempts: 0,
    newTaskArns: [],
    failedTaskArns: [],
    failedSubnets: [],
    failedAvailabilityZones: [],
    rootStoppedAt: Number.isNaN(stoppedAtMs(event)) ? now : new Date(stoppedAtMs(event)).toISOString(),
    createdAt: now,
    updatedAt: now,
    gsi1pk: GSI_KEYS.cluster(clusterName),
    gsi1sk: GSI_KEYS.clusterSort(now, rootTaskArn),
    gsi2pk: GSI_KEYS.outcomeDay('SKIPPED', utcDay(now)),
    gsi2sk: GSI_KEYS.outcomeSort(now, rootTaskArn),
    expiresAt: ttlFrom(nowMs, policy.auditRetentionDays * 86_400),
  };
}

function noteFailure(chain: ChainSummaryItem, event: TaskStateChangeEvent, now: string): ChainSummaryItem {
  const d = event.detail;
  const addUnique = (list: string[], value: string | undefined) =>
    value === undefined || list.includes(value) ? list : [...list, value];
  return {
    ...chain,
    lastStoppedReason: d.stoppedReason ?? chain.lastStoppedReason,
    failedTaskArns: addUnique(chain.failedTaskArns, d.taskArn),
    failedSubnets: addUnique(chain.failedSubnets, failedSubnetOf(d)),
    failedAvailabilityZones: addUnique(chain.failedAvailabilityZones, d.availabilityZone),
    updatedAt: now,
  };
}

function withOutcome(chain: ChainSummaryItem, outcome: Outcome, now: string): ChainSummaryItem {
  return {
    ...chain,
    outcome,
    finalStatus: outcome,
    gsi2pk: GSI_KEYS.outcomeDay(outcome, utcDay(now)),
    gsi2sk: GSI_KEYS.outcomeSort(now, chain.rootTaskArn),
  };
}

/** Resolves where the event-less parameters come from, waiting a while for the launch record. */
async function resolveLaunchSource(
  event: TaskStateChangeEvent,
  rootTaskArn: string,
  previous: AttemptItem | undefined,
  deps: RemediatorDeps,
): Promise<{ source?: LaunchSourceData; record?: LaunchRecordItem }> {
  if (previous) {
    return { source: { kind: 'PREVIOUS_ATTEMPT', launch: launchFromPreviousRequest(previous.request) } };
  }
  const { store, clock, policy } = deps;
  const deadline = clock.now() + policy.launchRecordWaitMs;
  // CloudTrail delivers in minutes; the stop event can arrive first.
  for (;;) {
    const record =
      (await store.getLaunchRecord(rootTaskArn)) ?? (await store.getLaunchRecord(event.detail.taskArn));
    if (record) return { source: { kind: 'LAUNCH_RECORD', launch: record.launch }, record };
    if (clock.now() >= deadline) break;
    await clock.sleep(Math.min(policy.launchRecordPollMs, Math.max(0, deadline - clock.now())));
  }
  const clusterName = clusterNameOf(event.detail.clusterArn);
  const defaults = policy.networkDefaults[clusterName] ?? policy.networkDefaults['*'];
  if (defaults) {
    const launch: RecordedLaunch = {
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...defaults.subnets],
          securityGroups: [...defaults.securityGroups],
          assignPublicIp: defaults.assignPublicIp,
        },
      },
    };
    return { source: { kind: 'NETWORK_DEFAULTS', launch } };
  }
  return {};
}

async function relaunch(
  event: TaskStateChangeEvent,
  chain: ChainSummaryItem,
  entry: CatalogEntry,
  deps: RemediatorDeps,
): Promise<Finish> {
  const { store, launcher, clock, policy, log } = deps;
  const d = event.detail;
  const taskArn = d.taskArn;
  const rootTaskArn = chain.rootTaskArn;

  if (entry.class === 'PERMANENT') {
    return {
      outcome: 'GAVE_UP',
      reasonCode: 'PERMANENT_FAILURE',
      message: `${entry.id}: ${entry.description} Relaunching cannot help until a human fixes the cause.`,
    };
  }

  const attempts = await store.getAttempts(rootTaskArn);
  const mine = attempts.filter((a) => a.originalTaskArn === taskArn);
  const launched = mine.find((a) => a.status === 'LAUNCHED');
  if (launched?.newTaskArn) {
    // Re-entered after a crash that happened after the launch: finish the bookkeeping only.
    await ensureReplacementPointer(
      launched.newTaskArn,
      rootTaskArn,
      launched.attempt,
      chain.expiresAt,
      store,
    );
    Object.assign(chain, addLaunch(chain, launched.newTaskArn, launched.attempt));
    return {
      outcome: 'RELAUNCHED',
      reasonCode: 'RELAUNCHED',
      message: 'relaunched',
      newTaskArn: launched.newTaskArn,
      attempt: launched.attempt,
    };
  }

  if (isTooLate(event, clock.now(), policy)) {
    return {
      outcome: 'GAVE_UP',
      reasonCode: 'TOO_LATE',
      message: `the failure is older than the lateness limit (${Math.round(policy.latenessLimitMs / 60_000)} min); redrive it by hand if the job is still wanted`,
    };
  }

  if (policy.verifyWithDescribe) {
    const described = await launcher.describeTask(d.clusterArn, taskArn);
    if (described && (described.startedAt || described.containerExitCodes.length > 0)) {
      return {
        outcome: 'SKIPPED',
        reasonCode: 'TASK_STARTED',
        message: 'DescribeTasks shows the task started; it is not relaunched',
      };
    }
  }

  const pending = mine.find((a) => a.status === 'PENDING');
  let attempt = pending ? pending.attempt : attempts.length + 1;
  let lastFailure = '';
  while (attempt <= policy.maxAttempts) {
    const previous = [...attempts].reverse().find((a) => a.attempt < attempt);
    const { source, record } = await resolveLaunchSource(event, rootTaskArn, previous, deps);
    if (!source) {
      return {
        outcome: 'UNRESOLVED',
        reasonCode: 'NO_LAUNCH_RECORD',
        message:
          'no launch record for this task (is a CloudTrail trail logging management events in this region?) ' +
          'and no network defaults for this cluster; nothing was launched. Redrive with `eni-remediator redrive` once the parameters are known',
        attempt,
      };
    }
    if (record && optedOut(record.launch.tags, policy.optOutTagKey)) {
      return {
        outcome: 'SKIPPED',
        reasonCode: 'OPTED_OUT',
        message: `the task carries the opt-out tag ${policy.optOutTagKey}`,
      };
    }

    const built = buildRunTaskRequest({
      detail: d,
      source,
      rootTaskArn,
      attempt,
      failureClass: entry.class,
      excludedSubnets: entry.class === 'SUBNET_CAPACITY' ? chain.failedSubnets : [],
    });
    if (built.kind === 'unresolved') {
      const outcome: Outcome = built.reasonCode === 'NO_OTHER_SUBNET' ? 'GAVE_UP' : 'UNRESOLVED';
      return { outcome, reasonCode: built.reasonCode, message: built.message, attempt };
    }
    if (built.kind === 'invalid') {
      return { outcome: 'FAILED', reasonCode: built.reasonCode, message: built.message, attempt };
    }

    const delayMs = pending && pending.attempt === attempt ? 0 : backoffDelayMs(attempt, policy, deps.random);
    const item: AttemptItem = {
      pk: PK.chain(rootTaskArn),
      sk: SK.attempt(attempt),
      type: 'ATTEMPT',
      rootTaskArn,
      originalTaskArn: taskArn,
      attempt,
      clientToken: built.request.clientToken,
      status: policy.dryRun ? 'DRY_RUN' : 'PENDING',
      launchSource: source.kind,
      request: redactRequest(built.request),
      newTaskArn: null,
      requestedAt: new Date(clock.now()).toISOString(),
      delayMs,
      expiresAt: chain.expiresAt,
    };
    if (built.notes.length > 0)
      log.info('request notes', { taskArn, rootTaskArn, attempt, notes: built.notes });

    if (policy.dryRun) {
      await store.putAttempt({ ...item, completedAt: item.requestedAt });
      return {
        outcome: 'DRY_RUN',
        reasonCode: 'DRY_RUN',
        message: 'dry run: the request was recorded, not sent',
        attempt,
      };
    }

    if (delayMs > 0) await clock.sleep(delayMs);
    // A re-sent PENDING attempt was counted when first sent (ECS may already have started it).
    const resend = pending?.attempt === attempt;
    const windowStart = Math.floor(clock.now() / policy.stormWindowMs) * policy.stormWindowMs;
    const allowed =
      resend ||
      (await store.takeStormToken(
        policy.accountId ?? 'default',
        new Date(windowStart).toISOString(),
        policy.stormLimit,
        ttlFrom(windowStart, (policy.stormWindowMs / 1000) * 2),
      ));
    if (!allowed) {
      return {
        outcome: 'GAVE_UP',
        reasonCode: 'STORM_LIMIT',
        message: `more than ${policy.stormLimit} relaunches in ${policy.stormWindowMs / 60_000} min: an incident is under way; redrive after it`,
        attempt,
      };
    }

    const sent = await sendAttempt(item, built.request, event.detail, chain, deps);
    if (sent.kind === 'launched') {
      chain.recoveryLatencyMs ??= clock.now() - Date.parse(chain.rootStoppedAt);
      return {
        outcome: 'RELAUNCHED',
        reasonCode: 'RELAUNCHED',
        message: `relaunched as ${sent.newTaskArn}`,
        newTaskArn: sent.newTaskArn,
        attempt,
      };
    }
    if (sent.kind === 'rejected') {
      return { outcome: 'FAILED', reasonCode: sent.reasonCode, message: sent.message, attempt };
    }
    lastFailure = sent.failureReason;
    attempts.push({ ...item, status: 'LAUNCH_FAILED' });
    attempt += 1;
  }
  return {
    outcome: 'GAVE_UP',
    reasonCode: 'MAX_ATTEMPTS_REACHED',
    message: `${policy.maxAttempts} relaunch attempts used${lastFailure ? ` (last: ${lastFailure})` : ''}; the job did not run`,
    attempt: policy.maxAttempts,
  };
}

type SendResult =
  | { readonly kind: 'launched'; readonly newTaskArn: string }
  | { readonly kind: 'launch-failed'; readonly failureReason: string }
  | { readonly kind: 'rejected'; readonly reasonCode: ReasonCode; readonly message: string };

/**
 * Sends one attempt's RunTask and records its result on the attempt item, the replacement's
 * pointer and the chain. Throttling, 5xx and network errors are rethrown with the attempt left
 * PENDING: the retried invocation re-sends the same token, so ECS cannot start a second task.
 */
async function sendAttempt(
  item: AttemptItem,
  request: RunTaskRequest,
  failed: TaskDetail,
  chain: ChainSummaryItem,
  deps: RemediatorDeps,
): Promise<SendResult> {
  const { store, launcher, clock, metrics, log } = deps;
  const { rootTaskArn, attempt } = item;
  const done = () => new Date(clock.now()).toISOString();
  const launched = async (newTaskArn: string, extra: Partial<AttemptItem>): Promise<SendResult> => {
    await store.putAttempt({ ...item, ...extra, status: 'LAUNCHED', newTaskArn, completedAt: done() });
    await ensureReplacementPointer(newTaskArn, rootTaskArn, attempt, chain.expiresAt, store);
    Object.assign(chain, addLaunch(chain, newTaskArn, attempt));
    try {
      await deps.publisher.taskRelaunched({
        oldTaskArn: item.originalTaskArn,
        newTaskArn,
        rootTaskArn,
        attempt,
        clusterArn: failed.clusterArn,
        taskDefinitionArn: failed.taskDefinitionArn,
        startedBy: typeof request.startedBy === 'string' ? request.startedBy : undefined,
        group: typeof request.group === 'string' ? request.group : undefined,
      });
    } catch (err) {
      // The relaunch happened and is recorded; a lost notification must not undo or repeat it.
      metrics.count('PublishFailed');
      log.error('TaskRelaunched not published', { rootTaskArn, newTaskArn, error: String(err) });
    }
    return { kind: 'launched', newTaskArn };
  };

  await store.putAttempt(item);
  const startedAt = clock.now();
  try {
    const result = await launcher.runTask(request);
    metrics.timing('RunTaskLatency', clock.now() - startedAt);
    if (result.taskArn) {
      const stopped = Date.parse(failed.stoppedAt ?? failed.stoppingAt ?? failed.updatedAt ?? '');
      const latencyMs = Number.isNaN(stopped) ? undefined : clock.now() - stopped;
      if (latencyMs !== undefined) metrics.timing('RelaunchLatency', latencyMs);
      return launched(result.taskArn, { runTaskApiCalls: result.apiCalls, latencyMs });
    }
    const failureReason =
      result.failures.map((f) => f.reason ?? 'unknown').join('; ') || 'RunTask returned no task';
    await store.putAttempt({
      ...item,
      status: 'LAUNCH_FAILED',
      failureReason,
      runTaskApiCalls: result.apiCalls,
      completedAt: done(),
    });
    Object.assign(chain, { attempts: Math.max(chain.attempts, attempt) });
    metrics.count('LaunchFailed');
    log.warn('relaunch returned failures', { rootTaskArn, attempt, failureReason });
    return { kind: 'launch-failed', failureReason };
  } catch (err) {
    if (err instanceof ConflictingTokenError && err.boundTaskArns.length > 0) {
      // The token is ours, so the task bound to it is this attempt's replacement.
      return launched(err.boundTaskArns[0] as string, {});
    }
    if (err instanceof LaunchRejectedError || err instanceof ConflictingTokenError) {
      const errorName = err instanceof LaunchRejectedError ? err.errorName : 'ConflictException';
      await store.putAttempt({
        ...item,
        status: 'ERROR',
        errorName,
        errorMessage: err.message,
        failureReason: err.message,
        runTaskApiCalls: err instanceof LaunchRejectedError ? err.apiCalls : undefined,
        completedAt: done(),
      });
      Object.assign(chain, { attempts: Math.max(chain.attempts, attempt) });
      return {
        kind: 'rejected',
        reasonCode: err instanceof LaunchRejectedError ? 'RUN_TASK_REJECTED' : 'CONFLICTING_TOKEN',
        message: `RunTask refused the relaunch: ${errorName}: ${err.message}. Fix the cause, then redrive`,
      };
    }
    throw err;
  }
}

function addLaunch(chain: ChainSummaryItem, newTaskArn: string, attempt: number): Partial<ChainSummaryItem> {
  return {
    attempts: Math.max(chain.attempts, attempt),
    newTaskArns: chain.newTaskArns.includes(newTaskArn)
      ? chain.newTaskArns
      : [...chain.newTaskArns, newTaskArn],
  };
}

async function ensureReplacementPointer(
  newTaskArn: string,
  rootTaskArn: string,
  attempt: number,
  expiresAt: number,
  store: AuditStore,
): Promise<void> {
  await store.putPointer({
    pk: PK.task(newTaskArn),
    sk: 'POINTER',
    type: 'POINTER',
    taskArn: newTaskArn,
    rootTaskArn,
    attempt,
    expiresAt,
  });
}

async function logEvent(
  event: TaskStateChangeEvent,
  decision: string,
  reasonCode: ReasonCode,
  deps: RemediatorDeps,
): Promise<void> {
  const now = deps.clock.now();
  const receivedAt = new Date(now).toISOString();
  await deps.store.putEventLog({
    pk: PK.task(event.detail.taskArn),
    sk: SK.event(event.detail.version, event.id, receivedAt),
    type: 'EVENT',
    taskArn: event.detail.taskArn,
    eventId: event.id,
    detailVersion: event.detail.version,
    lastStatus: event.detail.lastStatus,
    decision,
    reasonCode,
    receivedAt,
    expiresAt: ttlFrom(now, deps.policy.auditRetentionDays * 86_400),
  });
}

/** A short excerpt of a raw event with every environment value removed. */
export function safeExcerpt(raw: unknown, max = 2000): string {
  let text: string;
  try {
    text = JSON.stringify(raw, (key, value) => (key === 'environment' ? '[removed]' : value)) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

async function recordRejected(
  raw: unknown,
  reasonCode: ReasonCode,
  message: string,
  deps: RemediatorDeps,
  eventId?: string,
): Promise<void> {
  const now = deps.clock.now();
  const iso = new Date(now).toISOString();
  const id =
    eventId ??
    (typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? (raw as { id: string }).id
      : undefined);
  const digest = createHash('sha256').update(safeExcerpt(raw, 100_000)).digest('hex').slice(0, 16);
  await deps.store.putRejected({
    pk: PK.rejected(utcDay(now)),
    sk: `${iso}#${id ?? digest}`,
    type: 'REJECTED',
    eventId: id,
    reasonCode,
    reasonMessage: message,
    excerpt: safeExcerpt(raw),
    receivedAt: iso,
    gsi2pk: GSI_KEYS.outcomeDay('SKIPPED', utcDay(now)),
    gsi2sk: GSI_KEYS.outcomeSort(iso, id ?? digest),
    expiresAt: ttlFrom(now, deps.policy.auditRetentionDays * 86_400),
  });
}

/** Who asked for a redrive and of what. */
export interface RedriveRequest {
  readonly taskArn: string;
  /** Operator identity (caller ARN or user name), recorded on the chain. */
  readonly by: string;
  /** Record what would be sent, send nothing. */
  readonly dryRun?: boolean;
}

export interface RedriveResult {
  readonly outcome: 'RELAUNCHED' | 'DRY_RUN' | 'REFUSED' | 'FAILED';
  readonly message: string;
  readonly rootTaskArn?: string;
  readonly attempt?: number;
  readonly newTaskArn?: string;
  readonly request?: Record<string, unknown>;
}

const REDRIVABLE: readonly Outcome[] = ['GAVE_UP', 'UNRESOLVED', 'FAILED'];

/**
 * Relaunches a chain that gave up, failed or could not be resolved, on an operator's request
 * (after an incident, or once the launch parameters are known). One more attempt beyond the
 * budget, recorded with who asked. The stopped task must still be describable: ECS keeps stopped
 * tasks for about an hour, and its overrides (environment values included) exist only there.
 */
export async function redriveChain(req: RedriveRequest, deps: RemediatorDeps): Promise<RedriveResult> {
  const { store, launcher, clock } = deps;
  const pointer = await store.getPointer(req.taskArn);
  if (!pointer)
    return { outcome: 'REFUSED', message: `no audit record for ${req.taskArn}: check the region and table` };
  const rootTaskArn = pointer.rootTaskArn;
  const chain = await store.getChain(rootTaskArn);
  if (!chain)
    return { outcome: 'REFUSED', rootTaskArn, message: `the chain of ${rootTaskArn} has no summary yet` };
  if (!REDRIVABLE.includes(chain.outcome)) {
    return {
      outcome: 'REFUSED',
      rootTaskArn,
      message: `the chain is ${chain.outcome}; only ${REDRIVABLE.join(', ')} chains can be redriven`,
    };
  }
  const lastFailed = chain.failedTaskArns[chain.failedTaskArns.length - 1] ?? rootTaskArn;
  const described = await launcher.describeTask(chain.clusterArn, lastFailed);
  if (!described?.detail) {
    return {
      outcome: 'REFUSED',
      rootTaskArn,
      message: `ECS no longer describes ${lastFailed} (stopped tasks are kept about an hour), so its overrides are gone; relaunch it from its launcher`,
    };
  }
  let detail: TaskDetail;
  try {
    const { region, account } = arnAccountRegion(lastFailed);
    detail = parseTaskStateChange({
      id: `redrive-${clock.now()}`,
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account,
      region,
      time: new Date(clock.now()).toISOString(),
      detail: described.detail,
    }).detail;
  } catch (err) {
    return { outcome: 'REFUSED', rootTaskArn, message: `DescribeTasks answer unusable: ${String(err)}` };
  }
  if (detail.startedAt || described.containerExitCodes.length > 0) {
    return { outcome: 'REFUSED', rootTaskArn, message: `${lastFailed} started; it is not relaunched` };
  }

  const attempts = await store.getAttempts(rootTaskArn);
  // A redrive retried after a throttle or timeout re-sends its PENDING attempt (same token).
  const pending = attempts.find((a) => a.status === 'PENDING' && a.originalTaskArn === lastFailed);
  const attempt = pending?.attempt ?? attempts.reduce((max, a) => Math.max(max, a.attempt), 0) + 1;
  const previous = [...attempts]
    .reverse()
    .find((a) => a.attempt < attempt && Object.keys(a.request).length > 0);
  const event = { detail } as TaskStateChangeEvent;
  const { source } = await resolveLaunchSource(event, rootTaskArn, previous, {
    ...deps,
    policy: { ...deps.policy, launchRecordWaitMs: 0 },
  });
  if (!source) {
    return {
      outcome: 'REFUSED',
      rootTaskArn,
      message:
        'the launch parameters are still unknown: no previous request, launch record or network defaults',
    };
  }
  const built = buildRunTaskRequest({
    detail,
    source,
    rootTaskArn,
    attempt,
    // A human decided the cause is gone: relaunch as is.
    failureClass: chain.failureClass === 'SUBNET_CAPACITY' ? 'SUBNET_CAPACITY' : 'TRANSIENT',
    excludedSubnets: chain.failureClass === 'SUBNET_CAPACITY' ? chain.failedSubnets : [],
  });
  if (built.kind !== 'ok') return { outcome: 'REFUSED', rootTaskArn, message: built.message };

  const now = new Date(clock.now()).toISOString();
  const item: AttemptItem = {
    pk: PK.chain(rootTaskArn),
    sk: SK.attempt(attempt),
    type: 'ATTEMPT',
    rootTaskArn,
    originalTaskArn: lastFailed,
    attempt,
    clientToken: built.request.clientToken,
    status: req.dryRun ? 'DRY_RUN' : 'PENDING',
    launchSource: source.kind,
    request: redactRequest(built.request),
    newTaskArn: null,
    requestedAt: now,
    delayMs: 0,
    expiresAt: chain.expiresAt,
  };
  if (req.dryRun) {
    return {
      outcome: 'DRY_RUN',
      rootTaskArn,
      attempt,
      request: item.request,
      message: 'dry run: nothing was sent',
    };
  }
  const sent = await sendAttempt(item, built.request, detail, chain, deps);
  const updated: ChainSummaryItem = {
    ...chain,
    redrivenBy: req.by,
    updatedAt: new Date(clock.now()).toISOString(),
  };
  if (sent.kind === 'launched') {
    await store.putChain(
      withOutcome(
        {
          ...updated,
          reasonCode: 'REDRIVEN',
          reasonMessage: `redriven by ${req.by}: relaunched as ${sent.newTaskArn}`,
        },
        'RELAUNCHED',
        updated.updatedAt,
      ),
    );
    deps.metrics.count('Redriven');
    return {
      outcome: 'RELAUNCHED',
      rootTaskArn,
      attempt,
      newTaskArn: sent.newTaskArn,
      message: 'relaunched',
      request: item.request,
    };
  }
  const message =
    sent.kind === 'rejected' ? sent.message : `RunTask returned failures: ${sent.failureReason}`;
  await store.putChain({ ...updated, reasonMessage: `redrive by ${req.by} failed: ${message}` });
  return { outcome: 'FAILED', rootTaskArn, attempt, message, request: item.request };
}
