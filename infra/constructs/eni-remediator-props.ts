/**
 * The public settings of the EniRemediator construct, their validation, and their rendering
 * into the environment the functions parse (functions/shared/config.ts).
 *
 * Defaults come from the runtime's own DEFAULT_POLICY so the deployed configuration and the
 * functions' fallbacks cannot drift apart.
 */
import { Duration, Token } from 'aws-cdk-lib';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { DEFAULT_POLICY } from '../../functions/core/policy';
import { ENV, type EnvName } from '../../functions/shared/env-names';

/** Network parameters used when no launch record exists for a task of the cluster. */
export interface NetworkDefaultsEntry {
  /** Subnet ids (`subnet-...`), at least one. */
  readonly subnets: readonly string[];
  /** Security group ids (`sg-...`), at least one: ECS would otherwise silently use the VPC default group. */
  readonly securityGroups: readonly string[];
  /**
   * Whether the relaunched task gets a public IP.
   * @default 'DISABLED'
   */
  readonly assignPublicIp?: 'ENABLED' | 'DISABLED';
}

/** Exponential backoff with full jitter between relaunch attempts after the first. */
export interface BackoffSettings {
  /**
   * Base of the exponentially growing jitter window.
   * @default 20000
   */
  readonly baseMs?: number;
  /**
   * Floor added to every delay.
   * @default 10000
   */
  readonly minMs?: number;
  /**
   * Cap of the jitter window.
   * @default 60000
   */
  readonly maxMs?: number;
}

/** Properties of {@link EniRemediator}. */
export interface EniRemediatorProps {
  /**
   * Only tasks in these clusters (names, not ARNs) are relaunched. Also adds an
   * `ArnEquals ecs:cluster` condition to ecs:RunTask and ecs:DescribeTasks.
   * @default - every cluster of the account and region
   */
  readonly clusterAllowList?: readonly string[];
  /**
   * Tasks in these clusters (names) are never relaunched.
   * @default - none
   */
  readonly clusterDenyList?: readonly string[];
  /**
   * Only tasks of these task definition families are relaunched. Also narrows the ecs:RunTask
   * resources to `task-definition/<family>:*`.
   * @default - every family
   */
  readonly familyAllowList?: readonly string[];
  /**
   * Tasks of these families are never relaunched.
   * @default - none
   */
  readonly familyDenyList?: readonly string[];
  /**
   * Relaunches per root task, at most.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Backoff between relaunch attempts after the first.
   * @default { baseMs: 20000, minMs: 10000, maxMs: 60000 }
   */
  readonly backoff?: BackoffSettings;
  /**
   * Failures older than this are recorded but not relaunched. Also the maximum event age of both
   * rule targets and of both functions' asynchronous invocations (capped at Lambda's 6 hours).
   * @default Duration.minutes(30)
   */
  readonly latenessLimit?: Duration;
  /**
   * Record exactly what would be sent to RunTask, and send nothing.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Network configuration per cluster name (or `*` for every cluster) used when the launch
   * record of a task is missing (no CloudTrail trail, or the record expired).
   * @default - none: such relaunches end UNRESOLVED with an alert
   */
  readonly networkDefaults?: Readonly<Record<string, NetworkDefaultsEntry>>;
  /**
   * Tasks started by Step Functions: `skip` (the state machine owns its retries) or `relaunch`.
   * @default 'skip'
   */
  readonly stepFunctionsPolicy?: 'skip' | 'relaunch';
  /**
   * How long chain and attempt items stay in the audit table (DynamoDB TTL).
   * @default Duration.days(90)
   */
  readonly auditRetention?: Duration;
  /**
   * How long the remediator waits for the launch recorder's record of a task.
   * @default Duration.minutes(2)
   */
  readonly launchRecordWait?: Duration;
  /**
   * How long launch records stay in the table; whole hours, at least the lateness limit.
   * @default Duration.hours(48)
   */
  readonly launchRecordTtl?: Duration;
  /**
   * Reserved concurrency of the remediator function; bounds the RunTask burst of an AZ incident.
   * @default 10
   */
  readonly reservedConcurrency?: number;
  /**
   * Reserved concurrency of the launch recorder function.
   * @default 10
   */
  readonly launchRecorderReservedConcurrency?: number;
  /**
   * Account-wide relaunches per storm window; beyond it, failures are recorded and alerted.
   * @default 100
   */
  readonly stormLimit?: number;
  /**
   * Length of the storm guard's window.
   * @default Duration.minutes(5)
   */
  readonly stormWindow?: Duration;
  /**
   * Existing topic for give-ups, failures, unresolved launches and alarms. The caller owns its
   * encryption and key policy (CloudWatch and the remediator must be able to use its key).
   * @default - a new KMS-encrypted topic
   */
  readonly alertTopic?: ITopic;
  /**
   * E-mail address subscribed to the topic the construct creates (not allowed with alertTopic).
   * @default - no subscription
   */
  readonly alertEmail?: string;
  /**
   * Roles the relaunched tasks use (task roles and execution roles); iam:PassRole is granted
   * on these only, conditioned on `iam:PassedToService = ecs-tasks.amazonaws.com`.
   * @default - every role of this account (`arn:aws:iam::<account>:role/*`), with the same condition
   */
  readonly passRoleArns?: readonly string[];
  /**
   * Name of the bus that receives `TaskRelaunched` events.
   * @default 'default'
   */
  readonly eventBusName?: string;
  /**
   * CloudWatch namespace of the Powertools metrics (and of the metric alarms).
   * @default 'EniRemediator'
   */
  readonly metricsNamespace?: string;
  /**
   * Tag key that opts a task out of relaunches (value true/yes/1).
   * @default 'eni-remediator:opt-out'
   */
  readonly optOutTagKey?: string;
  /**
   * Confirm with DescribeTasks that a replacement exists before recording it.
   * @default true
   */
  readonly verifyWithDescribe?: boolean;
  /**
   * Retention of the functions' log groups, in days (a value CloudWatch Logs accepts).
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * Handler entry files; for wrappers that build the functions from another checkout.
   * @default - functions/remediator/handler.ts and functions/launch-recorder/handler.ts of this package
   */
  readonly handlerEntries?: { readonly remediator: string; readonly launchRecorder: string };
}

