/**
 * The launch recorder's use case: a CloudTrail `RunTask` call (delivered by EventBridge) in,
 * one launch record per started task out, holding what the stop event will lack.
 * Overrides are never stored: CloudTrail hides environment values, and the stop event carries them.
 */
import { z } from 'zod';
import type { LaunchRecordItem, RecordedLaunch } from './audit-items';
import { PK, ttlFrom } from './audit-schema';
import { InvalidEventError } from './errors';
import type { AuditStore, MetricsSink } from './ports';
import type { LogPort } from './remediate';

const awsvpc = z
  .object({
    subnets: z.array(z.string()).optional(),
    securityGroups: z.array(z.string()).optional(),
    assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
  })
  .passthrough();

const requestParameters = z
  .object({
    cluster: z.string().optional(),
    taskDefinition: z.string().optional(),
    count: z.number().optional(),
    launchType: z.string().optional(),
    capacityProviderStrategy: z
      .array(
        z.object({
          capacityProvider: z.string(),
          weight: z.number().optional(),
          base: z.number().optional(),
        }),
      )
      .optional(),
    platformVersion: z.string().optional(),
    networkConfiguration: z.object({ awsvpcConfiguration: awsvpc.optional() }).passthrough().optional(),
    tags: z.array(z.object({ key: z.string(), value: z.string().optional() })).optional(),
    propagateTags: z.enum(['TASK_DEFINITION', 'NONE', 'SERVICE']).optional(),
    enableECSManagedTags: z.boolean().optional(),
    enableExecuteCommand: z.boolean().optional(),
    placementConstraints: z
      .array(z.object({ type: z.string().optional(), expression: z.string().optional() }))
      .optional(),
    placementStrategy: z
      .array(z.object({ type: z.string().optional(), field: z.string().optional() }))
      .optional(),
    volumeConfigurations: z.array(z.record(z.string(), z.unknown())).optional(),
    startedBy: z.string().optional(),
    group: z.string().optional(),
  })
  .passthrough();

const cloudTrailRunTask = z
  .object({
    id: z.string(),
    'detail-type': z.literal('AWS API Call via CloudTrail'),
    detail: z
      .object({
        eventSource: z.literal('ecs.amazonaws.com'),
        eventName: z.literal('RunTask'),
        eventID: z.string().optional(),
        errorCode: z.string().optional(),
        userIdentity: z
          .object({ arn: z.string().optional(), invokedBy: z.string().optional() })
          .passthrough()
          .optional(),
        requestParameters: requestParameters.nullable().optional(),
        responseElements: z
          .object({ tasks: z.array(z.object({ taskArn: z.string() }).passthrough()).optional() })
          .passthrough()
          .nullable()
          .optional(),
      })
      .passthrough(),
  })
  .passthrough();

export interface RecorderDeps {
  readonly store: AuditStore;
  readonly now: () => number;
  readonly ttlHours: number;
  readonly log: LogPort;
  readonly metrics: MetricsSink;
}

export interface RecordResult {
  readonly recorded: string[];
  readonly reason?: string;
}

/** Stores one launch record per task ARN the RunTask call returned. */
export async function recordLaunch(raw: unknown, deps: RecorderDeps): Promise<RecordResult> {
  const parsed = cloudTrailRunTask.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? issue.path.map(String).join('.') : '(event)';
    const err = new InvalidEventError(
      `invalid CloudTrail RunTask event: ${field}: ${issue?.message ?? ''}`,
      field,
    );
    deps.log.warn('launch event rejected', { field, error: err.message });
    deps.metrics.count('LaunchEventRejected');
    return { recorded: [], reason: err.message };
  }
  const detail = parsed.data.detail;
  if (detail.errorCode)
    return { recorded: [], reason: `RunTask failed (${detail.errorCode}); no task to record` };
  const params = detail.requestParameters;
  const tasks = detail.responseElements?.tasks ?? [];
  if (!params || tasks.length === 0) {
    // CloudTrail truncates large records; without the task ARNs there is nothing to key on.
    deps.log.warn('launch event without tasks or parameters', { eventId: parsed.data.id });
    deps.metrics.count('LaunchEventUnusable');
    return { recorded: [], reason: 'the CloudTrail record has no requestParameters or no returned tasks' };
  }
  const {
    overrides: _hidden,
    clientToken: _token,
    referenceId: _ref,
    ...rest
  } = params as Record<string, unknown>;
  const launch = pickLaunch(rest);
  const nowMs = deps.now();
  const recorded: string[] = [];
  for (const task of tasks) {
    const item: LaunchRecordItem = {
      pk: PK.launch(task.taskArn),
      sk: 'LAUNCH',
      type: 'LAUNCH',
      taskArn: task.taskArn,
      clusterArn: typeof task.clusterArn === 'string' ? task.clusterArn : undefined,
      launch,
      cloudTrailEventId: detail.eventID ?? parsed.data.id,
      callerArn: detail.userIdentity?.arn,
      invokedBy: detail.userIdentity?.invokedBy,
      recordedAt: new Date(nowMs).toISOString(),
      expiresAt: ttlFrom(nowMs, deps.ttlHours * 3600),
    };
    await deps.store.putLaunchRecord(item);
    recorded.push(task.taskArn);
  }
  deps.metrics.count('LaunchRecorded', recorded.length);
  deps.log.info('launch recorded', { taskArns: recorded });
  return { recorded };
}

const LAUNCH_KEYS: readonly (keyof RecordedLaunch)[] = [
  'cluster',
  'taskDefinition',
  'launchType',
  'capacityProviderStrategy',
  'platformVersion',
  'networkConfiguration',
  'tags',
  'propagateTags',
  'enableECSManagedTags',
  'enableExecuteCommand',
  'placementConstraints',
  'placementStrategy',
  'volumeConfigurations',
  'startedBy',
  'group',
  'count',
];

function pickLaunch(params: Record<string, unknown>): RecordedLaunch {
  const out: Record<string, unknown> = {};
  for (const key of LAUNCH_KEYS) {
    if (params[key] !== undefined && params[key] !== null) out[key] = params[key];
  }
  return out as RecordedLaunch;
}
