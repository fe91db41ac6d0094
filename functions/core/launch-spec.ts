/**
 * Builds the relaunch RunTask request by the fidelity rules of ARCHITECTURE.md, and validates
 * it against the RunTask model before anything is sent.
 *
 * What comes from where:
 * - the stopped task (event): cluster, exact task definition revision, overrides (environment
 *   values only exist here: CloudTrail hides them), group, startedBy, enableExecuteCommand;
 * - the launch source (our previous request, the launch record, or configured defaults): the
 *   network configuration, capacity provider strategy or launch type, platform version as sent,
 *   tags, propagateTags, enableECSManagedTags, placement, volume configurations.
 * Nothing is guessed: without security groups or subnets the result is `unresolved`.
 */
import Ajv2020 from 'ajv/dist/2020';
import type { LaunchSource, ReasonCode, RecordedLaunch } from './audit-items';
import type { FailureClass } from './catalog';
import { redactedValue, relaunchClientToken } from './client-token';
import type { RunTaskRequest } from './ports';
import runTaskSchema from './runtask-request.schema.json';
import { failedSubnetOf, type TaskDetail, type TaskOverrides } from './task-event';

export const OVERRIDES_MAX_CHARS = 8192;
const STARTED_BY = /^[A-Za-z0-9/_-]{1,128}$/;

export interface LaunchSourceData {
  readonly kind: LaunchSource;
  readonly launch: RecordedLaunch;
}

export interface BuildInput {
  readonly detail: TaskDetail;
  readonly source: LaunchSourceData;
  readonly rootTaskArn: string;
  readonly attempt: number;
  readonly failureClass: FailureClass;
  /** Subnets that already failed in this chain with a subnet-capacity error. */
  readonly excludedSubnets: readonly string[];
}

export type BuildResult =
  | { readonly kind: 'ok'; readonly request: RunTaskRequest; readonly notes: string[] }
  | { readonly kind: 'unresolved'; readonly reasonCode: ReasonCode; readonly message: string }
  | {
      readonly kind: 'invalid';
      readonly reasonCode: ReasonCode;
      readonly message: string;
      readonly problems: string[];
    };

type ContainerOverride = NonNullable<TaskOverrides['containerOverrides']>[number];

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** Removes empty arrays/objects and keys that are null. */
function compact<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (!isEmpty(v)) out[k] = v;
  }
  return out as Partial<T>;
}

/**
 * Overrides from the stopped task, as RunTask takes them: echo-only container entries
 * (`{ name }` that ECS lists for every container) and the deprecated, always-empty
 * inferenceAcceleratorOverrides are dropped.
 */
export function cleanOverrides(overrides: TaskOverrides | undefined): Record<string, unknown> | undefined {
  if (!overrides) return undefined;
  const { containerOverrides, inferenceAcceleratorOverrides: _ignored, ...taskLevel } = overrides;
  const containers = (containerOverrides ?? [])
    .map((c: ContainerOverride) => compact(c as Record<string, unknown>))
    .filter((c) => Object.keys(c).some((k) => k !== 'name'));
  const result = compact({ ...taskLevel, containerOverrides: containers });
  return isEmpty(result) ? undefined : result;
}

function userTags(tags: RecordedLaunch['tags']): { key: string; value?: string }[] {
  return (tags ?? []).filter((t) => !t.key.toLowerCase().startsWith('aws:'));
}

