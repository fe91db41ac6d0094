/**
 * The failure catalog: the single source of truth for which `stoppedReason` texts mean
 * "the task's network interface could not be provisioned".
 *
 * Both the EventBridge rule pattern (infra) and the Lambda's classifier are generated from
 * this list, and a test proves they agree on every example, fixture and near-miss.
 * Sources for every entry: shared/reference/stopped-reasons.md (ids E1..E11 are its row numbers).
 */

/** What the remediator may do with a failure of this class. */
export type FailureClass =
  /** Re-issuing the same RunTask request is likely to succeed. */
  | 'TRANSIENT'
  /** The subnet ran out of addresses: relaunch only in the request's other subnets. */
  | 'SUBNET_CAPACITY'
  /** Misconfiguration or policy: record and alert, never relaunch. */
  | 'PERMANENT';

/** How an entry matches `stoppedReason`. */
export type ReasonMatcher =
  | { readonly kind: 'prefix'; readonly value: string }
  | { readonly kind: 'prefix-ignore-case'; readonly value: string };

export interface CatalogEntry {
  /** Stable id, used in audit records and metrics. Never reuse a retired id. */
  readonly id: string;
  readonly matcher: ReasonMatcher;
  readonly class: FailureClass;
  /** A few words for tables and alerts. */
  readonly label: string;
  /** Real or documented texts this entry must match (tests use every one). */
  readonly examples: readonly string[];
  readonly description: string;
}

export const FAILURE_CATALOG: readonly CatalogEntry[] = Object.freeze([
  {
    id: 'E1',
    label: 'ENI provisioning timeout',
    matcher: { kind: 'prefix', value: 'Timeout waiting for network interface provisioning' },
    class: 'TRANSIENT',
    examples: [
      'Timeout waiting for network interface provisioning to complete.',
      'Timeout waiting for network interface provisioning to complete',
    ],
    description: 'Fargate ENI provisioning timeout (AWS: intermittent issue on the underlying host; retry).',
  },
  {
    id: 'E2',
    label: 'ENI provision error',
    matcher: { kind: 'prefix-ignore-case', value: 'network interface provision complete error' },
    class: 'TRANSIENT',
    examples: [
      'Network interface provision complete error timeout wait for network interface provision.',
      'network interface provision complete error timeout wait for network interface provision.',
      'Network interface provision complete error timeout wait for network interface provision',
    ],
    description: 'Second documented wording of the Fargate ENI provisioning failure; casing varies.',
  },
  {
    id: 'E3',
    label: 'ENI attach error',
    matcher: { kind: 'prefix', value: 'Unexpected EC2 error while attempting to attach network interface' },
    class: 'TRANSIENT',
    examples: ['Unexpected EC2 error while attempting to attach network interface to instance'],
    description: 'EC2 error attaching the task ENI.',
  },
  {
    id: 'E4',
    label: 'ENI rate limit',
    matcher: { kind: 'prefix', value: 'Rate limit exceeded while preparing network interface' },
    class: 'TRANSIENT',
    examples: ['Rate limit exceeded while preparing network interface to be attached to instance'],
    description: 'EC2 throttling while preparing the ENI; back off.',
  },
  {
    id: 'E5',
    label: 'ENI configure error',
    matcher: { kind: 'prefix', value: 'ResourceInitializationError: failed to configure ENI' },
    class: 'TRANSIENT',
    examples: [
      'ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message',
    ],
    description:
      'Fargate agent could not configure the ENI (not the secrets/logging ResourceInitializationError).',
  },
  {
    id: 'E6',
    label: 'subnet full (public IP)',
    matcher: {
      kind: 'prefix',
      value:
        'Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled',
    },
    class: 'SUBNET_CAPACITY',
    examples: [
      "Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet 'subnet-0a1b2c3d4e5f60718",
    ],
    description: 'Public-IP subnet without enough free addresses.',
  },
  {
    id: 'E7',
    label: 'subnet full',
    matcher: {
      kind: 'prefix',
      value: 'Unexpected EC2 error while attempting to Create Network Interface in subnet',
    },
    class: 'SUBNET_CAPACITY',
    examples: [
      "Unexpected EC2 error while attempting to Create Network Interface in subnet 'subnet-0a1b2c3d4e5f60718': InsufficientFreeAddressesInSubnet",
      "Unexpected EC2 error while attempting to Create Network Interface in subnet '': InsufficientFreeAddressesInSubnet",
    ],
    description: 'Subnet has no free IP addresses.',
  },
  {
    id: 'E9',
    label: 'ENI tag policy',
    matcher: { kind: 'prefix', value: 'Unexpected EC2 error while attempting to tag the network interface' },
    class: 'PERMANENT',
    examples: ['Unexpected EC2 error while attempting to tag the network interface: TagPolicyViolation'],
    description: 'Organizations tag policy rejected the ENI tags: a human must fix tags or the policy.',
  },
  {
    id: 'E11',
    label: 'no free device index',
    matcher: { kind: 'prefix', value: 'Unable to attach network interface' },
    class: 'PERMANENT',
    examples: ['Unable to attach network interface to unused device index'],
    description: 'EC2 launch type ENI/CPU limits; not a Fargate failure, recorded only.',
  },
]);

