/**
 * Domain errors. Decide by class, never by parsing a message.
 * Retryable errors reach Lambda's retry and, in the end, the dead-letter queue.
 */

/** Base class: everything the core throws on purpose. */
export class RemediatorError extends Error {
  override readonly name: string = 'RemediatorError';
  /** true when Lambda should retry the whole invocation (the event is not lost). */
  readonly retryable: boolean = false;
}

/** The event does not have the shape of an ECS Task State Change. */
export class InvalidEventError extends RemediatorError {
  override readonly name = 'InvalidEventError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** ECS definitely refused the request (4xx): retrying the same request cannot help. */
export class LaunchRejectedError extends RemediatorError {
  override readonly name = 'LaunchRejectedError';
  constructor(
    message: string,
    readonly errorName: string,
    readonly apiCalls: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The clientToken is bound to a different request (ConflictException). */
export class ConflictingTokenError extends RemediatorError {
  override readonly name = 'ConflictingTokenError';
  constructor(
    message: string,
    readonly boundTaskArns: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Throttling, 5xx or network failure that outlived the SDK's retries: try the invocation again. */
export class TransientLaunchError extends RemediatorError {
  override readonly name = 'TransientLaunchError';
  override readonly retryable = true;
  constructor(
    message: string,
    readonly errorName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The request we built does not satisfy the RunTask model. */
export class InvalidRunTaskRequestError extends RemediatorError {
  override readonly name = 'InvalidRunTaskRequestError';
  constructor(
    message: string,
    readonly problems: string[],
  ) {
    super(message);
  }
}

/** A configuration value is invalid; thrown at cold start with the variable's name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}
