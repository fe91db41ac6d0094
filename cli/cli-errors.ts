/**
 * Exit codes and the errors the CLI reports. Every message says what to do next; AWS SDK errors
 * are recognised by their `name` (never by parsing a message) and mapped to an exit code.
 */

/** Process exit codes of `eni-remediator` (documented in the README). */
export const EXIT = Object.freeze({
  /** Done. */
  ok: 0,
  /** The operation ran and failed (redrive refused or failed, unexpected error). */
  failed: 1,
  /** Bad flags, arguments or input files. */
  usage: 2,
  /** The task, table or stack does not exist (where the CLI looked). */
  notFound: 3,
  /** No AWS credentials or region, expired credentials, or permission denied. */
  credentials: 4,
  /** AWS throttled the requests beyond the SDK's retries. */
  throttled: 5,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error with the exit code and the message to print (which says what to do next). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A bad flag, argument or input (exit 2). */
export class UsageError extends CliError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, EXIT.usage, options);
  }
}

/** Ends the command with a non-zero code once its output has been written. */
export class CliExit extends Error {
  override readonly name = 'CliExit';
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

/** Where the CLI was looking, for messages. */
export interface ErrorContext {
  readonly tableName?: string;
  readonly region?: string;
  readonly endpoint?: string;
  readonly profile?: string;
}

const CREDENTIAL_ERRORS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const REJECTED_CREDENTIAL_ERRORS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
]);
const ACCESS_ERRORS = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation']);
const THROTTLE_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN']);

function nameOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const e = err as { name?: unknown; code?: unknown };
  if (typeof e.code === 'string' && NETWORK_ERRORS.has(e.code)) return e.code;
  return typeof e.name === 'string' ? e.name : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function where(ctx: ErrorContext): string {
  const parts = [
    ctx.tableName ? `table ${ctx.tableName}` : undefined,
    ctx.region ? `region ${ctx.region}` : undefined,
    ctx.endpoint ? `endpoint ${ctx.endpoint}` : undefined,
  ].filter((p) => p !== undefined);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** Maps anything thrown by a command to a CliError with an exit code and a next step. */
export function toCliError(err: unknown, ctx: ErrorContext = {}): CliError {
  if (err instanceof CliError) return err;
  const name = nameOf(err);
  const at = where(ctx);
  if (CREDENTIAL_ERRORS.has(name) && ctx.profile) {
    return new CliError(
      `profile "${ctx.profile}" gave no credentials (is it in ~/.aws/config or ~/.aws/credentials, and logged in?): ` +
        'check `aws configure list-profiles`, run `aws sso login --profile ' +
        `${ctx.profile}\`, or pick another --profile`,
      EXIT.credentials,
      { cause: err },
    );
  }
  if (CREDENTIAL_ERRORS.has(name)) {
    return new CliError(
      'no AWS credentials found: run `aws configure` or `aws sso login`, set AWS_PROFILE or pass --profile, ' +
        'or use --endpoint for the local sandbox',
      EXIT.credentials,
      { cause: err },
    );
  }
  if (REJECTED_CREDENTIAL_ERRORS.has(name)) {
    return new CliError(
      `AWS rejected the credentials${at} (${name}): refresh them (\`aws sso login\`, new session token) ` +
        'or pick another --profile',
      EXIT.credentials,
      { cause: err },
    );
  }
  if (ACCESS_ERRORS.has(name)) {
    return new CliError(
      `permission denied${at}: ${messageOf(err)}. The caller needs dynamodb:Query and dynamodb:GetItem on the ` +
        'table and its indexes (and cloudformation:DescribeStacks to find the table, ecs:RunTask and ' +
        'ecs:DescribeTasks to redrive)',
      EXIT.credentials,
      { cause: err },
    );
  }
  if (THROTTLE_ERRORS.has(name)) {
    return new CliError(
      `AWS throttled the requests${at} (${name}) beyond the SDK's retries: wait a minute and run again, ` +
        'or narrow the query (--since/--until, --cluster, --limit)',
      EXIT.throttled,
      { cause: err },
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new CliError(
      `audit table not found${at}: check --region/--profile, pass --table NAME or set ENI_REMEDIATOR_TABLE`,
      EXIT.notFound,
      { cause: err },
    );
  }
  if (NETWORK_ERRORS.has(name)) {
    return new CliError(
      `cannot reach AWS${at} (${name}): check the network, --region and --endpoint (is the sandbox running?)`,
      EXIT.failed,
      { cause: err },
    );
  }
  return new CliError(`${name ? `${name}: ` : ''}${messageOf(err)}`, EXIT.failed, { cause: err });
}
