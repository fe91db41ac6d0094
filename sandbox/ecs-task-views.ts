/**
 * The simulator's internal task record and its three renderings, which differ in the same ways
 * the real ones do (shared/reference/task-state-change-event.md section 2):
 * - `api` (RunTask/DescribeTasks/StopTask JSON): epoch-second timestamps, ENI attachment type
 *   `ElasticNetworkInterface`, no `updatedAt`;
 * - `event` ("ECS Task State Change" detail): ISO timestamps, attachment type `eni`, `updatedAt`;
 * - `cloudtrail` (`responseElements` of a RunTask record): API shape, CloudTrail's text dates,
 *   container environment values hidden.
 */

/** `lastStatus` values the simulator uses (ACTIVATING/DEACTIVATING/STOPPING are skipped). */
export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED';

/** One container of a simulated task. */
export interface SimContainer {
  readonly name: string;
  readonly image: string;
  readonly containerArn: string;
  lastStatus: 'PENDING' | 'RUNNING' | 'STOPPED';
  exitCode?: number;
  runtimeId?: string;
  imageDigest?: string;
}

/** The task's ENI attachment. */
export interface SimEni {
  readonly attachmentId: string;
  readonly subnetId: string;
  status: 'PRECREATED' | 'ATTACHED' | 'DETACHING' | 'DELETED';
  networkInterfaceId?: string;
  macAddress?: string;
  privateIPv4Address?: string;
}

/** Internal state of a simulated task. Times are epoch milliseconds of the simulated clock. */
export interface SimTask {
  readonly taskArn: string;
  readonly taskId: string;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly taskDefinitionArn: string;
  readonly family: string;
  readonly containers: SimContainer[];
  readonly eni: SimEni;
  readonly availabilityZone: string;
  readonly group: string;
  readonly startedBy?: string;
  readonly launchType: string;
  readonly capacityProviderName?: string;
  readonly platformVersion: string;
  readonly cpu: string;
  readonly memory: string;
  /** Overrides as ECS reports them: every container listed, at least by name. */
  readonly overrides: Record<string, unknown>;
  readonly tags: ReadonlyArray<{ key?: string; value?: string }>;
  readonly enableExecuteCommand: boolean;
  readonly ephemeralStorageGiB: number;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  version: number;
  createdAt: number;
  updatedAt: number;
  connectivityAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
}

/** Which rendering: see the module comment. */
export type TaskView = 'api' | 'event' | 'cloudtrail';

