/**
 * TaskLauncher on Amazon ECS. Translates SDK failures into domain errors: a definite refusal,
 * a token bound to other parameters, or something worth retrying with the same token.
 */
import {
  AccessDeniedException,
  BlockedException,
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  DescribeTasksCommand,
  type ECSClient,
  InvalidParameterException,
  PlatformTaskDefinitionIncompatibilityException,
  PlatformUnknownException,
  RunTaskCommand,
  type RunTaskCommandInput,
  type Task,
  UnsupportedFeatureException,
} from '@aws-sdk/client-ecs';
import { ConflictingTokenError, LaunchRejectedError, TransientLaunchError } from '../core/errors';
import type { DescribedTask, RunTaskOutcome, RunTaskRequest, TaskLauncher } from '../core/ports';

const DEFINITE_REFUSALS = [
  AccessDeniedException,
  BlockedException,
  ClientException,
  ClusterNotFoundException,
  InvalidParameterException,
  PlatformTaskDefinitionIncompatibilityException,
  PlatformUnknownException,
  UnsupportedFeatureException,
];

/** Unmodelled errors the ECS API returns that mean "slow down". */
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

interface SdkErrorShape {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { attempts?: number; httpStatusCode?: number };
}

/** Maps any RunTask failure to a domain error. */
export function toLaunchError(err: unknown): Error {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = e.name ?? 'Error';
  const message = e.message ?? String(err);
  if (err instanceof ConflictException) {
    return new ConflictingTokenError(message, err.resourceIds ?? [], { cause: err });
  }
  if (DEFINITE_REFUSALS.some((cls) => err instanceof cls)) {
    return new LaunchRejectedError(message, name, e.$metadata?.attempts ?? 1, { cause: err });
  }
  if (THROTTLING.has(name) || e.$fault === 'server' || e.$metadata === undefined) {
    return new TransientLaunchError(message, name, { cause: err });
  }
  return new LaunchRejectedError(message, name, e.$metadata.attempts ?? 1, { cause: err });
}

export class EcsTaskLauncher implements TaskLauncher {
  constructor(private readonly ecs: ECSClient) {}

  async runTask(request: RunTaskRequest): Promise<RunTaskOutcome> {
    try {
      const out = await this.ecs.send(new RunTaskCommand(request as unknown as RunTaskCommandInput));
      const task = (out.tasks ?? []).find((t) => typeof t.taskArn === 'string');
      return {
        taskArn: task?.taskArn,
        failures: (out.failures ?? []).map((f) => ({ arn: f.arn, reason: f.reason, detail: f.detail })),
        apiCalls: out.$metadata.attempts ?? 1,
      };
    } catch (err) {
      throw toLaunchError(err);
    }
  }

  async describeTask(clusterArn: string, taskArn: string): Promise<DescribedTask | undefined> {
    const out = await this.ecs.send(new DescribeTasksCommand({ cluster: clusterArn, tasks: [taskArn] }));
    const task = out.tasks?.[0];
    if (!task?.taskArn) return undefined;
    return {
      detail: toEventDetail(task),
      taskArn: task.taskArn,
      lastStatus: task.lastStatus,
      startedAt: task.startedAt?.toISOString(),
      pullStartedAt: task.pullStartedAt?.toISOString(),
      containerExitCodes: (task.containers ?? [])
        .map((c) => c.exitCode)
        .filter((c): c is number => typeof c === 'number'),
    };
  }
}

/**
 * A DescribeTasks Task in the shape of an ECS Task State Change event's detail: the API gives
 * Date objects where the event has ISO strings, and calls the ENI attachment
 * "ElasticNetworkInterface" where the event says "eni".
 */
export function toEventDetail(task: Task): Record<string, unknown> {
  const iso = (d: Date | undefined) => d?.toISOString();
  const detail: Record<string, unknown> = {
    taskArn: task.taskArn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: task.lastStatus,
    desiredStatus: task.desiredStatus,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    group: task.group,
    startedBy: task.startedBy,
    launchType: task.launchType,
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.platformVersion,
    enableExecuteCommand: task.enableExecuteCommand,
    overrides: task.overrides,
    availabilityZone: task.availabilityZone,
    attachments: (task.attachments ?? []).map((a) => ({
      id: a.id,
      type: a.type === 'ElasticNetworkInterface' ? 'eni' : a.type,
      status: a.status,
      details: (a.details ?? []).map((x) => ({ name: x.name ?? '', value: x.value })),
    })),
    containers: (task.containers ?? []).map((c) => ({
      name: c.name,
      lastStatus: c.lastStatus,
      exitCode: c.exitCode,
      runtimeId: c.runtimeId,
    })),
    createdAt: iso(task.createdAt),
    startedAt: iso(task.startedAt),
    pullStartedAt: iso(task.pullStartedAt),
    stoppingAt: iso(task.stoppingAt),
    stoppedAt: iso(task.stoppedAt),
    version: task.version ?? 0,
  };
  return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>;
}
