/** Composition of the launch recorder: middy + Powertools around recordLaunch. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { type RecorderDeps, type RecordResult, recordLaunch } from '../core/launch-record';

export function createLaunchRecorderHandler(deps: RecorderDeps, logger: Logger, metrics?: Metrics) {
  const base = async (event: unknown): Promise<RecordResult> => recordLaunch(event, deps);
  const chain = middy(base).use(injectLambdaContext(logger, { correlationIdPath: 'id' }));
  return metrics ? chain.use(logMetrics(metrics)) : chain;
}
