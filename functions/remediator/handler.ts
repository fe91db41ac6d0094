/**
 * Remediator Lambda.
 * Trigger: EventBridge rule on "ECS Task State Change" (STOPPED, TaskFailedToStart, ENI reasons
 * from the failure catalog), asynchronous invocation with retries and an on-failure destination.
 * Idempotency: a conditional claim on the failed task ARN, and a RunTask clientToken derived from
 * (root task ARN, attempt), so duplicates and retries never start a second replacement.
 * Steps: validate → classify → decide → claim → resolve launch → RunTask → record.
 */

import { createLogger, createMetrics } from '../shared/observability';
import { createClients, createDeps, createRemediatorHandler, parseConfig } from './app';

const config = parseConfig(process.env);
const logger = createLogger();
const metrics = createMetrics(process.env.POWERTOOLS_METRICS_NAMESPACE);
const clients = createClients();

export const handler = createRemediatorHandler({
  deps: createDeps(config, clients, logger, metrics),
  logger,
  metrics,
});
