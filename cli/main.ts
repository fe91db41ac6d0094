/**
 * `eni-remediator`: the operators' command line.
 *
 *   audit list | show <task ARN> | stats   the audit trail, over the table's GSIs (never a Scan)
 *   replay <file|folder|->                 dry-run decisions on exported events (no table needed)
 *   redrive <task ARN>                     relaunch a chain that gave up, failed or was unresolved
 *   demo                                   the main job on the embedded sandbox
 *
 * AWS through the standard chain (`--region`, `--profile`), the sandbox through `--endpoint` or
 * `AWS_ENDPOINT_URL_*`. The table comes from `--table`, `ENI_REMEDIATOR_TABLE` or the stack output.
 * `buildProgram(io)` runs in-process (tests capture the output); `main(argv)` is the process entry.
 */

import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { MemoryAuditStore } from '../functions/adapters/memory-audit-store';
import { OUTCOMES } from '../functions/core/audit-schema';
import type { Sandbox } from '../sandbox/sandbox-stack';
import { auditList, formatList, parseOutcome, rangeOf } from './audit-list';
import { checkTaskArn, formatShow, loadChainView, taskNotFound } from './audit-show';
import { auditStats, formatStats } from './audit-stats';
import { AwsContext, type AwsOptions } from './aws-context';
import { CliError, CliExit, EXIT, toCliError, UsageError } from './cli-errors';
import { type CliIo, processIo } from './cli-io';
import { type DemoContext, runDemo } from './demo';
import { colorsFor, formatOf, printable, writeLine } from './output';
import { declined, formatRedrive, type RedriveOptions, redrive, redriveExitCode } from './redrive';
import { formatReplay, parseNetworkDefaults, replayEvents } from './replay';
import { readInputs } from './replay-input';
import { DEFAULT_STACK_NAME, TABLE_ENV_VAR } from './table-discovery';
import { DEFAULT_RANGE_DAYS, RELATIVE_TIME_EXAMPLES } from './time-range';

/** Help text listing the exit codes. */
export const EXIT_CODES_HELP = `
Exit codes:
  0  done
  1  the operation failed (redrive refused, failed or declined; replay internal error)
  2  usage or input error (bad flag, unreadable events file)
  3  not found (task not in the table, table or stack missing)
  4  AWS credentials, region or permission problem
  5  throttled by AWS beyond the SDK's retries`;

