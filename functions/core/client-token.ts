import { createHash } from 'node:crypto';

/**
 * The RunTask clientToken of relaunch attempt `attempt` of the chain rooted at `rootTaskArn`.
 * Deterministic, so a crashed and retried invocation (or a duplicate event) sends the same token
 * and ECS returns the task it already started instead of starting a second one. Never the
 * original task's token: ECS would answer with the dead task. 4 + 1 + 2 + 1 + 52 = 60 characters,
 * all in ASCII 33-126 as the API requires.
 */
export function relaunchClientToken(rootTaskArn: string, attempt: number): string {
  const digest = createHash('sha256').update(`${rootTaskArn}#${attempt}`).digest('base64url').slice(0, 52);
  return `eni-r${String(attempt).padStart(2, '0')}-${digest}`;
}

/**
 * What the audit trail keeps of an environment override value: only its length. A digest would
 * let anyone with read access confirm a guessed low-entropy value (an unsalted hash of "prod" is
 * "prod" to an attacker), and nothing needs to compare the values.
 */
export function redactedValue(value: string): string {
  return `[redacted, ${value.length} chars]`;
}
