/**
 * Validation of the "ECS Task State Change" event at the edge. Unknown fields are kept
 * (AWS adds fields over time); missing or mistyped fields the decision depends on are
 * reported with their path.
 */
import { z } from 'zod';
import { InvalidEventError } from './errors';

const keyValue = z.object({ name: z.string(), value: z.string().optional() }).passthrough();

const containerOverride = z
  .object({
    name: z.string().optional(),
    command: z.array(z.string()).optional(),
    environment: z.array(keyValue).optional(),
    environmentFiles: z.array(z.object({ value: z.string(), type: z.string() }).passthrough()).optional(),
    cpu: z.number().optional(),
    memory: z.number().optional(),
    memoryReservation: z.number().optional(),
    resourceRequirements: z.array(z.object({ value: z.string(), type: z.string() }).passthrough()).optional(),
  })
  .passthrough();

const overrides = z
  .object({
    containerOverrides: z.array(containerOverride).optional(),
    cpu: z.string().optional(),
    memory: z.string().optional(),
    taskRoleArn: z.string().optional(),
    executionRoleArn: z.string().optional(),
    ephemeralStorage: z.object({ sizeInGiB: z.number() }).passthrough().optional(),
    inferenceAcceleratorOverrides: z.array(z.unknown()).optional(),
  })
  .passthrough();

const container = z
  .object({
    name: z.string().optional(),
    lastStatus: z.string().optional(),
    exitCode: z.number().nullable().optional(),
    runtimeId: z.string().optional(),
  })
  .passthrough();

const attachment = z
  .object({
    id: z.string().optional(),
    type: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.object({ name: z.string(), value: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

const taskArn = z.string().regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task\//, 'must be an ECS task ARN');

const detail = z
  .object({
    taskArn,
    clusterArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\//, 'must be an ECS cluster ARN'),
    taskDefinitionArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/.+:\d+$/,
        'must be a revisioned task definition ARN',
      ),
    lastStatus: z.string(),
    desiredStatus: z.string().optional(),
    stopCode: z.string().optional(),
    stoppedReason: z.string().optional(),
    group: z.string().optional(),
    startedBy: z.string().optional(),
    launchType: z.string().optional(),
    capacityProviderName: z.string().optional(),
    platformVersion: z.string().optional(),
    enableExecuteCommand: z.boolean().optional(),
    overrides: overrides.optional(),
    containers: z.array(container).optional(),
    attachments: z.array(attachment).optional(),
    availabilityZone: z.string().optional(),
    createdAt: z.string().optional(),
    startedAt: z.string().optional(),
    pullStartedAt: z.string().optional(),
    stoppingAt: z.string().optional(),
    stoppedAt: z.string().optional(),
    updatedAt: z.string().optional(),
    version: z.number().int().nonnegative(),
  })
  .passthrough();

const envelope = z
  .object({
    version: z.string().optional(),
    id: z.string().min(1),
    'detail-type': z.literal('ECS Task State Change'),
    source: z.literal('aws.ecs'),
    account: z.string().regex(/^\d{12}$/, 'must be a 12-digit account id'),
    time: z.string(),
    region: z.string().min(1),
    resources: z.array(z.string()).optional(),
    detail,
  })
  .passthrough();

export type TaskStateChangeEvent = z.infer<typeof envelope>;
export type TaskDetail = z.infer<typeof detail>;
export type TaskOverrides = z.infer<typeof overrides>;

/** Parses an event or throws InvalidEventError naming the first bad field. */
export function parseTaskStateChange(input: unknown): TaskStateChangeEvent {
  const result = envelope.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') || '(event)' : '(event)';
  const message = issue ? issue.message : 'invalid event';
  throw new InvalidEventError(`invalid ECS Task State Change event: ${field}: ${message}`, field);
}

/** Cluster name from a cluster ARN (`arn:...:cluster/<name>`). */
export function clusterNameOf(clusterArn: string): string {
  return clusterArn.slice(clusterArn.indexOf(':cluster/') + ':cluster/'.length);
}

/** Family from a task definition ARN (`...:task-definition/<family>:<rev>`). */
export function familyOf(taskDefinitionArn: string): string {
  const name = taskDefinitionArn.slice(taskDefinitionArn.lastIndexOf('/') + 1);
  const colon = name.lastIndexOf(':');
  return colon > 0 ? name.slice(0, colon) : name;
}

/** The subnet the failed ENI was placed in, if the event says. */
export function failedSubnetOf(d: TaskDetail): string | undefined {
  for (const a of d.attachments ?? []) {
    if (a.type !== 'eni' && a.type !== 'ElasticNetworkInterface') continue;
    const subnet = a.details?.find((x) => x.name === 'subnetId')?.value;
    if (subnet) return subnet;
  }
  return undefined;
}

/** Account and region of an ECS ARN. */
export function arnAccountRegion(arn: string): { region: string; account: string } {
  const parts = arn.split(':');
  return { region: parts[3] ?? '', account: parts[4] ?? '' };
}
