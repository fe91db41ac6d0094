/**
 * The audit table's schema: keys, indexes, TTL attribute and item key builders.
 * One module used by the runtime adapters, the sandbox, the CLI and the CDK stack, so the
 * table that is deployed is the table the code reads and writes.
 *
 * Access patterns (ARCHITECTURE.md):
 * 1. Whole chain for any task ARN: GetItem TASK#<arn>/POINTER gives the root, Query CHAIN#<root>.
 * 2. Remediations in a cluster over a time range: Query GSI `byCluster`, gsi1pk = CLUSTER#<name>,
 *    gsi1sk BETWEEN two ISO timestamps.
 * 3. Everything with an outcome on a day: Query GSI `byOutcomeDay`, gsi2pk = OUTCOME#<OUTCOME>#<YYYY-MM-DD>.
 * 4. Launch records by task ARN: GetItem LAUNCH#<arn>/LAUNCH (short TTL).
 */

export const AUDIT_TABLE = Object.freeze({
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  indexes: Object.freeze({
    byCluster: Object.freeze({ name: 'byCluster', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }),
    byOutcomeDay: Object.freeze({ name: 'byOutcomeDay', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' }),
  }),
});

/** Final (or current) outcome of a chain, as queried by operators. */
export const OUTCOMES = ['RELAUNCHED', 'SKIPPED', 'GAVE_UP', 'FAILED', 'UNRESOLVED', 'DRY_RUN'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Status of one relaunch attempt. */
export const ATTEMPT_STATUSES = ['PENDING', 'LAUNCHED', 'LAUNCH_FAILED', 'ERROR', 'DRY_RUN'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

export const SK = Object.freeze({
  summary: 'SUMMARY',
  pointer: 'POINTER',
  launch: 'LAUNCH',
  attempt: (attempt: number) => `ATTEMPT#${String(attempt).padStart(2, '0')}`,
  failure: (attempt: number, taskArn: string) => `FAILURE#${String(attempt).padStart(2, '0')}#${taskArn}`,
  /** Every delivery gets its own item: an exact redelivery must not overwrite the first record. */
  event: (detailVersion: number, eventId: string, receivedAt: string) =>
    `EVENT#${String(detailVersion).padStart(6, '0')}#${receivedAt}#${eventId}`,
});

export const PK = Object.freeze({
  chain: (rootTaskArn: string) => `CHAIN#${rootTaskArn}`,
  task: (taskArn: string) => `TASK#${taskArn}`,
  launch: (taskArn: string) => `LAUNCH#${taskArn}`,
  storm: (scope: string) => `STORM#${scope}`,
  rejected: (day: string) => `REJECTED#${day}`,
});

export const GSI_KEYS = Object.freeze({
  cluster: (clusterName: string) => `CLUSTER#${clusterName}`,
  clusterSort: (isoTime: string, rootTaskArn: string) => `${isoTime}#${rootTaskArn}`,
  outcomeDay: (outcome: Outcome, day: string) => `OUTCOME#${outcome}#${day}`,
  outcomeSort: (isoTime: string, id: string) => `${isoTime}#${id}`,
});

/** `YYYY-MM-DD` (UTC) of an ISO timestamp or epoch milliseconds. */
export function utcDay(time: string | number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** Epoch seconds for the TTL attribute. */
export function ttlFrom(nowMs: number, seconds: number): number {
  return Math.floor(nowMs / 1000) + Math.floor(seconds);
}
