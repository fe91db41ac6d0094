/**
 * A local Amazon ECS control plane for Fargate tasks, speaking ECS's JSON 1.1 protocol over
 * HTTP on 127.0.0.1, so the real `@aws-sdk/client-ecs` works against it through `endpoint` or
 * `AWS_ENDPOINT_URL_ECS`.
 *
 * Scope: RunTask, DescribeTasks, StopTask, ListTasks; clusters, task definitions and subnets are
 * set up through methods, not HTTP. Task lifecycles run on a simulated clock owned by the
 * simulator: nothing moves, and no event is emitted, until a test calls `advance`, `step` or
 * `runUntilIdle`. Every id comes from a seeded generator, so runs are reproducible.
 *
 * Fidelity choices, with their sources in shared/reference/:
 * - "ECS Task State Change" envelopes copy the captured events (task-state-change-event.md,
 *   events/eni-timeout-standalone.json); an ENI failure goes PROVISIONING -> DEPROVISIONING ->
 *   STOPPED with `stopCode: TaskFailedToStart` and never gets `startedAt` or exit codes.
 * - RunTask is validated with functions/core/runtask-request.schema.json plus the documented
 *   cross-field rules; `clientToken` is idempotent per cluster.
 * - Every RunTask call is also recorded as an "AWS API Call via CloudTrail" event whose
 *   environment overrides are hidden, as CloudTrail does.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import runTaskSchema from '../functions/core/runtask-request.schema.json';
import {
  hideEnvironment,
  isoSeconds,
  isRecord,
  renderTask,
  type SimContainer,
  type SimTask,
  type TaskStatus,
} from './ecs-task-views';
import { createSeededRandom, type SeededRandom } from './seeded-random';
import { type ScheduledStep, SimulatedClock } from './simulated-clock';

export { HIDDEN_VALUE } from './ecs-task-views';

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const OVERRIDES_MAX_CHARS = 8192;
const FARGATE_PROVIDERS = new Set(['FARGATE', 'FARGATE_SPOT']);
const SUPPORTED_PLATFORM_VERSIONS = new Set(['1.4.0', '1.3.0']);

/** Reason used when ENI failures are injected without one (the most common real text, E1). */
export const DEFAULT_ENI_FAILURE_REASON = 'Timeout waiting for network interface provisioning to complete.';
/** Reason used for injected RunTask `failures[]` without one. */
export const DEFAULT_RUN_TASK_FAILURE_REASON =
  'Capacity is unavailable at this time. Please try again later or in a different availability zone';

/** An ECS API error, serialized as `{"__type": name, "message": ...}` with `status`. */
export class EcsApiError extends Error {
  constructor(
    /** Error shape name, e.g. `ClientException`; the SDK maps it to its exception class. */
    readonly type: string,
    message: string,
    readonly status = 400,
    /** Extra members of the error shape, e.g. `resourceIds` of ConflictException. */
    readonly extra: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = type;
  }
}

/** An EventBridge envelope emitted by the simulator (task state change or CloudTrail record). */
export type EcsSimulatorEvent = {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'ECS Task State Change' | 'AWS API Call via CloudTrail';
  readonly source: 'aws.ecs';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
};

/** Receives every emitted event, synchronously, while the simulated clock runs. */
export type EcsEventListener = (event: EcsSimulatorEvent) => void;

/** One HTTP call, as received and answered. */
export interface EcsCallRecord {
  readonly operation: string;
  readonly request: Record<string, unknown>;
  readonly status: number;
  readonly response?: Record<string, unknown>;
  readonly error?: { readonly type: string; readonly message: string };
  /** Simulated time of the call (epoch ms). */
  readonly time: number;
}

/** Durations of the simulated lifecycle, in simulated milliseconds. */
export interface LifecycleTimings {
  /** PROVISIONING -> PENDING for a task whose ENI comes up. @default 20000 */
  readonly provisioningMs: number;
  /** PENDING (image pull) -> RUNNING. @default 15000 */
  readonly pendingMs: number;
  /** RUNNING -> essential container exits with code 0; `null` runs until StopTask. @default 60000 */
  readonly runTimeMs: number | null;
  /** PROVISIONING -> DEPROVISIONING for a task whose ENI fails. @default 180000 */
  readonly eniFailureAfterMs: number;
  /** DEPROVISIONING -> STOPPED. @default 45000 */
  readonly deprovisioningMs: number;
}

const DEFAULT_TIMINGS: LifecycleTimings = Object.freeze({
  provisioningMs: 20_000,
  pendingMs: 15_000,
  runTimeMs: 60_000,
  eniFailureAfterMs: 180_000,
  deprovisioningMs: 45_000,
});

/** What an ENI failure policy decides for one task: `null` = the ENI comes up. */
export type EniFailure =
  | null
  | string
  | {
      readonly stoppedReason: string;
      /**
       * Whether EC2 created the interface before giving up (the attachment then carries its id,
       * MAC and IP, as in the captured 2022 event); false leaves only `subnetId`.
       * @default true
       */
      readonly eniCreated?: boolean;
    };

/** What a policy knows about the task being started. */
export interface TaskLaunchContext {
  readonly taskArn: string;
  readonly clusterName: string;
  readonly family: string;
  readonly taskDefinitionArn: string;
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly group: string;
  readonly startedBy?: string;
  readonly capacityProviderName?: string;
  /** 0-based count of tasks started by this simulator before this one. */
  readonly sequence: number;
  /** The RunTask request body (a copy). */
  readonly request: Readonly<Record<string, unknown>>;
}

/** Decides whether a task's ENI provisioning fails. */
export type EniFailurePolicy = (task: TaskLaunchContext) => EniFailure;