/** A props value that cannot be deployed; the message names the value and the fix. */
export class EniRemediatorPropsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EniRemediatorPropsError';
  }
}

/** Props with defaults applied and validated; durations in the units the functions read. */
export interface ResolvedSettings {
  readonly clusterAllowList: readonly string[];
  readonly clusterDenyList: readonly string[];
  readonly familyAllowList: readonly string[];
  readonly familyDenyList: readonly string[];
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  readonly latenessLimitSeconds: number;
  readonly dryRun: boolean;
  readonly networkDefaults: Readonly<Record<string, Required<NetworkDefaultsEntry>>>;
  readonly stepFunctionsPolicy: 'skip' | 'relaunch';
  readonly auditRetentionDays: number;
  readonly launchRecordWaitMs: number;
  readonly launchRecordTtlHours: number;
  readonly reservedConcurrency: number;
  readonly launchRecorderReservedConcurrency: number;
  readonly stormLimit: number;
  readonly stormWindowSeconds: number;
  readonly passRoleArns: readonly string[] | undefined;
  readonly eventBusName: string;
  readonly metricsNamespace: string;
  readonly optOutTagKey: string;
  readonly verifyWithDescribe: boolean;
  readonly logRetentionDays: number;
  /** Remediator timeout: the longest in-function wait plus {@link API_HEADROOM_SECONDS}. */
  readonly remediatorTimeoutSeconds: number;
}