/** What CloudTrail writes instead of container environment variables. */
export const HIDDEN_VALUE = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO-8601 with milliseconds, as in task state change events. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO-8601 truncated to seconds (`2025-03-04T02:04:09Z`), as in envelope `time` and CloudTrail `eventTime`. */
export function isoSeconds(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** CloudTrail renders dates inside `responseElements` as text, e.g. `Mar 4, 2025, 2:00:07 AM` (UTC). */
function cloudTrailDate(ms: number): string {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${hours < 12 ? 'AM' : 'PM'}`;
}

function timestamp(ms: number, view: TaskView): number | string {
  if (view === 'api') return ms / 1000;
  if (view === 'event') return isoTime(ms);
  return cloudTrailDate(ms);
}

/** Replaces every `containerOverrides[].environment` with the CloudTrail placeholder. */
export function hideEnvironment(overrides: unknown): unknown {
  if (!isRecord(overrides) || !Array.isArray(overrides.containerOverrides)) return overrides;
  return {
    ...overrides,
    containerOverrides: overrides.containerOverrides.map((entry: unknown) =>
      isRecord(entry) && 'environment' in entry ? { ...entry, environment: HIDDEN_VALUE } : entry,
    ),
  };
}

function eniCreated(eni: SimEni): boolean {
  return eni.networkInterfaceId !== undefined;
}

function attachmentDetails(eni: SimEni): Array<{ name: string; value: string }> {
  const details = [{ name: 'subnetId', value: eni.subnetId }];
  if (eni.networkInterfaceId) details.push({ name: 'networkInterfaceId', value: eni.networkInterfaceId });
  if (eni.macAddress) details.push({ name: 'macAddress', value: eni.macAddress });
  if (eni.privateIPv4Address) details.push({ name: 'privateIPv4Address', value: eni.privateIPv4Address });
  return details;
}

function renderContainer(task: SimTask, c: SimContainer, view: TaskView): Record<string, unknown> {
  const out: Record<string, unknown> = {
    containerArn: c.containerArn,
    lastStatus: c.lastStatus,
    name: c.name,
    image: c.image,
  };
  if (c.imageDigest) out.imageDigest = c.imageDigest;
  if (c.runtimeId) out.runtimeId = c.runtimeId;
  out.taskArn = task.taskArn;
  if (c.exitCode !== undefined) out.exitCode = c.exitCode;
  out.networkInterfaces =
    eniCreated(task.eni) && task.eni.privateIPv4Address
      ? [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIPv4Address }]
      : [];
  if (view !== 'event') out.healthStatus = 'UNKNOWN';
  out.cpu = '0';
  return out;
}

/** Renders a task; `includeTags` adds `tags` (DescribeTasks with `include: ["TAGS"]`, RunTask). */
export function renderTask(task: SimTask, view: TaskView, includeTags = false): Record<string, unknown> {
  const t = (ms: number) => timestamp(ms, view);
  const out: Record<string, unknown> = {
    attachments: [
      {
        id: task.eni.attachmentId,
        type: view === 'event' ? 'eni' : 'ElasticNetworkInterface',
        status: task.eni.status,
        details: attachmentDetails(task.eni),
      },
    ],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: task.availabilityZone,
  };
  if (task.capacityProviderName) out.capacityProviderName = task.capacityProviderName;
  out.clusterArn = task.clusterArn;
  if (task.connectivityAt !== undefined) {
    out.connectivity = 'CONNECTED';
    out.connectivityAt = t(task.connectivityAt);
  }
  out.containers = task.containers.map((c) => renderContainer(task, c, view));
  out.cpu = task.cpu;
  out.createdAt = t(task.createdAt);
  out.desiredStatus = task.desiredStatus;
  out.enableExecuteCommand = task.enableExecuteCommand;
  out.ephemeralStorage = { sizeInGiB: task.ephemeralStorageGiB };
  if (task.executionStoppedAt !== undefined) out.executionStoppedAt = t(task.executionStoppedAt);
  out.group = task.group;
  if (view !== 'event') out.healthStatus = 'UNKNOWN';
  out.launchType = task.launchType;
  out.lastStatus = task.lastStatus;
  out.memory = task.memory;
  out.overrides = view === 'cloudtrail' ? hideEnvironment(task.overrides) : structuredClone(task.overrides);
  if (view !== 'event') out.platformFamily = 'Linux';
  out.platformVersion = task.platformVersion;
  if (task.pullStartedAt !== undefined) out.pullStartedAt = t(task.pullStartedAt);
  if (task.pullStoppedAt !== undefined) out.pullStoppedAt = t(task.pullStoppedAt);
  if (task.startedAt !== undefined) out.startedAt = t(task.startedAt);
  if (task.startedBy !== undefined) out.startedBy = task.startedBy;
  if (task.stoppingAt !== undefined) out.stoppingAt = t(task.stoppingAt);
  if (task.stoppedAt !== undefined) out.stoppedAt = t(task.stoppedAt);
  if (task.stoppedReason !== undefined) out.stoppedReason = task.stoppedReason;
  if (task.stopCode !== undefined) out.stopCode = task.stopCode;
  if (includeTags) out.tags = task.tags.map((tag) => ({ ...tag }));
  out.taskArn = task.taskArn;
  out.taskDefinitionArn = task.taskDefinitionArn;
  if (view === 'event') out.updatedAt = t(task.updatedAt);
  out.version = task.version;
  return out;
}

/** Narrows to a JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
