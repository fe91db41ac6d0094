/**
 * Which audit table the CLI reads: `--table`, else `ENI_REMEDIATOR_TABLE`, else the output
 * `AuditTableName` of the deployed CloudFormation stack (`--stack`, default EniRemediator).
 */
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError, EXIT, toCliError } from './cli-errors';

/** Output key of the stack that holds the audit table's name (infra/remediator-stack.ts sets it). */
export const AUDIT_TABLE_OUTPUT_KEY = 'AuditTableName';

/** Stack the CLI reads the table name from when neither --table nor the variable is set. */
export const DEFAULT_STACK_NAME = 'EniRemediator';

/** Environment variable naming the audit table. */
export const TABLE_ENV_VAR = 'ENI_REMEDIATOR_TABLE';

/** Where the table name came from. */
export interface DiscoveredTable {
  readonly name: string;
  readonly source: 'flag' | 'env' | 'stack';
}

/** Inputs of {@link discoverTableName}. */
export interface TableDiscoveryInput {
  readonly table?: string;
  readonly stack: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Set when DynamoDB is a local endpoint (the sandbox has no CloudFormation). */
  readonly localEndpoint?: string;
  /** The named profile in use, for error messages. */
  readonly profile?: string;
  readonly region?: string;
  readonly cloudFormation: () => CloudFormationClient;
}

/** Finds the audit table's name; throws a CliError that says how to name it otherwise. */
export async function discoverTableName(input: TableDiscoveryInput): Promise<DiscoveredTable> {
  const fromFlag = input.table?.trim();
  if (fromFlag) return { name: fromFlag, source: 'flag' };
  const fromEnv = input.env[TABLE_ENV_VAR]?.trim();
  if (fromEnv) return { name: fromEnv, source: 'env' };
  if (input.localEndpoint) {
    throw new CliError(
      `--endpoint ${input.localEndpoint} has no CloudFormation stack to read the table name from: ` +
        `pass --table NAME or set ${TABLE_ENV_VAR}`,
      EXIT.usage,
    );
  }
  const where = input.region ? ` in region ${input.region}` : '';
  let outputs: { OutputKey?: string; OutputValue?: string }[] = [];
  try {
    const out = await input.cloudFormation().send(new DescribeStacksCommand({ StackName: input.stack }));
    outputs = out.Stacks?.[0]?.Outputs ?? [];
  } catch (err) {
    // CloudFormation answers ValidationError for a stack that does not exist.
    if ((err as { name?: unknown }).name === 'ValidationError') {
      throw new CliError(
        `stack ${input.stack} not found${where}: pass --stack NAME (the stack that deployed eni-remediator), ` +
          `--table NAME, or set ${TABLE_ENV_VAR}; check --region/--profile`,
        EXIT.notFound,
        { cause: err },
      );
    }
    throw toCliError(err, { region: input.region, profile: input.profile });
  }
  const name = outputs.find((o) => o.OutputKey === AUDIT_TABLE_OUTPUT_KEY)?.OutputValue;
  if (!name) {
    throw new CliError(
      `stack ${input.stack}${where} has no output ${AUDIT_TABLE_OUTPUT_KEY}: is it the eni-remediator stack? ` +
        `Pass --stack NAME or --table NAME`,
      EXIT.notFound,
    );
  }
  return { name, source: 'stack' };
}
