/**
 * The whole product on a laptop: dynalite as DynamoDB, the ECS simulator, and the in-process
 * event bus routing events through the real rule patterns to the real handlers (middy chain,
 * real SDK clients pointed at the local endpoints through the standard AWS_ENDPOINT_URL_*
 * variables). No AWS account, no network beyond 127.0.0.1.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { DynamoAuditReader } from '../functions/adapters/dynamo-audit-reader';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../functions/core/catalog';
import type { Alert, Clock, TaskRelaunchedEvent } from '../functions/core/ports';
import type { RemediationResult, RemediatorDeps } from '../functions/core/remediate';
import { createLaunchRecorderHandler } from '../functions/launch-recorder/app';
import {
  type Clients,
  createClients,
  createDeps,
  createRemediatorHandler,
} from '../functions/remediator/app';
import { parseConfig, type RemediatorConfig } from '../functions/shared/config';
import { ENV } from '../functions/shared/env-names';
import { createMetrics, logPort, RecordingMetricsSink } from '../functions/shared/observability';
import { createAuditTable, type LocalDynamoDb, startDynamoDb } from './dynamodb-local';
import { EcsSimulator, type EcsSimulatorOptions } from './ecs-simulator';
import { type BusEvent, SandboxEventBus } from './event-bus';
import type { EventPattern } from './event-pattern';
import { createSeededRandom } from './seeded-random';
import { settleSandbox } from './settle';

export const SANDBOX_ACCOUNT = '111122223333';
export const SANDBOX_REGION = 'us-east-1';
export const SANDBOX_TABLE = 'eni-remediator-audit';

export const RULE_NAMES = Object.freeze({ eniFailure: 'eni-failure', runTask: 'runtask-cloudtrail' });

export interface SandboxOptions {
  /** Region the sandbox plays (events from other regions are foreign). @default us-east-1 */
  readonly region?: string;
  /** Account the deployment serves. @default 111122223333 */
  readonly accountId?: string;
  /** Extra or overriding environment for the functions (ENV names). */
  readonly env?: Readonly<Record<string, string>>;
  /** Rule patterns; default: the failure catalog's (a test passes the synthesized template's). */
  readonly patterns?: { readonly eniFailure: unknown; readonly runTask: unknown };
  readonly simulator?: EcsSimulatorOptions;
  /** Seed of the remediator's jitter. */
  readonly seed?: number;
  /** Drop a CloudTrail event before it reaches the bus (CloudTrail delivery is best effort). */
  readonly dropCloudTrail?: (event: BusEvent) => boolean;
  /** Deliver a second copy of a task state change event (ECS delivers at least once). */
  readonly duplicate?: (event: BusEvent) => boolean;
  /** Powertools log level of the functions. */
  readonly logLevel?: 'SILENT' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG';
}

