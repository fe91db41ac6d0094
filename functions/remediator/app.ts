/**
 * Composition of the remediator function: the middy chain around the core, and the production
 * dependencies (module-scope SDK clients, config parsed once). handler.ts wires them; tests and
 * the sandbox call createRemediatorHandler with their own dependencies.
 */

import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { DynamoAuditStore } from '../adapters/dynamo-audit-store';
import { EcsTaskLauncher } from '../adapters/ecs-task-launcher';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher';
import { SnsAlerter } from '../adapters/sns-alerter';
import type { Clock } from '../core/ports';
import { type RemediationResult, type RemediatorDeps, remediate } from '../core/remediate';
import { parseConfig, type RemediatorConfig } from '../shared/config';
import { logPort, PowertoolsMetricsSink } from '../shared/observability';

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface HandlerParts {
  readonly deps: RemediatorDeps;
  readonly logger: Logger;
  readonly metrics?: Metrics;
}

/** The remediator's Lambda handler: middy + Powertools around the pure core. */
export function createRemediatorHandler(parts: HandlerParts) {
  const base = async (event: unknown, context?: Context): Promise<RemediationResult> => {
    const detail = (event as { detail?: { taskArn?: unknown } } | null)?.detail;
    if (typeof detail?.taskArn === 'string') parts.logger.appendKeys({ taskArn: detail.taskArn });
    if (context?.awsRequestId) parts.logger.appendKeys({ requestId: context.awsRequestId });
    try {
      return await remediate(event, parts.deps, { requestId: context?.awsRequestId });
    } finally {
      parts.logger.removeKeys(['taskArn', 'requestId']);
    }
  };
  const chain = middy(base).use(injectLambdaContext(parts.logger, { correlationIdPath: 'id' }));
  return parts.metrics ? chain.use(logMetrics(parts.metrics, { captureColdStartMetric: true })) : chain;
}

export interface Clients {
  readonly dynamodb: DynamoDBClient;
  readonly ecs: ECSClient;
  readonly sns: SNSClient;
  readonly events: EventBridgeClient;
}

/** SDK clients from the standard chain: region, credentials and AWS_ENDPOINT_URL_* from the environment. */
export function createClients(): Clients {
  // Bounded waits: a hung connection must not eat the function's timeout. A RunTask that timed
  // out after ECS accepted it is retried by the SDK with the same clientToken (no second task).
  const http = { connectionTimeout: 3_000, requestTimeout: 10_000, throwOnRequestTimeout: true };
  return {
    dynamodb: new DynamoDBClient({ requestHandler: http }),
    ecs: new ECSClient({ maxAttempts: 5, requestHandler: http }),
    sns: new SNSClient({ requestHandler: http }),
    events: new EventBridgeClient({ requestHandler: http }),
  };
}

/** Production dependencies from a parsed config and clients. */
export function createDeps(
  config: RemediatorConfig,
  clients: Clients,
  logger: Logger,
  metrics: Metrics,
  overrides: Partial<Pick<RemediatorDeps, 'clock' | 'random' | 'metrics'>> = {},
): RemediatorDeps {
  return {
    store: new DynamoAuditStore(clients.dynamodb, config.tableName),
    launcher: new EcsTaskLauncher(clients.ecs),
    alerter: new SnsAlerter(clients.sns, config.alertTopicArn),
    publisher: new EventBridgePublisher(clients.events, config.eventBusName),
    clock: overrides.clock ?? systemClock,
    random: overrides.random ?? Math.random,
    metrics: overrides.metrics ?? new PowertoolsMetricsSink(metrics),
    policy: config.policy,
    log: logPort(logger),
  };
}

export { parseConfig };