/** A fault for the next RunTask call(s). */
export type RunTaskFault =
  /** HTTP 200 with `tasks: []` and `failures: [{arn, reason, detail?}]`. */
  | { readonly kind: 'failures'; readonly reason?: string; readonly arn?: string; readonly detail?: string }
  /** HTTP 400 ThrottlingException (the SDK retries it with the same clientToken). */
  | { readonly kind: 'throttle' }
  /** HTTP 500 ServerException (the SDK retries it with the same clientToken). */
  | { readonly kind: 'server-error' };

/** Input of {@link EcsSimulator.registerTaskDefinition}. */
export interface TaskDefinitionInput {
  readonly family: string;
  /** @default next revision of the family */
  readonly revision?: number;
  /** Container names, or names with images. */
  readonly containers: ReadonlyArray<string | { readonly name: string; readonly image?: string }>;
  /** @default 'ACTIVE' */
  readonly status?: 'ACTIVE' | 'INACTIVE';
  /** Only awsvpc is simulated (Fargate). @default 'awsvpc' */
  readonly networkMode?: 'awsvpc';
  /** @default '256' */
  readonly cpu?: string;
  /** @default '512' */
  readonly memory?: string;
}

/** A capacity provider strategy item (RunTask wire shape). */
export interface CapacityProviderStrategyItem {
  readonly capacityProvider: string;
  readonly weight?: number;
  readonly base?: number;
}

/** Options of {@link EcsSimulator.addCluster}. */
export interface ClusterOptions {
  /** @default ['FARGATE', 'FARGATE_SPOT'] */
  readonly capacityProviders?: readonly string[];
  /** Used when a RunTask has neither launchType nor strategy; without it ECS falls back to EC2. */
  readonly defaultCapacityProviderStrategy?: readonly CapacityProviderStrategyItem[];
}

/** Constructor options of {@link EcsSimulator}. */
export interface EcsSimulatorOptions {
  /** @default '111122223333' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Seed of every id and random choice. @default 1 */
  readonly seed?: number;
  /** Simulated start time (epoch ms or ISO string). @default '2025-01-01T00:00:00.000Z' */
  readonly startTime?: number | string;
  readonly timings?: Partial<LifecycleTimings>;
  /** Simulated delay before a RunTask CloudTrail event is emitted. @default 0 */
  readonly cloudTrailDelayMs?: number;
  /** Also emit CloudTrail events for RunTask calls that failed (with `errorCode`). @default true */
  readonly cloudTrailErrors?: boolean;
  /** `userIdentity.arn` of CloudTrail events. @default an assumed-role ARN in the account */
  readonly callerArn?: string;
  /** Reject subnets not registered with `addSubnets`. @default false */
  readonly strictSubnets?: boolean;
  /** How long stopped tasks stay visible to Describe/List/Stop (real ECS: about an hour). @default 3600000 */
  readonly stoppedTaskRetentionMs?: number;
  /** TCP port for `start()`. @default 0 (random) */
  readonly port?: number;
}

interface TaskDefinition {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly image: string }>;
  readonly cpu: string;
  readonly memory: string;
  status: 'ACTIVE' | 'INACTIVE';
}

interface Cluster {
  readonly name: string;
  readonly arn: string;
  readonly capacityProviders: ReadonlySet<string>;
  readonly defaultStrategy: readonly CapacityProviderStrategyItem[];
  /** clientToken -> the request it was first used with and the tasks it started. */
  readonly tokens: Map<string, { readonly fingerprint: string; readonly taskArns: readonly string[] }>;
}

interface TaskRecord {
  readonly task: SimTask;
  readonly timings: LifecycleTimings;
  pending?: ScheduledStep;
}

interface Launch {
  readonly launchType: string;
  readonly capacityProviderName?: string;
}

const validateRunTaskRequest = new Ajv2020({ strict: true, allErrors: true }).compile(runTaskSchema);

/** The ECS simulator. See the module comment. */
export class EcsSimulator {
  readonly accountId: string;
  readonly region: string;
  private readonly clock: SimulatedClock;
  private readonly ids: SeededRandom;
  private readonly placement: SeededRandom;
  private timings: LifecycleTimings;
  private readonly cloudTrailDelayMs: number;
  private readonly cloudTrailErrors: boolean;
  private readonly callerArn: string;
  private readonly strictSubnets: boolean;
  private readonly retentionMs: number;
  private readonly port: number;

  private readonly clusters = new Map<string, Cluster>();
  private readonly taskDefinitions = new Map<string, TaskDefinition>();
  private readonly subnets = new Map<string, string>();
  private readonly tasks = new Map<string, TaskRecord>();
  private taskSequence = 0;

  private readonly faults: RunTaskFault[] = [];
  private readonly scriptedEniFailures: EniFailure[] = [];
  private eniPolicy: EniFailurePolicy | undefined;
  private eniRate: { readonly p: number; readonly rng: () => number; readonly reason: string } | undefined;

  private readonly listeners = new Set<EcsEventListener>();
  private readonly eventLog: EcsSimulatorEvent[] = [];
  private readonly callLog: EcsCallRecord[] = [];
  private readonly listenerErrorLog: unknown[] = [];
  private server: Server | undefined;

  constructor(options: EcsSimulatorOptions = {}) {
    this.accountId = options.accountId ?? '111122223333';
    this.region = options.region ?? 'us-east-1';
    const seed = options.seed ?? 1;
    this.ids = createSeededRandom(seed);
    // A separate stream for placement keeps subnet choices stable when id consumption changes.
    this.placement = createSeededRandom(seed ^ 0x5bd1e995);
    const start = options.startTime ?? '2025-01-01T00:00:00.000Z';
    const startMs = typeof start === 'number' ? start : Date.parse(start);
    if (!Number.isFinite(startMs)) throw new Error(`startTime is not a valid time: ${String(start)}`);
    this.clock = new SimulatedClock(startMs);
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.cloudTrailDelayMs = options.cloudTrailDelayMs ?? 0;
    this.cloudTrailErrors = options.cloudTrailErrors ?? true;
    this.callerArn =
      options.callerArn ?? `arn:aws:sts::${this.accountId}:assumed-role/sandbox-caller/sandbox-session`;
    this.strictSubnets = options.strictSubnets ?? false;
    this.retentionMs = options.stoppedTaskRetentionMs ?? 3_600_000;
    this.port = options.port ?? 0;
  }

