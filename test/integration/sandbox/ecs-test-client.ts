import { ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';

type RetryStrategyV2 = Extract<
  NonNullable<ECSClientConfig['retryStrategy']>,
  { acquireInitialRetryToken: unknown }
>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;

/** Dummy credentials: the simulator does not check signatures, the SDK insists on signing. */
export const DUMMY_CREDENTIALS = { accessKeyId: 'AKIASANDBOX', secretAccessKey: 'sandbox-secret' };

function token(count: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => 0 };
}

/**
 * The SDK's retry decisions (which errors are retryable, same request and clientToken on retry)
 * without its real back-off delays, so retry tests stay fast.
 */
export function zeroDelayRetries(maxAttempts: number): RetryStrategyV2 {
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      const retryable = info.errorType !== 'CLIENT_ERROR';
      if (!retryable || previous.getRetryCount() + 1 >= maxAttempts)
        throw info.error ?? new Error('no more retries');
      return token(previous.getRetryCount() + 1);
    },
    recordSuccess: () => undefined,
  };
}

/** A real ECS client pointed at the simulator. */
export function ecsClient(endpoint: string | undefined, maxAttempts = 1): ECSClient {
  return new ECSClient({
    ...(endpoint ? { endpoint } : {}),
    region: 'us-east-1',
    credentials: DUMMY_CREDENTIALS,
    retryStrategy: zeroDelayRetries(maxAttempts),
  });
}