/**
 * Texts that share words, prefixes or stop codes with ENI failures but must never match
 * (shared/reference/stopped-reasons.md section 3 and E8/E10/E12/E13).
 */
export const NEAR_MISS_REASONS: readonly string[] = Object.freeze([
  'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:latest: not found',
  'CannotPullContainerError: The task cannot pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1 from the registry 111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1. There is a connection issue between the task and the registry. Check your task network configuration. : failed to copy: httpReadSeeker: failed open: dial tcp 198.51.100.7:443: i/o timeout',
  'ResourceInitializationError: unable to pull secrets or registry auth: The task cannot pull registry auth from Amazon ECR: There is a connection issue between the task and Amazon ECR. Check your task network configuration. RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 198.51.100.9:443: i/o timeout',
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): context deadline exceeded. Please check your task network configuration.',
  'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
  'Essential container in task exited',
  'Task stopped by user',
  'Scaling activity initiated by (deployment ecs-svc/5229653580561241327)',
  'Your Spot Task was interrupted.',
  'TaskFailedToStart: RESOURCE:MEMORY',
  'InternalError: an internal error occurred',
  'Timeout waiting for EphemeralStorage provisioning to complete.',
  'Task failed to start',
  '',
]);

/** Result of classifying a `stoppedReason`. */
export type ReasonClassification =
  | { readonly matched: true; readonly entry: CatalogEntry }
  | { readonly matched: false };

function matches(matcher: ReasonMatcher, reason: string): boolean {
  switch (matcher.kind) {
    case 'prefix':
      return reason.startsWith(matcher.value);
    case 'prefix-ignore-case':
      return reason.toLowerCase().startsWith(matcher.value.toLowerCase());
  }
}

/** The classifier the Lambda uses. Unknown reasons are never matched, so never retried. */
export function classifyReason(reason: string | undefined): ReasonClassification {
  if (typeof reason !== 'string' || reason.length === 0) return { matched: false };
  for (const entry of FAILURE_CATALOG) {
    if (matches(entry.matcher, reason)) return { matched: true, entry };
  }
  return { matched: false };
}

/** Looks an entry up by id (audit records keep only the id). */
export function catalogEntry(id: string): CatalogEntry | undefined {
  return FAILURE_CATALOG.find((e) => e.id === id);
}

type PatternValue = string | { prefix: string | { 'equals-ignore-case': string } };

/**
 * The EventBridge rule pattern ("Pattern A" of shared/reference/eventbridge-patterns.md):
 * STOPPED, TaskFailedToStart, not an ECS service task, one prefix per catalog family.
 * The Lambda re-checks everything; the rule only keeps the invocations cheap.
 */
export function buildEniFailurePattern(): Record<string, unknown> {
  const reasons: PatternValue[] = FAILURE_CATALOG.map((entry) =>
    entry.matcher.kind === 'prefix'
      ? { prefix: entry.matcher.value }
      : { prefix: { 'equals-ignore-case': entry.matcher.value } },
  );
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      lastStatus: ['STOPPED'],
      stopCode: ['TaskFailedToStart'],
      group: [{ 'anything-but': { prefix: 'service:' } }],
      stoppedReason: reasons,
    },
  };
}

/**
 * The rule pattern for the launch recorder: successful `RunTask` calls recorded by CloudTrail.
 * `errorCode` absent means the call succeeded (failed calls carry it).
 */
export function buildRunTaskCloudTrailPattern(): Record<string, unknown> {
  return {
    source: ['aws.ecs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['ecs.amazonaws.com'],
      eventName: ['RunTask'],
      errorCode: [{ exists: false }],
    },
  };
}

/** EventBridge's limit on an event pattern's length. */
export const EVENT_PATTERN_MAX_LENGTH = 4096;