/** Time allowed for the remediator's API calls (SDK retries included) on top of its waits. */
export const API_HEADROOM_SECONDS = 30;
/** Lambda's maximum timeout. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/*-]+$/;
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const BUS_NAME_PATTERN = /^[/.\-_A-Za-z0-9]{1,256}$/;
const NAMESPACE_PATTERN = /^[^:][^:]{0,254}$/;

function fail(message: string): never {
  throw new EniRemediatorPropsError(message);
}

function integerAtLeast(name: string, value: number, min: number, hint: string): number {
  if (!Number.isInteger(value) || value < min) {
    fail(`${name} must be an integer >= ${min}, got ${String(value)}; ${hint}`);
  }
  return value;
}

function nameList(name: string, values: readonly string[] | undefined, what: string): readonly string[] {
  const list = [...(values ?? [])];
  for (const value of list) {
    if (Token.isUnresolved(value))
      fail(`${name} must be plain ${what} names known at synth time, got a token`);
    if (value.startsWith('arn:')) {
      fail(`${name} takes ${what} names, got the ARN '${value}'; use the part after the last '/'`);
    }
    if (!NAME_PATTERN.test(value)) {
      fail(`${name} entry '${value}' is not a valid ${what} name (letters, digits, '-' and '_', 1-255)`);
    }
  }
  if (new Set(list).size !== list.length) fail(`${name} lists a ${what} twice: ${list.join(', ')}`);
  return Object.freeze(list);
}

function wholeUnits(name: string, value: Duration, unit: 'seconds' | 'hours' | 'days', min: number): number {
  if (value.isUnresolved()) fail(`${name} must be known at synth time, got a token`);
  const amount =
    unit === 'seconds'
      ? value.toSeconds({ integral: false })
      : unit === 'hours'
        ? value.toHours({ integral: false })
        : value.toDays({ integral: false });
  if (!Number.isInteger(amount) || amount < min) {
    fail(`${name} must be a whole number of ${unit} >= ${min}, got ${value.toHumanString()}`);
  }
  return amount;
}

function resolveNetworkDefaults(
  value: Readonly<Record<string, NetworkDefaultsEntry>> | undefined,
): Readonly<Record<string, Required<NetworkDefaultsEntry>>> {
  const out: Record<string, Required<NetworkDefaultsEntry>> = {};
  for (const [cluster, entry] of Object.entries(value ?? {})) {
    const where = `networkDefaults['${cluster}']`;
    if (cluster !== '*' && !NAME_PATTERN.test(cluster)) {
      fail(`networkDefaults key '${cluster}' must be a cluster name or '*'`);
    }
    if (entry.subnets.length === 0) fail(`${where}.subnets is empty; list at least one subnet id`);
    if (entry.securityGroups.length === 0) {
      fail(
        `${where}.securityGroups is empty; list at least one security group id (ECS would use the VPC default)`,
      );
    }
    for (const subnet of entry.subnets) {
      if (!Token.isUnresolved(subnet) && !/^subnet-[0-9a-f]+$/.test(subnet)) {
        fail(`${where}.subnets entry '${subnet}' is not a subnet id (subnet-0123abcd...)`);
      }
    }
    for (const group of entry.securityGroups) {
      if (!Token.isUnresolved(group) && !/^sg-[0-9a-f]+$/.test(group)) {
        fail(`${where}.securityGroups entry '${group}' is not a security group id (sg-0123abcd...)`);
      }
    }
    const assignPublicIp = entry.assignPublicIp ?? 'DISABLED';
    if (assignPublicIp !== 'ENABLED' && assignPublicIp !== 'DISABLED') {
      fail(`${where}.assignPublicIp must be 'ENABLED' or 'DISABLED', got '${String(assignPublicIp)}'`);
    }
    out[cluster] = Object.freeze({
      subnets: Object.freeze([...entry.subnets]),
      securityGroups: Object.freeze([...entry.securityGroups]),
      assignPublicIp,
    });
  }
  return Object.freeze(out);
}

/** Applies defaults and validates; throws {@link EniRemediatorPropsError} naming the bad value and the fix. */
export function resolveSettings(props: EniRemediatorProps): ResolvedSettings {
  const d = DEFAULT_POLICY;
  const maxAttempts = integerAtLeast(
    'maxAttempts',
    props.maxAttempts ?? d.maxAttempts,
    1,
    'use 1 or more (3 is the default)',
  );
  if (maxAttempts > 10)
    fail(`maxAttempts must be at most 10, got ${maxAttempts}; a task failing 10 times needs a human`);
  const backoffBaseMs = integerAtLeast(
    'backoff.baseMs',
    props.backoff?.baseMs ?? d.backoffBaseMs,
    1,
    'e.g. 20000',
  );
  const backoffMinMs = integerAtLeast(
    'backoff.minMs',
    props.backoff?.minMs ?? d.backoffMinMs,
    0,
    'e.g. 10000',
  );
  const backoffMaxMs = integerAtLeast(
    'backoff.maxMs',
    props.backoff?.maxMs ?? d.backoffMaxMs,
    1,
    'e.g. 60000',
  );
  if (backoffMaxMs < backoffBaseMs) {
    fail(
      `backoff.maxMs (${backoffMaxMs}) is below backoff.baseMs (${backoffBaseMs}); raise maxMs or lower baseMs`,
    );
  }
  const latenessLimitSeconds = wholeUnits(
    'latenessLimit',
    props.latenessLimit ?? Duration.millis(d.latenessLimitMs),
    'seconds',
    60,
  );
  if (latenessLimitSeconds > 24 * 3600) {
    fail(
      `latenessLimit must be at most 24 hours (EventBridge's maximum event age), got ${latenessLimitSeconds} s`,
    );
  }
  const launchRecordWaitMs = (
    props.launchRecordWait ?? Duration.millis(d.launchRecordWaitMs)
  ).toMilliseconds();
  integerAtLeast('launchRecordWait (ms)', launchRecordWaitMs, 0, 'use e.g. Duration.minutes(2)');
  const launchRecordTtlHours = wholeUnits(
    'launchRecordTtl',
    props.launchRecordTtl ?? Duration.hours(d.launchRecordTtlHours),
    'hours',
    1,
  );
  if (launchRecordTtlHours * 3600 < latenessLimitSeconds) {
    fail(
      `launchRecordTtl (${launchRecordTtlHours} h) is shorter than latenessLimit (${latenessLimitSeconds} s); ` +
        'launch records must outlive the lateness limit, raise launchRecordTtl',
    );
  }
  const auditRetentionDays = wholeUnits(
    'auditRetention',
    props.auditRetention ?? Duration.days(d.auditRetentionDays),
    'days',
    1,
  );
  if (auditRetentionDays > 3650) fail(`auditRetention must be at most 3650 days, got ${auditRetentionDays}`);
  const stormWindowSeconds = wholeUnits(
    'stormWindow',
    props.stormWindow ?? Duration.millis(d.stormWindowMs),
    'seconds',
    1,
  );
  const stormLimit = integerAtLeast('stormLimit', props.stormLimit ?? d.stormLimit, 1, 'e.g. 100');
  const reservedConcurrency = integerAtLeast(
    'reservedConcurrency',
    props.reservedConcurrency ?? 10,
    1,
    'use 1 or more (0 would disable the remediator)',
  );
  const launchRecorderReservedConcurrency = integerAtLeast(
    'launchRecorderReservedConcurrency',
    props.launchRecorderReservedConcurrency ?? 10,
    1,
    'use 1 or more (0 would disable the launch recorder)',
  );
  const stepFunctionsPolicy = props.stepFunctionsPolicy ?? d.stepFunctionsPolicy;
  if (stepFunctionsPolicy !== 'skip' && stepFunctionsPolicy !== 'relaunch') {
    fail(`stepFunctionsPolicy must be 'skip' or 'relaunch', got '${String(stepFunctionsPolicy)}'`);
  }
  const passRoleArns = props.passRoleArns === undefined ? undefined : [...props.passRoleArns];
  if (passRoleArns !== undefined) {
    if (passRoleArns.length === 0)
      fail('passRoleArns is empty; omit it for the default or list the task roles');
    for (const arn of passRoleArns) {
      if (!Token.isUnresolved(arn) && !ROLE_ARN_PATTERN.test(arn)) {
        fail(`passRoleArns entry '${arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
      }
    }
  }
  if (props.alertTopic !== undefined && props.alertEmail !== undefined) {
    fail('alertEmail cannot be combined with alertTopic; subscribe the address to your own topic instead');
  }
  if (
    props.alertEmail !== undefined &&
    !Token.isUnresolved(props.alertEmail) &&
    !EMAIL_PATTERN.test(props.alertEmail)
  ) {
    fail(`alertEmail '${props.alertEmail}' is not an e-mail address`);
  }
  const eventBusName = props.eventBusName ?? 'default';
  if (
    !Token.isUnresolved(eventBusName) &&
    (eventBusName.startsWith('arn:') || !BUS_NAME_PATTERN.test(eventBusName))
  ) {
    fail(`eventBusName '${eventBusName}' must be an event bus name (not an ARN), e.g. 'default'`);
  }
  const metricsNamespace = props.metricsNamespace ?? 'EniRemediator';
  if (!NAMESPACE_PATTERN.test(metricsNamespace)) {
    fail(
      `metricsNamespace '${metricsNamespace}' is not a CloudWatch namespace (1-255 characters, no ':' first)`,
    );
  }
  const optOutTagKey = props.optOutTagKey ?? d.optOutTagKey;
  if (optOutTagKey.length === 0 || optOutTagKey.length > 128 || optOutTagKey.startsWith('aws:')) {
    fail(`optOutTagKey '${optOutTagKey}' must be a tag key of 1-128 characters not starting with 'aws:'`);
  }
  const logRetentionDays = props.logRetentionDays ?? 30;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    fail(
      `logRetentionDays ${logRetentionDays} is not accepted by CloudWatch Logs; use one of ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }

  // The remediator may sleep before each attempt and wait for the launch record; it must never
  // be killed mid-wait (a timeout looks like a failure and Lambda would retry the invocation).
  const longestWaitMs = launchRecordWaitMs + maxAttempts * (backoffMaxMs + backoffMinMs);
  const remediatorTimeoutSeconds = Math.ceil(longestWaitMs / 1000) + API_HEADROOM_SECONDS;
  if (remediatorTimeoutSeconds > LAMBDA_MAX_TIMEOUT_SECONDS) {
    fail(
      `the remediator would need a ${remediatorTimeoutSeconds} s timeout (launchRecordWait ${launchRecordWaitMs} ms + ` +
        `maxAttempts ${maxAttempts} x (backoff.maxMs ${backoffMaxMs} + backoff.minMs ${backoffMinMs}) + ${API_HEADROOM_SECONDS} s), ` +
        `above Lambda's ${LAMBDA_MAX_TIMEOUT_SECONDS} s; lower backoff.maxMs, maxAttempts or launchRecordWait`,
    );
  }

  return Object.freeze({
    clusterAllowList: nameList('clusterAllowList', props.clusterAllowList, 'cluster'),
    clusterDenyList: nameList('clusterDenyList', props.clusterDenyList, 'cluster'),
    familyAllowList: nameList('familyAllowList', props.familyAllowList, 'task definition family'),
    familyDenyList: nameList('familyDenyList', props.familyDenyList, 'task definition family'),
    maxAttempts,
    backoffBaseMs,
    backoffMinMs,
    backoffMaxMs,
    latenessLimitSeconds,
    dryRun: props.dryRun ?? d.dryRun,
    networkDefaults: resolveNetworkDefaults(props.networkDefaults),
    stepFunctionsPolicy,
    auditRetentionDays,
    launchRecordWaitMs,
    launchRecordTtlHours,
    reservedConcurrency,
    launchRecorderReservedConcurrency,
    stormLimit,
    stormWindowSeconds,
    passRoleArns: passRoleArns === undefined ? undefined : Object.freeze(passRoleArns),
    eventBusName,
    metricsNamespace,
    optOutTagKey,
    verifyWithDescribe: props.verifyWithDescribe ?? d.verifyWithDescribe,
    logRetentionDays,
    remediatorTimeoutSeconds,
  });
}

/** Values only known at deploy time (tokens). */
export interface DeployTimeValues {
  readonly auditTableName: string;
  readonly accountId: string;
  readonly alertTopicArn: string;
  readonly serviceName: string;
}

/** Lambda's limit on the total size of a function's environment variables. */
export const LAMBDA_ENV_MAX_BYTES = 4096;
/** Room kept for the deploy-time values (table name, topic ARN) that are tokens at synth time. */
const TOKEN_ALLOWANCE_BYTES = 512;

/**
 * The environment both functions parse. Every name comes from ENV (functions/shared/env-names.ts);
 * lists are comma-separated, booleans 'true'/'false', numbers integers, NETWORK_DEFAULTS JSON.
 */
export function renderEnvironment(
  settings: ResolvedSettings,
  values: DeployTimeValues,
): Record<EnvName, string> {
  const env: Record<EnvName, string> = {
    [ENV.auditTableName]: values.auditTableName,
    [ENV.accountId]: values.accountId,
    [ENV.maxAttempts]: String(settings.maxAttempts),
    [ENV.backoffBaseMs]: String(settings.backoffBaseMs),
    [ENV.backoffMinMs]: String(settings.backoffMinMs),
    [ENV.backoffMaxMs]: String(settings.backoffMaxMs),
    [ENV.latenessLimitSeconds]: String(settings.latenessLimitSeconds),
    [ENV.launchRecordWaitMs]: String(settings.launchRecordWaitMs),
    [ENV.dryRun]: String(settings.dryRun),
    [ENV.clusterAllow]: settings.clusterAllowList.join(','),
    [ENV.clusterDeny]: settings.clusterDenyList.join(','),
    [ENV.familyAllow]: settings.familyAllowList.join(','),
    [ENV.familyDeny]: settings.familyDenyList.join(','),
    [ENV.stepFunctionsPolicy]: settings.stepFunctionsPolicy,
    [ENV.optOutTagKey]: settings.optOutTagKey,
    [ENV.networkDefaults]: JSON.stringify(settings.networkDefaults),
    [ENV.stormLimit]: String(settings.stormLimit),
    [ENV.stormWindowSeconds]: String(settings.stormWindowSeconds),
    [ENV.alertTopicArn]: values.alertTopicArn,
    [ENV.eventBusName]: settings.eventBusName,
    [ENV.auditRetentionDays]: String(settings.auditRetentionDays),
    [ENV.launchRecordTtlHours]: String(settings.launchRecordTtlHours),
    [ENV.verifyWithDescribe]: String(settings.verifyWithDescribe),
    [ENV.metricsNamespace]: settings.metricsNamespace,
    [ENV.serviceName]: values.serviceName,
  };
  const plainBytes = Object.entries(env).reduce(
    (sum, [key, value]) => sum + key.length + (Token.isUnresolved(value) ? 0 : Buffer.byteLength(value)),
    0,
  );
  if (plainBytes + TOKEN_ALLOWANCE_BYTES > LAMBDA_ENV_MAX_BYTES) {
    fail(
      `the function environment would take about ${plainBytes + TOKEN_ALLOWANCE_BYTES} bytes, above Lambda's ` +
        `${LAMBDA_ENV_MAX_BYTES}; shorten networkDefaults (use '*') or the allow/deny lists`,
    );
  }
  return env;
}
