/**
 * Launch recorder Lambda.
 * Trigger: EventBridge rule on "AWS API Call via CloudTrail" for successful ecs:RunTask calls.
 * Idempotency: one PutItem per returned task ARN; a redelivery writes the same record again.
 * Steps: validate → pick the request fields the stop event lacks → store per task ARN (short TTL).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoAuditStore } from '../adapters/dynamo-audit-store';
import { parseConfig } from '../shared/config';
import { createLogger, createMetrics, logPort, PowertoolsMetricsSink } from '../shared/observability';
import { createLaunchRecorderHandler } from './app';

const config = parseConfig(process.env);
const logger = createLogger('eni-remediator-launch-recorder');
const metrics = createMetrics(process.env.POWERTOOLS_METRICS_NAMESPACE, 'eni-remediator');

export const handler = createLaunchRecorderHandler(
  {
    store: new DynamoAuditStore(new DynamoDBClient({}), config.tableName),
    now: () => Date.now(),
    ttlHours: config.policy.launchRecordTtlHours,
    log: logPort(logger),
    metrics: new PowertoolsMetricsSink(metrics),
  },
  logger,
  metrics,
);