/** Events at or above which replay prints progress on a terminal. */
const PROGRESS_THRESHOLD = 50;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--network-defaults` takes JSON or a file holding it. */
function jsonOrFile(value: string): string {
  const text = value.trim();
  if (text.startsWith('{') || !existsSync(text)) return text;
  return readFileSync(text, 'utf8');
}

function awsOptionsOf(cmd: Command, arnRegion?: string): AwsOptions {
  const o = cmd.optsWithGlobals<AwsOptions>();
  // A task's audit trail lives in its own region: without --region, the ARN names it.
  return {
    region: o.region ?? arnRegion,
    profile: o.profile,
    endpoint: o.endpoint,
    table: o.table,
    stack: o.stack,
  };
}

/** The region of an ECS ARN argument, when it looks like one. */
function regionOfArn(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return arn.startsWith('arn:') && region && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region) ? region : undefined;
}

/**
 * Runs one command body with its AWS context: prints errors with their next step and ends with
 * the right exit code (by throwing CliExit, which runCli turns into the code).
 */
async function withContext(
  io: CliIo,
  cmd: Command,
  body: (ctx: AwsContext) => Promise<number>,
  arnRegion?: string,
): Promise<void> {
  const ctx = new AwsContext(awsOptionsOf(cmd, arnRegion), io);
  let code: number;
  try {
    code = await body(ctx);
  } catch (err) {
    if (err instanceof CliExit) throw err;
    const cliError = toCliError(err, await ctx.errorContext());
    writeLine(
      io.err,
      `${colorsFor({ ...io, isTTY: io.errIsTTY ?? io.isTTY }).red('error:')} ${printable(cliError.message, { keepLineBreaks: true })}`,
    );
    code = cliError.exitCode;
  } finally {
    ctx.destroy();
  }
  if (code !== EXIT.ok) throw new CliExit(code);
}

/** Builds the command tree; actions write to io and throw CliExit for a non-zero exit code. */
export function buildProgram(io: CliIo): Command {
  const now = () => io.now?.() ?? Date.now();
  const c = colorsFor(io);
  const program = new Command('eni-remediator')
    .description('Query the ENI remediator audit trail, dry-run exported events, redrive chains.')
    .configureOutput({
      writeOut: (s) => io.out.write(s),
      writeErr: (s) => io.err.write(s),
      outputError: (s, write) => write(s),
    })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .option('--region <region>', 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION or the profile)')
    .option('--profile <name>', 'AWS named profile (default: AWS_PROFILE or the standard chain)')
    .option('--endpoint <url>', 'DynamoDB endpoint, e.g. the sandbox (AWS_ENDPOINT_URL_DYNAMODB works too)')
    .option('--table <name>', `audit table (default: ${TABLE_ENV_VAR}, else the stack output)`)
    .option('--stack <name>', 'CloudFormation stack holding the table name', DEFAULT_STACK_NAME)
    .addHelpText('after', EXIT_CODES_HELP);

  const audit = program.command('audit').description('the audit trail: list, show, stats');

  const rangeOptions = (cmd: Command) =>
    cmd
      .option(
        '--since <time>',
        `start: ISO time, UTC day (YYYY-MM-DD) or relative (${RELATIVE_TIME_EXAMPLES}); default ${DEFAULT_RANGE_DAYS}d`,
      )
      .option('--until <time>', 'end, same formats; default now')
      .option('--day <YYYY-MM-DD>', 'one UTC day (instead of --since/--until)');

  rangeOptions(
    audit
      .command('list')
      .description('remediations by cluster, outcome and time (byCluster / byOutcomeDay indexes)')
      .option('--cluster <name>', 'cluster name (Query on the byCluster index)')
      .option('--outcome <outcome>', `outcome (Query on the byOutcomeDay index): ${OUTCOMES.join(', ')}`)
      .option('--family <family>', 'task definition family (filter)'),
  )
    .option('--limit <n>', 'items per page (1-1000)', positiveInt, 50)
    .option('--next-token <token>', 'continue from the page that printed it')
    .option('--json', 'JSON: { range, items, nextToken }')
    .option('--csv', 'CSV')
    .action(async (options, cmd: Command) =>
      withContext(io, cmd, async (ctx) => {
        const format = formatOf(options);
        const outcome = options.outcome === undefined ? undefined : parseOutcome(options.outcome);
        const filters = { cluster: options.cluster, family: options.family, outcome };
        // Validate flags before any AWS call.
        if (!options.nextToken) rangeOf(options, now());
        const reader = await ctx.reader();
        const result = await auditList(
          reader,
          {
            ...filters,
            day: options.day,
            since: options.since,
            until: options.until,
            limit: options.limit,
            nextToken: options.nextToken,
          },
          now(),
        );
        io.out.write(formatList(result, format, c, filters.cluster !== undefined));
        return EXIT.ok;
      }),
    );

  audit
    .command('show')
    .description('the whole chain of a task (root, replacement or skipped) as a timeline')
    .argument('<taskArn>', 'any task ARN of the chain')
    .option('--json', 'JSON: chain, failures, attempts, pointers, events, timeline')
    .action(async (taskArnText: string, options, cmd: Command) =>
      withContext(
        io,
        cmd,
        async (ctx) => {
          const format = formatOf(options, false);
          const taskArn = checkTaskArn(taskArnText);
          const reader = await ctx.reader();
          const view = await loadChainView(reader, taskArn);
          if (!view) throw taskNotFound(taskArn, reader.tableName, ctx.endpoint ? undefined : ctx.region);
          io.out.write(formatShow(view, format, c));
          return EXIT.ok;
        },
        regionOfArn(taskArnText),
      ),
    );

  rangeOptions(
    audit
      .command('stats')
      .description(
        'counts by outcome, reason, cluster, day, failed subnet/AZ; recovery rate; median recovery',
      )
      .option('--cluster <name>', 'only this cluster (filter)')
      .option('--family <family>', 'only this task definition family (filter)'),
  )
    .option('--json', 'JSON')
    .option('--csv', 'CSV: dimension,key,count')
    .action(async (options, cmd: Command) =>
      withContext(io, cmd, async (ctx) => {
        const format = formatOf(options);
        const range = rangeOf(options, now());
        const reader = await ctx.reader();
        const stats = await auditStats(reader, { cluster: options.cluster, family: options.family }, range);
        io.out.write(formatStats(stats, format, c));
        return EXIT.ok;
      }),
    );

  program
    .command('replay')
    .description('dry-run the remediator on exported events: decision, reason, the RunTask it would send')
    .argument(
      '<inputs...>',
      'files or folders of events (JSON, JSON Lines, CloudWatch Logs exports), or - for stdin',
    )
    .option(
      '--launch-records <file>',
      'CloudTrail RunTask events or launch records to seed (repeatable)',
      collect,
    )
    .option(
      '--network-defaults <json|file>',
      'NETWORK_DEFAULTS JSON: {"<cluster or *>": {"subnets": [...], "securityGroups": [...]}}',
    )
    .option('--now', 'judge lateness against the real time (default: each event stop time + 1 s)')
    .option('--json', 'JSON array, one object per event')
    .option('--csv', 'CSV, one line per event')
    .action(async (inputs: string[], options, cmd: Command) =>
      withContext(io, cmd, async () => {
        const format = formatOf(options);
        const networkDefaults =
          options.networkDefaults === undefined
            ? undefined
            : parseNetworkDefaults(jsonOrFile(options.networkDefaults));
        const events = await readInputs(inputs, io);
        if (events.length === 0) {
          throw new UsageError(
            `no events in ${inputs.join(', ')}: give a file, a folder or - with at least one event`,
          );
        }
        const launchRecords = options.launchRecords ? await readInputs(options.launchRecords, io) : [];
        const progress = (io.errIsTTY ?? io.isTTY) && events.length >= PROGRESS_THRESHOLD;
        const step = Math.max(1, Math.floor(events.length / 100));
        const rows = await replayEvents(events, new MemoryAuditStore(), {
          launchRecords,
          networkDefaults,
          now: options.now ? now : undefined,
          onWarning: (message) => writeLine(io.err, `warning: ${printable(message)}`),
          onProgress: progress
            ? (done, total) => {
                if (done % step === 0 || done === total) io.err.write(`\rreplaying ${done}/${total} events`);
                if (done === total) io.err.write('\r\x1b[K');
              }
            : undefined,
        });
        io.out.write(formatReplay(rows, format, c));
        const broken = rows.filter((r) => r.action === 'replay-error').length;
        if (broken > 0) {
          writeLine(io.err, `error: ${broken} event(s) could not be replayed (see "replay error" rows)`);
          return EXIT.failed;
        }
        return EXIT.ok;
      }),
    );

  program
    .command('redrive')
    .description('relaunch a chain that gave up, failed or was unresolved; records who did it')
    .argument('<taskArn>', 'any task ARN of the chain')
    .option('-y, --yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--dry-run', 'show the RunTask request it would send, send nothing')
    .option('--by <name>', 'who redrives, recorded on the chain (default: $USER)')
    .option(
      '--network-defaults <json|file>',
      'network configuration for chains whose launch parameters were never known',
    )
    .option('--event-bus <name>', 'bus for the TaskRelaunched event', 'default')
    .option('--alert-topic <arn>', 'SNS topic to alert if the redrive fails')
    .option('--json', 'JSON')
    .action(async (taskArn: string, options: RedriveOptions & { json?: boolean }, cmd: Command) =>
      withContext(
        io,
        cmd,
        async (ctx) => {
          const result = await redrive(
            taskArn,
            {
              ...options,
              networkDefaults:
                options.networkDefaults === undefined ? undefined : jsonOrFile(options.networkDefaults),
            },
            ctx,
            io,
          );
          if (!result) throw declined();
          io.out.write(formatRedrive(result, options.json === true, c));
          return redriveExitCode(result);
        },
        regionOfArn(taskArn),
      ),
    );

  program
    .command('demo')
    .description('run the main job on the embedded sandbox (no AWS account needed)')
    .option('--events <file|folder>', 'exported events to run instead of the built-in scenario')
    .option('--json', 'machine-readable summary')
    .option(
      '--keep',
      'keep the sandbox running after the summary (Ctrl-C stops it) to try the commands on it',
    )
    .action(async (options: { events?: string; json?: boolean; keep?: boolean }) => {
      const code = await runDemo({
        events: options.events,
        json: options.json,
        out: io.out,
        err: io.err,
        color: io.isTTY && !io.env.NO_COLOR,
        keep: options.keep,
        stopSignal: () => new Promise<void>((resolve) => process.once('SIGINT', () => resolve())),
        afterRun: (sandbox, context) => demoAuditAnswers(io, sandbox, context),
      });
      if (code !== 0) throw new CliExit(code);
    });

  return program;
}

/**
 * After the demo's summary, the everyday questions answered by the same commands an operator
 * runs, pointed at the sandbox table (and at the simulated clock, which runs ahead of the wall).
 */
async function demoAuditAnswers(io: CliIo, sandbox: Sandbox, context: DemoContext): Promise<void> {
  const sandboxIo: CliIo = { ...io, now: () => sandbox.sim.now() };
  const base = [
    '--endpoint',
    sandbox.db.endpoint,
    '--table',
    sandbox.config.tableName,
    '--region',
    sandbox.env.AWS_REGION ?? 'us-east-1',
  ];
  const day = new Date(sandbox.sim.now()).toISOString().slice(0, 10);
  const questions: [string, string[]][] = [];
  if (context.exampleTaskArn)
    questions.push(['What happened to this task?', ['audit', 'show', context.exampleTaskArn]]);
  if (context.busiestCluster) {
    questions.push([
      `What did it do in cluster ${context.busiestCluster} this week?`,
      ['audit', 'list', '--cluster', context.busiestCluster, '--since', '7d'],
    ]);
  }
  questions.push(['What gave up today?', ['audit', 'list', '--outcome', 'GAVE_UP', '--day', day]]);
  questions.push(['How did it do this week?', ['audit', 'stats', '--since', '7d']]);
  for (const [question, args] of questions) {
    writeLine(io.out, '');
    writeLine(io.out, `${question}  $ eni-remediator ${args.join(' ')}`);
    await runCli([...base, ...args], sandboxIo);
  }
}

/** Runs the CLI in-process; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CliExit) return err.exitCode;
    if (err instanceof CommanderError) {
      // Help and version end with 0; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const cliError = err instanceof CliError ? err : toCliError(err);
    writeLine(io.err, `error: ${printable(cliError.message, { keepLineBreaks: true })}`);
    return cliError.exitCode;
  }
}

/** Process entry: runs the CLI on `process` and sets the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // The SDK warns on every run under Node 20 about its future support policy: noise for operators.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.exitCode = await runCli(argv, processIo());
}

if (require.main === module) void main();