export interface Sandbox {
  readonly sim: EcsSimulator;
  readonly bus: SandboxEventBus;
  readonly db: LocalDynamoDb;
  readonly clients: Clients;
  readonly config: RemediatorConfig;
  readonly reader: DynamoAuditReader;
  readonly deps: RemediatorDeps;
  readonly alerts: Alert[];
  readonly relaunched: TaskRelaunchedEvent[];
  readonly metrics: RecordingMetricsSink;
  /** What the remediator answered for every delivery, in completion order. */
  readonly results: RemediationResult[];
  /** The environment the functions and CLI see (endpoints, region, table). */
  readonly env: Readonly<Record<string, string>>;
  /** Runs the simulation and the bus until both are quiet. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** Default function settings in the sandbox: the product defaults, shorter waits. */
export const SANDBOX_FUNCTION_ENV: Readonly<Record<string, string>> = Object.freeze({
  [ENV.auditTableName]: SANDBOX_TABLE,
  [ENV.accountId]: SANDBOX_ACCOUNT,
  [ENV.launchRecordWaitMs]: '60000',
});

/** Starts dynalite, the ECS simulator and the bus, and wires the real handlers to the rules. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const region = options.region ?? SANDBOX_REGION;
  const accountId = options.accountId ?? SANDBOX_ACCOUNT;
  const db = await startDynamoDb();
  const sim = new EcsSimulator({ accountId, region, ...options.simulator });
  let ecsEndpoint: string;
  try {
    ecsEndpoint = (await sim.start()).endpoint;
  } catch (err) {
    await db.stop();
    throw err;
  }
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'sandbox',
    AWS_SECRET_ACCESS_KEY: 'sandbox',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_ECS: ecsEndpoint,
    // The functions run on Node.js 22+ in Lambda; a laptop on Node 20 need not be told each run.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...SANDBOX_FUNCTION_ENV,
    [ENV.accountId]: accountId,
    ...options.env,
  };
  // The SDK reads endpoints, region and credentials from the environment, as in Lambda.
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  delete process.env.AWS_PROFILE;
  const config = parseConfig(env);
  const clients = createClients();
  await createAuditTable(clients.dynamodb, config.tableName);

  const logger = new Logger({ serviceName: 'eni-remediator', logLevel: options.logLevel ?? 'SILENT' });
  const metrics = new RecordingMetricsSink();
  const alerts: Alert[] = [];
  const relaunched: TaskRelaunchedEvent[] = [];
  const results: RemediationResult[] = [];
  const bus = new SandboxEventBus();
  const random = createSeededRandom(options.seed ?? 11);
  // Waits inside the function (backoff, launch-record polling) pass simulated time.
  const clock: Clock = {
    now: () => sim.now(),
    sleep: async (ms) => sim.advance(ms),
  };
  const base = createDeps(config, clients, logger, createMetrics(), {
    clock,
    random: () => random.next(),
    metrics,
  });
  const deps: RemediatorDeps = {
    ...base,
    alerter: { alert: async (a) => void alerts.push(a) },
    publisher: {
      taskRelaunched: async (e) => {
        relaunched.push(e);
        bus.put({
          version: '0',
          id: randomUUID(),
          'detail-type': 'TaskRelaunched',
          source: 'eni-remediator',
          account: accountId,
          region,
          time: new Date(sim.now()).toISOString(),
          resources: [e.newTaskArn, e.oldTaskArn],
          detail: { ...e },
        });
      },
    },
  };
  const remediator = createRemediatorHandler({ deps, logger });
  const recorder = createLaunchRecorderHandler(
    {
      store: base.store,
      now: () => sim.now(),
      ttlHours: config.policy.launchRecordTtlHours,
      log: logPort(logger),
      metrics,
    },
    logger,
  );
  const context = (requestId: string) =>
    ({ awsRequestId: requestId, functionName: 'sandbox' }) as unknown as Context;
  bus.addRule({
    name: RULE_NAMES.eniFailure,
    pattern: (options.patterns?.eniFailure ?? buildEniFailurePattern()) as EventPattern,
    target: async (event, invocation) => {
      const result = (await remediator(event, context(invocation.requestId))) as RemediationResult;
      results.push(result);
      return result;
    },
  });
  bus.addRule({
    name: RULE_NAMES.runTask,
    pattern: (options.patterns?.runTask ?? buildRunTaskCloudTrailPattern()) as EventPattern,
    target: (event, invocation) => recorder(event, context(invocation.requestId)),
  });
  sim.onEvent((event) => {
    if (event['detail-type'] === 'AWS API Call via CloudTrail' && options.dropCloudTrail?.(event)) return;
    bus.put(event);
    if (event['detail-type'] === 'ECS Task State Change' && options.duplicate?.(event))
      bus.put(structuredClone(event));
  });

  return {
    sim,
    bus,
    db,
    clients,
    config,
    reader: new DynamoAuditReader(clients.dynamodb, config.tableName),
    deps,
    alerts,
    relaunched,
    metrics,
    results,
    env,
    settle: () => settleSandbox(sim, bus, { maxSteps: 100_000 }),
    stop: async () => {
      await bus.drain();
      for (const c of Object.values(clients)) c.destroy();
      await sim.stop();
      await db.stop();
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