  // ---------------------------------------------------------------- server

  /** Starts the HTTP server on 127.0.0.1. */
  async start(): Promise<{ endpoint: string }> {
    if (this.server) throw new Error('EcsSimulator is already started');
    const server = createServer((req, res) => {
      void this.handleHttp(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return { endpoint: this.endpoint };
  }

  /** `http://127.0.0.1:<port>` of the running server. */
  get endpoint(): string {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('EcsSimulator is not started');
    return `http://127.0.0.1:${(address as AddressInfo).port}`;
  }

  /** Stops the HTTP server and closes kept-alive connections. Safe to call when not started. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- setup

  /** Registers a cluster (name, not ARN); returns its ARN. */
  addCluster(name: string, options: ClusterOptions = {}): string {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw new Error(`Invalid cluster name: ${name}`);
    const arn = `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${name}`;
    this.clusters.set(name, {
      name,
      arn,
      capacityProviders: new Set(options.capacityProviders ?? ['FARGATE', 'FARGATE_SPOT']),
      defaultStrategy: options.defaultCapacityProviderStrategy ?? [],
      tokens: new Map(),
    });
    return arn;
  }

  /** Registers subnets with their Availability Zones (unknown subnets get a derived AZ unless `strictSubnets`). */
  addSubnets(subnets: ReadonlyArray<{ readonly subnetId: string; readonly availabilityZone: string }>): void {
    for (const s of subnets) this.subnets.set(s.subnetId, s.availabilityZone);
  }

  /** Registers a task definition revision; returns its ARN. */
  registerTaskDefinition(input: TaskDefinitionInput): string {
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.family)) throw new Error(`Invalid family: ${input.family}`);
    if ((input.networkMode ?? 'awsvpc') !== 'awsvpc')
      throw new Error('Only awsvpc task definitions are simulated');
    if (input.containers.length === 0) throw new Error('A task definition needs at least one container');
    const revisions = [...this.taskDefinitions.values()]
      .filter((d) => d.family === input.family)
      .map((d) => d.revision);
    const revision = input.revision ?? Math.max(0, ...revisions) + 1;
    if (!Number.isInteger(revision) || revision < 1) throw new Error(`Invalid revision: ${revision}`);
    const arn = this.taskDefinitionArn(input.family, revision);
    if (this.taskDefinitions.has(arn)) throw new Error(`${input.family}:${revision} is already registered`);
    this.taskDefinitions.set(arn, {
      arn,
      family: input.family,
      revision,
      containers: input.containers.map((c) => {
        const name = typeof c === 'string' ? c : c.name;
        const image = (typeof c === 'string' ? undefined : c.image) ?? this.defaultImage(input.family, name);
        return { name, image };
      }),
      cpu: input.cpu ?? '256',
      memory: input.memory ?? '512',
      status: input.status ?? 'ACTIVE',
    });
    return arn;
  }

  /** Marks a revision INACTIVE (ARN or `family:revision`); RunTask then fails with ClientException. */
  deregisterTaskDefinition(arnOrFamilyRevision: string): void {
    const definition = this.findTaskDefinition(arnOrFamilyRevision);
    if (!definition) throw new Error(`Unknown task definition: ${arnOrFamilyRevision}`);
    definition.status = 'INACTIVE';
  }

  /** Changes lifecycle durations for tasks started from now on. */
  setTimings(timings: Partial<LifecycleTimings>): void {
    this.timings = { ...this.timings, ...timings };
  }

  // ---------------------------------------------------------------- fault injection

  /** The next `count` RunTask calls fail this way (faults queue up in order). */
  failNextRunTaskWith(fault: RunTaskFault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  /** The next `count` tasks started fail ENI provisioning (before any policy or rate applies). */
  failNextTasksWithEni(count: number, failure: EniFailure = DEFAULT_ENI_FAILURE_REASON): void {
    for (let i = 0; i < count; i++) this.scriptedEniFailures.push(failure);
  }

  /** Decides ENI failures per task; `undefined` removes the policy. */
  setEniFailurePolicy(policy: EniFailurePolicy | undefined): void {
    this.eniPolicy = policy;
  }

  /**
   * Each task fails ENI provisioning with probability `p`, drawn from `random` (a function, or a
   * seed for a {@link createSeededRandom} stream). `p = 0` turns it off.
   */
  setEniFailureRate(
    p: number,
    random: (() => number) | number = 7,
    reason = DEFAULT_ENI_FAILURE_REASON,
  ): void {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Failure rate must be within [0, 1], got ${p}`);
    const rng = typeof random === 'number' ? createSeededRandom(random).next : random;
    this.eniRate = p === 0 ? undefined : { p, rng, reason };
  }

  /** Removes every queued fault, scripted ENI failure, policy and rate. */
  clearFaults(): void {
    this.faults.length = 0;
    this.scriptedEniFailures.length = 0;
    this.eniPolicy = undefined;
    this.eniRate = undefined;
  }

  // ---------------------------------------------------------------- clock and events

  /** Current simulated time (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /** Advances simulated time, running due lifecycle steps and emitting their events. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** Runs everything due at the next scheduled instant; false when idle. */
  step(): boolean {
    return this.clock.step();
  }

  /** Runs every scheduled step (tasks with `runTimeMs: null` stay RUNNING and need no step). */
  runUntilIdle(): void {
    this.clock.runUntilIdle();
  }

  /** Whether no lifecycle step or event emission is pending. */
  isIdle(): boolean {
    return this.clock.pending === 0;
  }

  /** Subscribes to emitted events; returns the unsubscribe function. */
  onEvent(listener: EcsEventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Every event emitted so far. */
  get events(): readonly EcsSimulatorEvent[] {
    return this.eventLog;
  }

  /** Errors thrown by listeners (a throwing listener never breaks the simulation). */
  get listenerErrors(): readonly unknown[] {
    return this.listenerErrorLog;
  }

  /** Every HTTP call so far. */
  get calls(): readonly EcsCallRecord[] {
    return this.callLog;
  }

  /** HTTP calls of one operation, e.g. `callsTo('RunTask')`. */
  callsTo(operation: string): readonly EcsCallRecord[] {
    return this.callLog.filter((c) => c.operation === operation);
  }

  /** Distinct `clientToken`s sent to RunTask, in first-seen order. */
  runTaskClientTokens(): string[] {
    const tokens = this.callsTo('RunTask')
      .map((c) => c.request.clientToken)
      .filter((t): t is string => typeof t === 'string');
    return [...new Set(tokens)];
  }

  /** A task as DescribeTasks would return it (with tags), or undefined if unknown. */
  describeTask(taskArnOrId: string): Record<string, unknown> | undefined {
    const record = this.findTask(taskArnOrId);
    return record ? renderTask(record.task, 'api', true) : undefined;
  }

  /** ARNs of every task started, oldest first. */
  taskArns(): string[] {
    return [...this.tasks.keys()];
  }

  // ---------------------------------------------------------------- HTTP

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let request: Record<string, unknown> = {};
    let status = 200;
    let body: Record<string, unknown>;
    try {
      if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) {
        throw new EcsApiError(
          'UnknownOperationException',
          `Unknown operation ${target || '(no X-Amz-Target)'}`,
        );
      }
      if (!String(req.headers['content-type'] ?? '').startsWith(CONTENT_TYPE)) {
        throw new EcsApiError('SerializationException', `Content-Type must be ${CONTENT_TYPE}`);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      let parsed: unknown;
      try {
        parsed = text.length === 0 ? {} : JSON.parse(text);
      } catch {
        throw new EcsApiError('SerializationException', 'Request body is not valid JSON');
      }
      if (!isRecord(parsed))
        throw new EcsApiError('SerializationException', 'Request body must be a JSON object');
      request = parsed;
      body = this.dispatch(operation, request, String(req.headers['user-agent'] ?? ''));
    } catch (error) {
      const apiError =
        error instanceof EcsApiError
          ? error
          : new EcsApiError('ServerException', error instanceof Error ? error.message : String(error), 500);
      status = apiError.status;
      body = { __type: apiError.type, message: apiError.message, ...apiError.extra };
    }
    const errorInfo =
      status === 200 ? undefined : { type: String(body.__type), message: String(body.message ?? '') };
    this.callLog.push({
      operation,
      request,
      status,
      ...(errorInfo ? { error: errorInfo } : { response: body }),
      time: this.clock.now(),
    });
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  }

  private dispatch(
    operation: string,
    request: Record<string, unknown>,
    userAgent: string,
  ): Record<string, unknown> {
    switch (operation) {
      case 'RunTask':
        return this.runTaskWithTrail(request, userAgent);
      case 'DescribeTasks':
        return this.describeTasks(request);
      case 'StopTask':
        return this.stopTask(request);
      case 'ListTasks':
        return this.listTasks(request);
      default:
        throw new EcsApiError('UnknownOperationException', `Operation ${operation} is not simulated`);
    }
  }

  // ---------------------------------------------------------------- RunTask

  private runTaskWithTrail(request: Record<string, unknown>, userAgent: string): Record<string, unknown> {
    const callTime = this.clock.now();
    try {
      const response = this.runTask(request);
      this.scheduleCloudTrail(request, userAgent, callTime, response, undefined);
      return response;
    } catch (error) {
      if (error instanceof EcsApiError && this.cloudTrailErrors) {
        this.scheduleCloudTrail(request, userAgent, callTime, undefined, error);
      }
      throw error;
    }
  }

  private runTask(request: Record<string, unknown>): Record<string, unknown> {
    // Throttling and 5xx happen at the front door, before the request is even looked at.
    const front = this.faults[0];
    if (front?.kind === 'throttle') {
      this.faults.shift();
      throw new EcsApiError('ThrottlingException', 'Rate exceeded');
    }
    if (front?.kind === 'server-error') {
      this.faults.shift();
      throw new EcsApiError('ServerException', 'Service unavailable. Please try again later.', 500);
    }

    if (request.launchType !== undefined && request.capacityProviderStrategy !== undefined) {
      throw new EcsApiError(
        'InvalidParameterException',
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    }
    if (!validateRunTaskRequest(request)) {
      throw new EcsApiError(
        'InvalidParameterException',
        describeSchemaErrors(validateRunTaskRequest.errors ?? []),
      );
    }
    const cluster = this.resolveCluster(request.cluster);
    const definition = this.resolveTaskDefinition(String(request.taskDefinition));

    const overrides = isRecord(request.overrides) ? request.overrides : undefined;
    if (overrides && JSON.stringify(overrides).length > OVERRIDES_MAX_CHARS) {
      throw new EcsApiError(
        'InvalidParameterException',
        `overrides: a total of ${OVERRIDES_MAX_CHARS} characters are allowed for overrides`,
      );
    }
    const containerNames = new Set(definition.containers.map((c) => c.name));
    for (const entry of containerOverrideList(overrides)) {
      if (typeof entry.name === 'string' && !containerNames.has(entry.name)) {
        throw new EcsApiError(
          'InvalidParameterException',
          `Override for container named ${entry.name} is not a container in the TaskDefinition.`,
        );
      }
    }
    const tags = Array.isArray(request.tags) ? (request.tags as Array<{ key?: string; value?: string }>) : [];
    const reserved = tags.find((t) => t.key?.toLowerCase().startsWith('aws:'));
    if (reserved) {
      throw new EcsApiError(
        'InvalidParameterException',
        `tags: the aws: prefix is reserved for AWS use and cannot be used in tag keys (${reserved.key}).`,
      );
    }

    const strategy = this.validateLaunch(cluster, request);
    const subnetIds = awsvpcSubnets(request);
    if (subnetIds.length === 0) {
      throw new EcsApiError(
        'InvalidParameterException',
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    }
    for (const subnetId of subnetIds) {
      if (this.strictSubnets && !this.subnets.has(subnetId)) {
        throw new EcsApiError(
          'InvalidParameterException',
          `Error retrieving subnet information for [${subnetId}]: The subnet ID '${subnetId}' does not exist`,
        );
      }
    }
    const platformVersion = resolvePlatformVersion(request.platformVersion);

    const token = typeof request.clientToken === 'string' ? request.clientToken : undefined;
    const fingerprint = canonicalJson(withoutKey(request, 'clientToken'));
    if (token !== undefined) {
      const bound = cluster.tokens.get(token);
      if (bound && bound.fingerprint === fingerprint) {
        // Idempotent replay: the tasks of the first call, as they are now; nothing new starts.
        return { tasks: bound.taskArns.flatMap((arn) => this.renderApiTask(arn)), failures: [] };
      }
      if (bound) {
        throw new EcsApiError(
          'ConflictException',
          'The specified client token has already been used with different parameters.',
          400,
          { resourceIds: [...bound.taskArns] },
        );
      }
    }

    const launch = this.resolveLaunch(request, strategy);
    if (launch.launchType !== 'FARGATE') {
      return {
        tasks: [],
        failures: [{ arn: cluster.arn, reason: 'No Container Instances were found in your cluster.' }],
      };
    }
    if (this.faults[0]?.kind === 'failures') {
      const fault = this.faults.shift() as Extract<RunTaskFault, { kind: 'failures' }>;
      const failure: Record<string, unknown> = {
        arn: fault.arn ?? cluster.arn,
        reason: fault.reason ?? DEFAULT_RUN_TASK_FAILURE_REASON,
      };
      if (fault.detail !== undefined) failure.detail = fault.detail;
      return { tasks: [], failures: [failure] };
    }

    const count = typeof request.count === 'number' ? request.count : 1;
    const started: SimTask[] = [];
    for (let i = 0; i < count; i++) {
      started.push(this.startTask(cluster, definition, request, launch, platformVersion, subnetIds, tags));
    }
    if (token !== undefined)
      cluster.tokens.set(token, { fingerprint, taskArns: started.map((t) => t.taskArn) });
    return { tasks: started.map((t) => renderTask(t, 'api', tags.length > 0)), failures: [] };
  }

  private resolveCluster(value: unknown): Cluster {
    const raw = typeof value === 'string' && value.length > 0 ? value : 'default';
    const prefix = `arn:aws:ecs:${this.region}:${this.accountId}:cluster/`;
    const name = raw.startsWith('arn:') ? (raw.startsWith(prefix) ? raw.slice(prefix.length) : '') : raw;
    const cluster = this.clusters.get(name);
    if (!cluster) throw new EcsApiError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  private resolveTaskDefinition(value: string): TaskDefinition {
    const definition = this.findTaskDefinition(value);
    if (!definition) {
      if (!/:\d+$/.test(value)) {
        // The product must pin revisions; the simulator refuses "latest" to make that visible.
        throw new EcsApiError(
          'ClientException',
          `Task definition "${value}" has no revision: the ECS simulator only runs family:revision or a revisioned ARN.`,
        );
      }
      throw new EcsApiError('ClientException', 'Unable to describe task definition.');
    }
    if (definition.status === 'INACTIVE')
      throw new EcsApiError('ClientException', 'TaskDefinition is inactive');
    return definition;
  }

  private findTaskDefinition(value: string): TaskDefinition | undefined {
    const arn = value.startsWith('arn:')
      ? value
      : `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${value}`;
    return this.taskDefinitions.get(arn);
  }

  /** Checks the launch parameters; returns the strategy to use (empty when launchType decides). */
  private validateLaunch(
    cluster: Cluster,
    request: Record<string, unknown>,
  ): readonly CapacityProviderStrategyItem[] {
    if (typeof request.launchType === 'string') return [];
    const strategy = Array.isArray(request.capacityProviderStrategy)
      ? (request.capacityProviderStrategy as CapacityProviderStrategyItem[])
      : cluster.defaultStrategy;
    for (const item of strategy) {
      if (!cluster.capacityProviders.has(item.capacityProvider)) {
        throw new EcsApiError(
          'InvalidParameterException',
          'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
        );
      }
    }
    if (strategy.filter((i) => (i.base ?? 0) > 0).length > 1) {
      throw new EcsApiError(
        'InvalidParameterException',
        'capacityProviderStrategy: only one item may define a base.',
      );
    }
    if (strategy.length > 0 && !strategy.some((i) => (i.base ?? 0) > 0 || (i.weight ?? 0) > 0)) {
      throw new EcsApiError(
        'InvalidParameterException',
        'capacityProviderStrategy: at least one capacity provider must have a weight greater than zero.',
      );
    }
    return strategy;
  }

  private resolveLaunch(
    request: Record<string, unknown>,
    strategy: readonly CapacityProviderStrategyItem[],
  ): Launch {
    if (typeof request.launchType === 'string') return { launchType: request.launchType };
    // No launch type and no strategy anywhere: ECS falls back to the EC2 launch type.
    if (strategy.length === 0) return { launchType: 'EC2' };
    const provider = this.pickProvider(strategy);
    return {
      launchType: FARGATE_PROVIDERS.has(provider) ? 'FARGATE' : 'EC2',
      capacityProviderName: provider,
    };
  }

  private pickProvider(strategy: readonly CapacityProviderStrategyItem[]): string {
    const based = strategy.find((i) => (i.base ?? 0) > 0);
    if (based) return based.capacityProvider;
    const weighted = strategy.filter((i) => (i.weight ?? 0) > 0);
    const total = weighted.reduce((sum, i) => sum + (i.weight ?? 0), 0);
    let roll = this.placement.next() * total;
    for (const item of weighted) {
      roll -= item.weight ?? 0;
      if (roll < 0) return item.capacityProvider;
    }
    return weighted[weighted.length - 1]?.capacityProvider ?? 'FARGATE';
  }

  // ---------------------------------------------------------------- lifecycle

  private startTask(
    cluster: Cluster,
    definition: TaskDefinition,
    request: Record<string, unknown>,
    launch: Launch,
    platformVersion: string,
    subnetIds: readonly string[],
    requestTags: ReadonlyArray<{ key?: string; value?: string }>,
  ): SimTask {
    const now = this.clock.now();
    const taskId = this.ids.hex(32);
    const taskArn = `arn:aws:ecs:${this.region}:${this.accountId}:task/${cluster.name}/${taskId}`;
    const subnetId = this.placement.pick(subnetIds);
    const availabilityZone = this.subnets.get(subnetId) ?? this.derivedZone(subnetId);
    const overrides = isRecord(request.overrides) ? request.overrides : undefined;
    const containers: SimContainer[] = definition.containers.map((c) => ({
      name: c.name,
      image: c.image,
      containerArn: `arn:aws:ecs:${this.region}:${this.accountId}:container/${cluster.name}/${taskId}/${this.ids.uuid()}`,
      lastStatus: 'PENDING',
    }));
    const tags = [...requestTags.map((t) => ({ ...t }))];
    if (request.enableECSManagedTags === true) tags.push({ key: 'aws:ecs:clusterName', value: cluster.name });
    const storage = isRecord(overrides?.ephemeralStorage) ? overrides.ephemeralStorage.sizeInGiB : undefined;
    const task: SimTask = {
      taskArn,
      taskId,
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      taskDefinitionArn: definition.arn,
      family: definition.family,
      containers,
      eni: { attachmentId: this.ids.uuid(), subnetId, status: 'PRECREATED' },
      availabilityZone,
      group: typeof request.group === 'string' ? request.group : `family:${definition.family}`,
      ...(typeof request.startedBy === 'string' ? { startedBy: request.startedBy } : {}),
      launchType: launch.launchType,
      ...(launch.capacityProviderName ? { capacityProviderName: launch.capacityProviderName } : {}),
      platformVersion,
      cpu: typeof overrides?.cpu === 'string' ? overrides.cpu : definition.cpu,
      memory: typeof overrides?.memory === 'string' ? overrides.memory : definition.memory,
      overrides: reportedOverrides(overrides, definition.containers),
      tags,
      enableExecuteCommand: request.enableExecuteCommand === true,
      ephemeralStorageGiB: typeof storage === 'number' ? storage : 20,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const record: TaskRecord = { task, timings: this.timings };
    this.tasks.set(taskArn, record);
    this.queueStateChangeEvent(task);

    const failure = normalizeEniFailure(
      this.decideEniFailure({
        taskArn,
        clusterName: cluster.name,
        family: definition.family,
        taskDefinitionArn: definition.arn,
        subnetId,
        availabilityZone,
        group: task.group,
        ...(task.startedBy !== undefined ? { startedBy: task.startedBy } : {}),
        ...(task.capacityProviderName !== undefined
          ? { capacityProviderName: task.capacityProviderName }
          : {}),
        sequence: this.taskSequence++,
        request: structuredClone(request),
      }),
    );
    if (failure) {
      record.pending = this.clock.schedule(now + record.timings.eniFailureAfterMs, () =>
        this.failEni(record, failure.stoppedReason, failure.eniCreated),
      );
    } else {
      record.pending = this.clock.schedule(now + record.timings.provisioningMs, () => this.toPending(record));
    }
    return task;
  }

  private decideEniFailure(context: TaskLaunchContext): EniFailure {
    if (this.scriptedEniFailures.length > 0) return this.scriptedEniFailures.shift() ?? null;
    if (this.eniPolicy) return this.eniPolicy(context);
    if (this.eniRate && this.eniRate.rng() < this.eniRate.p) return this.eniRate.reason;
    return null;
  }

  private createEni(task: SimTask): void {
    task.eni.networkInterfaceId = `eni-${this.ids.hex(17)}`;
    task.eni.macAddress = `02:${[0, 1, 2, 3, 4].map(() => this.ids.hex(2)).join(':')}`;
    task.eni.privateIPv4Address = `10.${this.ids.int(256)}.${this.ids.int(256)}.${1 + this.ids.int(254)}`;
    task.connectivityAt = this.clock.now();
  }

  private failEni(record: TaskRecord, stoppedReason: string, eniCreated: boolean): void {
    const { task } = record;
    this.transition(task, 'DEPROVISIONING', () => {
      if (eniCreated) {
        this.createEni(task);
        task.eni.status = 'DETACHING';
      }
      task.desiredStatus = 'STOPPED';
      task.stopCode = 'TaskFailedToStart';
      task.stoppedReason = stoppedReason;
      task.stoppingAt = this.clock.now();
    });
    record.pending = this.clock.schedule(this.clock.now() + record.timings.deprovisioningMs, () =>
      this.toStopped(record),
    );
  }

  private toPending(record: TaskRecord): void {
    const { task } = record;
    this.transition(task, 'PENDING', () => {
      this.createEni(task);
      task.eni.status = 'ATTACHED';
      task.pullStartedAt = this.clock.now();
    });
    record.pending = this.clock.schedule(this.clock.now() + record.timings.pendingMs, () =>
      this.toRunning(record),
    );
  }

  private toRunning(record: TaskRecord): void {
    const { task } = record;
    this.transition(task, 'RUNNING', () => {
      const now = this.clock.now();
      task.pullStoppedAt = now;
      task.startedAt = now;
      for (const c of task.containers) {
        c.lastStatus = 'RUNNING';
        c.runtimeId = `${task.taskId}-${String(this.ids.int(1e10)).padStart(10, '0')}`;
        c.imageDigest = `sha256:${this.ids.hex(64)}`;
      }
    });
    const runTime = record.timings.runTimeMs;
    record.pending =
      runTime === null
        ? undefined
        : this.clock.schedule(this.clock.now() + runTime, () =>
            this.beginStop(record, 'EssentialContainerExited', 'Essential container in task exited', 0),
          );
  }

  /** Containers that ran get `exitCode`; the rest stop without one, as in real failed starts. */
  private beginStop(record: TaskRecord, stopCode: string, reason: string, exitCode: number): void {
    const { task } = record;
    this.transition(task, 'DEPROVISIONING', () => {
      const now = this.clock.now();
      task.desiredStatus = 'STOPPED';
      task.stopCode = stopCode;
      task.stoppedReason = reason;
      task.stoppingAt = now;
      if (task.startedAt !== undefined) {
        task.executionStoppedAt = now;
        for (const c of task.containers) {
          c.lastStatus = 'STOPPED';
          c.exitCode = exitCode;
        }
      }
      if (task.eni.networkInterfaceId) task.eni.status = 'DETACHING';
    });
    record.pending = this.clock.schedule(this.clock.now() + record.timings.deprovisioningMs, () =>
      this.toStopped(record),
    );
  }

  private toStopped(record: TaskRecord): void {
    const { task } = record;
    this.transition(task, 'STOPPED', () => {
      task.stoppedAt = this.clock.now();
      task.eni.status = 'DELETED';
      for (const c of task.containers) c.lastStatus = 'STOPPED';
    });
    record.pending = undefined;
  }

  private transition(task: SimTask, lastStatus: TaskStatus, mutate: () => void): void {
    mutate();
    task.lastStatus = lastStatus;
    task.version++;
    task.updatedAt = this.clock.now();
    this.queueStateChangeEvent(task);
  }

  private queueStateChangeEvent(task: SimTask): void {
    const detail = renderTask(task, 'event');
    const event: EcsSimulatorEvent = {
      version: '0',
      id: this.ids.uuid(),
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: this.accountId,
      time: isoSeconds(task.updatedAt),
      region: this.region,
      resources: [task.taskArn],
      detail,
    };
    // Emitted when the clock runs, never inside an API call: ECS delivers events asynchronously.
    this.clock.schedule(this.clock.now(), () => this.emit(event));
  }

  private scheduleCloudTrail(
    request: Record<string, unknown>,
    userAgent: string,
    callTime: number,
    response: Record<string, unknown> | undefined,
    error: EcsApiError | undefined,
  ): void {
    const tasks = Array.isArray(response?.tasks) ? response.tasks : [];
    const detail: Record<string, unknown> = {
      eventVersion: '1.10',
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROASANDBOXEXAMPLE0000:sandbox-session',
        arn: this.callerArn,
        accountId: this.accountId,
      },
      eventTime: isoSeconds(callTime),
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RunTask',
      awsRegion: this.region,
      sourceIPAddress: '127.0.0.1',
      userAgent,
      ...(error ? { errorCode: error.type, errorMessage: error.message } : {}),
      requestParameters: redactRequest(request),
      responseElements: response
        ? {
            tasks: tasks.flatMap((t: unknown) =>
              isRecord(t) && typeof t.taskArn === 'string' ? this.renderTrailTask(t.taskArn) : [],
            ),
            failures: response.failures,
          }
        : null,
      requestID: this.ids.uuid(),
      eventID: this.ids.uuid(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: this.accountId,
      eventCategory: 'Management',
    };
    const event: EcsSimulatorEvent = {
      version: '0',
      id: this.ids.uuid(),
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ecs',
      account: this.accountId,
      time: isoSeconds(callTime),
      region: this.region,
      resources: [],
      detail,
    };
    this.clock.schedule(callTime + this.cloudTrailDelayMs, () => this.emit(event));
  }

  private emit(event: EcsSimulatorEvent): void {
    this.eventLog.push(event);
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(event));
      } catch (error) {
        this.listenerErrorLog.push(error);
      }
    }
  }

  // ---------------------------------------------------------------- other operations

  private describeTasks(request: Record<string, unknown>): Record<string, unknown> {
    const cluster = this.resolveCluster(request.cluster);
    const ids = request.tasks;
    if (
      !Array.isArray(ids) ||
      ids.length === 0 ||
      ids.length > 100 ||
      !ids.every((t) => typeof t === 'string')
    ) {
      throw new EcsApiError(
        'InvalidParameterException',
        'tasks: between 1 and 100 task ids or ARNs are required.',
      );
    }
    const include = Array.isArray(request.include) ? request.include : [];
    const withTags = include.includes('TAGS');
    const tasks: Record<string, unknown>[] = [];
    const failures: Array<{ arn: string; reason: string }> = [];
    for (const id of ids as string[]) {
      const record = this.findTask(id, cluster);
      if (record) tasks.push(renderTask(record.task, 'api', withTags));
      else failures.push({ arn: id, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  private stopTask(request: Record<string, unknown>): Record<string, unknown> {
    const cluster = this.resolveCluster(request.cluster);
    if (typeof request.task !== 'string')
      throw new EcsApiError('InvalidParameterException', 'task: is required.');
    const record = this.findTask(request.task, cluster);
    if (!record) throw new EcsApiError('InvalidParameterException', 'The referenced task was not found.');
    if (record.task.desiredStatus !== 'STOPPED') {
      record.pending?.cancel();
      const reason = typeof request.reason === 'string' ? request.reason : 'Task stopped by user';
      // A SIGTERM'd container reports 143; containers that never started report nothing.
      this.beginStop(record, 'UserInitiated', reason, 143);
    }
    return { task: renderTask(record.task, 'api') };
  }

  private listTasks(request: Record<string, unknown>): Record<string, unknown> {
    const cluster = this.resolveCluster(request.cluster);
    const desired = typeof request.desiredStatus === 'string' ? request.desiredStatus : 'RUNNING';
    const taskArns = [...this.tasks.values()]
      .filter(({ task }) => task.clusterArn === cluster.arn && this.visible(task))
      .filter(({ task }) => task.desiredStatus === desired)
      .filter(({ task }) => typeof request.family !== 'string' || task.family === request.family)
      .filter(({ task }) => typeof request.startedBy !== 'string' || task.startedBy === request.startedBy)
      .filter(({ task }) => typeof request.launchType !== 'string' || task.launchType === request.launchType)
      .map(({ task }) => task.taskArn);
    return { taskArns };
  }

  // ---------------------------------------------------------------- helpers

  private findTask(arnOrId: string, cluster?: Cluster): TaskRecord | undefined {
    const record =
      this.tasks.get(arnOrId) ??
      [...this.tasks.values()].find(
        (r) => r.task.taskId === arnOrId && (!cluster || r.task.clusterArn === cluster.arn),
      );
    if (!record || (cluster && record.task.clusterArn !== cluster.arn) || !this.visible(record.task))
      return undefined;
    return record;
  }

  /** Stopped tasks disappear from the API after the retention period, like real ECS. */
  private visible(task: SimTask): boolean {
    return task.stoppedAt === undefined || this.clock.now() - task.stoppedAt <= this.retentionMs;
  }

  private renderApiTask(taskArn: string): Record<string, unknown>[] {
    const record = this.tasks.get(taskArn);
    return record ? [renderTask(record.task, 'api', record.task.tags.length > 0)] : [];
  }

  private renderTrailTask(taskArn: string): Record<string, unknown>[] {
    const record = this.tasks.get(taskArn);
    return record ? [renderTask(record.task, 'cloudtrail', record.task.tags.length > 0)] : [];
  }

  private taskDefinitionArn(family: string, revision: number): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${family}:${revision}`;
  }

  private defaultImage(family: string, container: string): string {
    return `${this.accountId}.dkr.ecr.${this.region}.amazonaws.com/${family}-${container}:latest`;
  }

  private derivedZone(subnetId: string): string {
    let hash = 0;
    for (const ch of subnetId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    return `${this.region}${'abc'.charAt(hash % 3)}`;
  }
}

// ------------------------------------------------------------------ pure helpers

interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** Turns Ajv errors into one message that names each offending field, like `overrides.containerOverrides[0].name`. */
function describeSchemaErrors(errors: readonly SchemaError[]): string {
  const parts = errors
    .filter((e) => e.keyword !== 'allOf')
    .map((e) => {
      let field = e.instancePath
        .split('/')
        .slice(1)
        .map((segment) => (/^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`))
        .join('')
        .replace(/^\./, '');
      const extra = e.params.additionalProperty ?? e.params.missingProperty;
      if (typeof extra === 'string') field = field ? `${field}.${extra}` : extra;
      // `not` guards forbidden values (e.g. propagateTags SERVICE); Ajv's own text is unhelpful there.
      const message = e.keyword === 'not' ? 'this value is not allowed' : (e.message ?? e.keyword);
      return `${field || 'request'}: ${message}`;
    });
  return [...new Set(parts)].join('; ');
}

function containerOverrideList(overrides: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const list = overrides?.containerOverrides;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** ECS reports overrides with every container listed (at least `{name}`), in task definition order. */
function reportedOverrides(
  overrides: Record<string, unknown> | undefined,
  containers: ReadonlyArray<{ readonly name: string }>,
): Record<string, unknown> {
  const byName = new Map<string, Record<string, unknown>>();
  for (const entry of containerOverrideList(overrides)) {
    if (typeof entry.name === 'string') byName.set(entry.name, entry);
  }
  const { containerOverrides: _ignored, ...taskLevel } = overrides ?? {};
  return {
    containerOverrides: containers.map((c) => structuredClone({ ...byName.get(c.name), name: c.name })),
    ...structuredClone(taskLevel),
  };
}

function awsvpcSubnets(request: Record<string, unknown>): string[] {
  const network = request.networkConfiguration;
  const awsvpc = isRecord(network) ? network.awsvpcConfiguration : undefined;
  const subnets = isRecord(awsvpc) ? awsvpc.subnets : undefined;
  return Array.isArray(subnets) ? subnets.filter((s): s is string => typeof s === 'string') : [];
}

function resolvePlatformVersion(value: unknown): string {
  if (value === undefined || value === 'LATEST') return '1.4.0';
  if (typeof value === 'string' && SUPPORTED_PLATFORM_VERSIONS.has(value)) return value;
  throw new EcsApiError(
    'PlatformUnknownException',
    `The specified platform version (${String(value)}) doesn't exist.`,
  );
}

function normalizeEniFailure(
  failure: EniFailure,
): { stoppedReason: string; eniCreated: boolean } | undefined {
  if (failure === null) return undefined;
  if (typeof failure === 'string') return { stoppedReason: failure, eniCreated: true };
  return { stoppedReason: failure.stoppedReason, eniCreated: failure.eniCreated ?? true };
}

function redactRequest(request: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(request);
  if (copy.overrides !== undefined) copy.overrides = hideEnvironment(copy.overrides);
  return copy;
}

function withoutKey(record: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}

/** JSON with sorted keys, so two requests with the same members compare equal in any key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