/** Builds the request for one relaunch attempt. */
export function buildRunTaskRequest(input: BuildInput): BuildResult {
  const { detail, source, attempt, rootTaskArn } = input;
  const launch = source.launch;
  const notes: string[] = [];
  const vpc = launch.networkConfiguration?.awsvpcConfiguration;

  const securityGroups = vpc?.securityGroups ?? [];
  if (securityGroups.length === 0) {
    return {
      kind: 'unresolved',
      reasonCode: 'NO_SECURITY_GROUPS',
      message:
        'the original security groups are unknown (ECS would silently use the VPC default group); ' +
        'enable the CloudTrail trail for the launch recorder or configure network defaults for this cluster',
    };
  }
  const allSubnets = vpc?.subnets ?? [];
  if (allSubnets.length === 0) {
    return {
      kind: 'unresolved',
      reasonCode: 'NO_SUBNETS',
      message:
        'the original subnets are unknown; configure network defaults for this cluster or redrive by hand',
    };
  }
  let subnets = [...allSubnets];
  if (input.failureClass === 'SUBNET_CAPACITY') {
    const failed = new Set(input.excludedSubnets);
    const thisFailure = failedSubnetOf(detail);
    if (thisFailure) failed.add(thisFailure);
    subnets = subnets.filter((s) => !failed.has(s));
    if (subnets.length === 0) {
      return {
        kind: 'unresolved',
        reasonCode: 'NO_OTHER_SUBNET',
        message: `every subnet of the request ran out of addresses (${[...failed].join(', ')}); add a subnet with free addresses`,
      };
    }
    notes.push(`excluded exhausted subnets: ${[...failed].join(', ')}`);
  }

  const request: Record<string, unknown> = {
    cluster: detail.clusterArn,
    taskDefinition: detail.taskDefinitionArn,
    count: 1,
    clientToken: relaunchClientToken(rootTaskArn, attempt),
  };

  const strategy = launch.capacityProviderStrategy ?? [];
  if (source.kind === 'NETWORK_DEFAULTS') {
    // No record of the request: the event's resolved provider is the best faithful choice.
    if (detail.capacityProviderName) {
      request.capacityProviderStrategy = [{ capacityProvider: detail.capacityProviderName, weight: 1 }];
      notes.push('capacity provider strategy rebuilt from capacityProviderName (original weights unknown)');
    } else if (detail.launchType) {
      request.launchType = detail.launchType;
    }
  } else if (strategy.length > 0) {
    request.capacityProviderStrategy = strategy;
  } else if (launch.launchType) {
    request.launchType = launch.launchType;
  }

  const platformVersion =
    source.kind === 'NETWORK_DEFAULTS' ? detail.platformVersion : launch.platformVersion;
  if (platformVersion) request.platformVersion = platformVersion;

  request.networkConfiguration = {
    awsvpcConfiguration: compact({
      subnets,
      securityGroups: [...securityGroups],
      assignPublicIp: vpc?.assignPublicIp,
    }),
  };

  const overrides = cleanOverrides(detail.overrides);
  if (overrides) request.overrides = overrides;

  const group = detail.group ?? launch.group;
  if (group) request.group = group;
  const startedBy = detail.startedBy ?? launch.startedBy;
  if (startedBy !== undefined) {
    if (STARTED_BY.test(startedBy)) request.startedBy = startedBy;
    else notes.push(`startedBy "${startedBy}" is not accepted by RunTask and was left out`);
  }

  const tags = userTags(launch.tags);
  if (tags.length > 0) request.tags = tags;
  if (launch.propagateTags && launch.propagateTags !== 'SERVICE')
    request.propagateTags = launch.propagateTags;
  if (launch.enableECSManagedTags !== undefined) request.enableECSManagedTags = launch.enableECSManagedTags;
  const exec = detail.enableExecuteCommand ?? launch.enableExecuteCommand;
  if (exec !== undefined) request.enableExecuteCommand = exec;
  if (launch.placementConstraints?.length) request.placementConstraints = launch.placementConstraints;
  if (launch.placementStrategy?.length) request.placementStrategy = launch.placementStrategy;
  if (launch.volumeConfigurations?.length) request.volumeConfigurations = launch.volumeConfigurations;

  const problems = validateRunTaskRequest(request);
  if (problems.length > 0) {
    const tooLarge = problems.some((p) => p.startsWith('overrides'));
    return {
      kind: 'invalid',
      reasonCode: tooLarge ? 'OVERRIDES_TOO_LARGE' : 'INVALID_REQUEST',
      message: `the relaunch request would be rejected: ${problems.join('; ')}`,
      problems,
    };
  }
  return { kind: 'ok', request: request as RunTaskRequest, notes };
}

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validateSchema = ajv.compile(runTaskSchema);

/**
 * Checks a request against the RunTask JSON Schema derived from the official model, plus the
 * rules the schema cannot express. Returns the problems; empty means valid.
 */
export function validateRunTaskRequest(request: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (!validateSchema(request)) {
    for (const e of validateSchema.errors ?? []) {
      problems.push(`${e.instancePath || '(request)'} ${e.message ?? 'is invalid'}`);
    }
  }
  const overrides = request.overrides;
  if (overrides !== undefined) {
    const size = JSON.stringify(overrides).length;
    if (size > OVERRIDES_MAX_CHARS) {
      problems.push(`overrides are ${size} characters serialized; RunTask allows ${OVERRIDES_MAX_CHARS}`);
    }
  }
  const tags = request.tags;
  if (Array.isArray(tags)) {
    for (const t of tags as { key?: string; value?: string }[]) {
      if (t.key?.toLowerCase().startsWith('aws:'))
        problems.push(`tag ${t.key} uses the reserved aws: prefix`);
    }
  }
  const fargate =
    request.launchType === 'FARGATE' ||
    (Array.isArray(request.capacityProviderStrategy) &&
      (request.capacityProviderStrategy as { capacityProvider?: string }[]).every((s) =>
        ['FARGATE', 'FARGATE_SPOT'].includes(s.capacityProvider ?? ''),
      ));
  if (fargate && request.networkConfiguration === undefined) {
    problems.push('networkConfiguration is required for Fargate (awsvpc) tasks');
  }
  if (fargate && Array.isArray(request.placementConstraints) && request.placementConstraints.length > 0) {
    problems.push('placementConstraints are not supported on Fargate');
  }
  return problems;
}

/**
 * The request as stored in the audit trail: environment override values are replaced by their
 * length (names stay, so an operator sees which variables were set).
 */
export function redactRequest(request: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(request) as Record<string, unknown>;
  const overrides = copy.overrides as
    | { containerOverrides?: { environment?: { value?: string }[] }[] }
    | undefined;
  for (const c of overrides?.containerOverrides ?? []) {
    for (const e of c.environment ?? []) {
      if (typeof e.value === 'string') e.value = redactedValue(e.value);
    }
  }
  return copy;
}

/**
 * The event-less launch parameters of a request we sent before (attempt n-1), for attempt n.
 * Overrides are not taken from here: the stored copy is redacted; they come from the event.
 */
export function launchFromPreviousRequest(request: Record<string, unknown>): RecordedLaunch {
  const {
    overrides: _o,
    clientToken: _t,
    cluster,
    taskDefinition,
    count: _c,
    ...rest
  } = request as Record<string, unknown> & {
    cluster?: string;
    taskDefinition?: string;
  };
  return { ...(rest as RecordedLaunch), cluster, taskDefinition };
}
