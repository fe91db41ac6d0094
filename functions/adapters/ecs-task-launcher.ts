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
