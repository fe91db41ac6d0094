/**
 * `redrive <task ARN>`: relaunches a chain that gave up, failed or was unresolved (after an
 * incident, or once the launch parameters are known), with the production dependencies
 * (functions/remediator/app.ts createDeps) on the clients of the flags. Asks for confirmation on a
 * terminal (`--yes` skips it; without a terminal `--yes` is required). The chain records who
 * redrove it (`--by`, else the USER variable: the STS client is not a dependency of this project).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoAuditReader } from '../functions/adapters/dynamo-audit-reader';
import { type RedriveResult, redriveChain } from '../functions/core/remediate';
import { createDeps } from '../functions/remediator/app';
import { parseConfig } from '../functions/shared/config';
import { ENV } from '../functions/shared/env-names';
import { createMetrics, RecordingMetricsSink, SERVICE_NAME } from '../functions/shared/observability';
import { checkTaskArn, taskNotFound } from './audit-show';
import type { AwsContext } from './aws-context';
import { CliError, EXIT, type ExitCode, UsageError } from './cli-errors';
import { type CliIo, promptConfirm } from './cli-io';
import { type Colors, cell, paintOutcome, renderJson } from './output';
import { RAW_QUERIES } from './raw-queries';
import { parseNetworkDefaults } from './replay';

/** Options of `redrive`. */
export interface RedriveOptions {
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  /** Who redrives, recorded on the chain. */
  readonly by?: string;
  /** NETWORK_DEFAULTS JSON for chains whose network configuration was never known. */
  readonly networkDefaults?: string;
  /** Bus for the TaskRelaunched event. */
  readonly eventBus?: string;
  /** SNS topic for alerts, if the redrive fails. */
  readonly alertTopic?: string;
}

/** The identity recorded as `redrivenBy`. */
export function operatorIdentity(
  options: { by?: string },
  env: Readonly<Record<string, string | undefined>>,
): string {
  const by = options.by?.trim() || env.USER || env.USERNAME || env.LOGNAME;
  if (!by) throw new UsageError('cannot tell who is redriving: pass --by NAME (recorded on the chain)');
  return by;
}

/** Exit code of a redrive result: 0 relaunched or dry run, 1 refused or failed. */
export function redriveExitCode(result: RedriveResult): ExitCode {
  return result.outcome === 'RELAUNCHED' || result.outcome === 'DRY_RUN' ? EXIT.ok : EXIT.failed;
}

/** Runs `redrive`; returns the result, or undefined when the operator declined. */
export async function redrive(
  taskArnText: string,
  options: RedriveOptions,
  ctx: AwsContext,
  io: CliIo,
): Promise<RedriveResult | undefined> {
  const taskArn = checkTaskArn(taskArnText);
  const by = operatorIdentity(options, io.env);
  const networkDefaults = options.networkDefaults?.trim();
  if (networkDefaults) parseNetworkDefaults(networkDefaults);
  const ask = !options.dryRun && !options.yes;
  if (ask && !(io.stdinIsTTY ?? io.isTTY) && !io.confirm) {
    throw new UsageError('redrive starts tasks: confirm it on a terminal, or pass --yes (scripts)');
  }
  const tableName = await ctx.tableName();
  const reader = new DynamoAuditReader(ctx.dynamodb(), tableName);
  const [pointer] = await reader.queryAll(RAW_QUERIES.taskPointer.spec({ taskArn }));
  const rootTaskArn = typeof pointer?.rootTaskArn === 'string' ? pointer.rootTaskArn : undefined;
  if (!rootTaskArn) throw taskNotFound(taskArn, tableName, ctx.endpoint ? undefined : ctx.region);

  if (ask) {
    const chain = (await reader.queryAll(RAW_QUERIES.chain.spec({ rootTaskArn }))).find(
      (i) => i.type === 'CHAIN',
    );
    const what = chain
      ? `${cell(chain.family)} in cluster ${cell(chain.clusterName)}, ${cell(chain.outcome)} (${cell(chain.reasonCode)})`
      : 'no summary yet';
    const ok = await promptConfirm(
      io,
      `Relaunch the chain of ${rootTaskArn}\n  ${what}\n  with RunTask, recorded as redriven by ${by}?`,
    );
    if (!ok) return undefined;
  }

  const config = parseConfig({
    [ENV.auditTableName]: tableName,
    [ENV.networkDefaults]: networkDefaults,
    [ENV.eventBusName]: options.eventBus,
    [ENV.alertTopicArn]: options.alertTopic,
  });
  const logger = new Logger({ serviceName: SERVICE_NAME, logLevel: 'SILENT' });
  const deps = createDeps(config, ctx.clients(), logger, createMetrics(), {
    metrics: new RecordingMetricsSink(),
  });
  return redriveChain({ taskArn, by, dryRun: options.dryRun === true }, deps);
}

/** Formats a redrive result. */
export function formatRedrive(result: RedriveResult, json: boolean, c: Colors): string {
  if (json) return renderJson(result);
  const lines = [`${paintOutcome(result.outcome, c)}: ${result.message}`];
  if (result.rootTaskArn) lines.push(`  chain     ${result.rootTaskArn}`);
  if (result.attempt !== undefined) lines.push(`  attempt   ${result.attempt}`);
  if (result.newTaskArn) lines.push(`  new task  ${result.newTaskArn}`);
  if (result.request) {
    lines.push(`  RunTask request${result.outcome === 'DRY_RUN' ? ' it would send' : ''}:`);
    lines.push(
      ...JSON.stringify(result.request, null, 2)
        .split('\n')
        .map((l) => `    ${l}`),
    );
  }
  if (result.rootTaskArn) lines.push(c.dim(`  see: eni-remediator audit show ${result.rootTaskArn}`));
  return `${lines.join('\n')}\n`;
}

/** Raised when the operator declines the prompt. */
export function declined(): CliError {
  return new CliError('not redriven: the operator declined', EXIT.failed);
}
