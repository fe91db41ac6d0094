import {
  assessEligibility,
  backoffDelayMs,
  DEFAULT_POLICY,
  type Eligibility,
  isTooLate,
  optedOut,
  type RemediatorPolicy,
  taskEverRan,
} from '../../../functions/core/policy';
import { parseTaskStateChange, type TaskStateChangeEvent } from '../../../functions/core/task-event';
import { ACCOUNT, fixtureEvent, testPolicy } from '../../support/core-rig';

function event(name: string, change?: (e: TaskStateChangeEvent) => void): TaskStateChangeEvent {
  const raw = fixtureEvent(name);
  change?.(raw);
  return parseTaskStateChange(raw);
}

function reasonOf(result: Eligibility): string {
  return result.kind === 'skip' ? result.reasonCode : `eligible:${result.entry.id}`;
}

const policy = testPolicy();

describe('assessEligibility on the fixture events', () => {
  it.each([
    ['eni-timeout-standalone', 'E1'],
    ['eni-provision-variant-events-rule', 'E2'],
    ['eni-timeout-eventbridge-scheduler', 'E1'],
    ['eni-timeout-fargate-spot', 'E1'],
    ['eni-timeout-rich-overrides', 'E1'],
  ])('finds %s eligible (catalog %s)', (name, id) => {
    expect(reasonOf(assessEligibility(event(name), policy))).toBe(`eligible:${id}`);
  });

  it('skips the ECS service task as ECS_SERVICE_TASK (the scheduler replaces it)', () => {
    const result = assessEligibility(event('eni-timeout-service-task'), policy);
    expect(result).toMatchObject({ kind: 'skip', reasonCode: 'ECS_SERVICE_TASK', final: true });
  });

  it('skips a task whose startedBy is ecs-svc/ even when its group is not service:', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.detail.startedBy = 'ecs-svc/6517603784467122285';
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('ECS_SERVICE_TASK');
  });

  it('skips the Step Functions task by default as STEP_FUNCTIONS_TASK', () => {
    expect(DEFAULT_POLICY.stepFunctionsPolicy).toBe('skip');
    expect(reasonOf(assessEligibility(event('eni-timeout-step-functions'), policy))).toBe(
      'STEP_FUNCTIONS_TASK',
    );
  });

  it("relaunches the Step Functions task when stepFunctionsPolicy is 'relaunch'", () => {
    const relaunching = testPolicy({ stepFunctionsPolicy: 'relaunch' });
    expect(reasonOf(assessEligibility(event('eni-timeout-step-functions'), relaunching))).toBe('eligible:E1');
  });

  it('skips the EssentialContainerExited near-miss as NOT_TASK_FAILED_TO_START', () => {
    expect(reasonOf(assessEligibility(event('near-miss-essential-container-exited'), policy))).toBe(
      'NOT_TASK_FAILED_TO_START',
    );
  });

  it('skips the ResourceInitializationError (secrets over the network) near-miss as UNKNOWN_REASON', () => {
    expect(reasonOf(assessEligibility(event('near-miss-resourceinit-secrets-network'), policy))).toBe(
      'UNKNOWN_REASON',
    );
  });

  it('never finds the CannotPullContainerError near-miss eligible', () => {
    expect(assessEligibility(event('near-miss-cannot-pull-container'), policy).kind).toBe('skip');
  });

  // ARCHITECTURE.md: never started = no startedAt and no container exit code; an image pull that
  // began and failed is not a task that ran, so the recorded reason is the unknown stop reason.
  it('records the CannotPullContainerError near-miss as UNKNOWN_REASON, not TASK_STARTED', () => {
    expect(reasonOf(assessEligibility(event('near-miss-cannot-pull-container'), policy))).toBe(
      'UNKNOWN_REASON',
    );
  });
});

describe('assessEligibility rules', () => {
  it('ignores a DEPROVISIONING copy as NOT_STOPPED and marks it not final (a STOPPED event follows)', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.detail.lastStatus = 'DEPROVISIONING';
      x.detail.version = 3;
    });
    expect(assessEligibility(e, policy)).toMatchObject({
      kind: 'skip',
      reasonCode: 'NOT_STOPPED',
      final: false,
    });
  });

  it('skips a task that started (startedAt) as TASK_STARTED', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.detail.startedAt = '2025-03-04T02:01:00.000Z';
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('TASK_STARTED');
  });

  it('skips a task with a container exit code as TASK_STARTED', () => {
    const e = event('eni-timeout-standalone', (x) => {
      const c = x.detail.containers?.[0];
      if (c) c.exitCode = 1;
    });
    expect(taskEverRan(e)).toBe(true);
    expect(reasonOf(assessEligibility(e, policy))).toBe('TASK_STARTED');
  });

  it('does not count a null exit code as a start', () => {
    const e = event('eni-timeout-standalone', (x) => {
      const c = x.detail.containers?.[0];
      if (c) c.exitCode = null;
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('eligible:E1');
  });

  it('rejects an event from a foreign account (envelope or task ARN)', () => {
    const envelope = event('eni-timeout-standalone', (x) => {
      x.account = '444455556666';
    });
    expect(reasonOf(assessEligibility(envelope, policy))).toBe('FOREIGN_ACCOUNT');
    const arn = event('eni-timeout-standalone', (x) => {
      x.detail.taskArn = x.detail.taskArn.replace(ACCOUNT, '444455556666');
    });
    expect(reasonOf(assessEligibility(arn, policy))).toBe('FOREIGN_ACCOUNT');
  });

  it('accepts any account when no account id is configured', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.account = '444455556666';
    });
    expect(reasonOf(assessEligibility(e, { ...policy, accountId: undefined }))).toBe('eligible:E1');
  });

  it('rejects an event from a foreign region when a region is configured', () => {
    const e = event('eni-timeout-eventbridge-scheduler'); // eu-west-1
    expect(reasonOf(assessEligibility(e, testPolicy({ region: 'us-east-1' })))).toBe('FOREIGN_REGION');
    expect(reasonOf(assessEligibility(e, testPolicy({ region: 'eu-west-1' })))).toBe('eligible:E1');
  });

  it('applies the cluster allow list', () => {
    const e = event('eni-timeout-standalone'); // cluster batch-jobs
    expect(reasonOf(assessEligibility(e, testPolicy({ clusterAllow: ['other'] })))).toBe(
      'CLUSTER_NOT_ALLOWED',
    );
    expect(reasonOf(assessEligibility(e, testPolicy({ clusterAllow: ['other', 'batch-jobs'] })))).toBe(
      'eligible:E1',
    );
  });

  it('applies the cluster deny list', () => {
    const e = event('eni-timeout-standalone');
    expect(reasonOf(assessEligibility(e, testPolicy({ clusterDeny: ['batch-jobs'] })))).toBe(
      'CLUSTER_NOT_ALLOWED',
    );
    expect(reasonOf(assessEligibility(e, testPolicy({ clusterDeny: ['batch'] })))).toBe('eligible:E1');
  });

  it('applies the family allow and deny lists (family, not family:revision)', () => {
    const e = event('eni-timeout-standalone'); // invoice-export:7
    expect(reasonOf(assessEligibility(e, testPolicy({ familyAllow: ['other'] })))).toBe('FAMILY_NOT_ALLOWED');
    expect(reasonOf(assessEligibility(e, testPolicy({ familyAllow: ['invoice-export'] })))).toBe(
      'eligible:E1',
    );
    expect(reasonOf(assessEligibility(e, testPolicy({ familyDeny: ['invoice-export'] })))).toBe(
      'FAMILY_NOT_ALLOWED',
    );
  });

  it('skips the EC2 launch type as NOT_FARGATE', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.detail.launchType = 'EC2';
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('NOT_FARGATE');
  });

  it('skips an EC2 capacity provider as NOT_FARGATE even though launchType says FARGATE', () => {
    const e = event('eni-timeout-fargate-spot', (x) => {
      x.detail.capacityProviderName = 'my-asg-provider';
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('NOT_FARGATE');
  });

  it.each(['FARGATE_SPOT', 'FARGATE'])('treats capacity provider %s as Fargate', (provider) => {
    const e = event('eni-timeout-fargate-spot', (x) => {
      x.detail.capacityProviderName = provider;
      Reflect.deleteProperty(x.detail, 'launchType');
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('eligible:E1');
  });

  it('skips tasks of AWS Batch compute environments (AWSBatch- clusters)', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.detail.clusterArn = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/AWSBatch-nightly-ce-1a2b3c`;
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('AWS_BATCH_TASK');
  });

  it('skips an unknown TaskFailedToStart reason as UNKNOWN_REASON', () => {
    const e = event('eni-timeout-standalone', (x) => {
      x.detail.stoppedReason = 'Task failed to start';
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('UNKNOWN_REASON');
  });

  it('skips a failure without stoppedReason as UNKNOWN_REASON', () => {
    const e = event('eni-timeout-standalone', (x) => {
      Reflect.deleteProperty(x.detail, 'stoppedReason');
    });
    expect(reasonOf(assessEligibility(e, policy))).toBe('UNKNOWN_REASON');
  });

  it('marks every STOPPED skip final (the task has nothing more to say)', () => {
    for (const name of ['eni-timeout-service-task', 'near-miss-essential-container-exited']) {
      const result = assessEligibility(event(name), policy);
      expect(result.kind === 'skip' && result.final).toBe(true);
    }
  });
});

describe('isTooLate', () => {
  const e = event('eni-timeout-standalone'); // stoppedAt 2025-03-04T02:03:58.605Z
  const stopped = Date.parse('2025-03-04T02:03:58.605Z');

  it('is not late exactly at the limit, and late one millisecond after', () => {
    expect(isTooLate(e, stopped + policy.latenessLimitMs, policy)).toBe(false);
    expect(isTooLate(e, stopped + policy.latenessLimitMs + 1, policy)).toBe(true);
  });

  it('uses a 30-minute limit by default', () => {
    expect(DEFAULT_POLICY.latenessLimitMs).toBe(30 * 60_000);
    expect(isTooLate(e, stopped + 29 * 60_000, policy)).toBe(false);
    expect(isTooLate(e, stopped + 31 * 60_000, policy)).toBe(true);
  });

  it('falls back to stoppingAt when stoppedAt is missing', () => {
    const noStoppedAt = event('eni-timeout-standalone', (x) => {
      Reflect.deleteProperty(x.detail, 'stoppedAt');
    });
    const stopping = Date.parse('2025-03-04T02:03:11.274Z');
    expect(isTooLate(noStoppedAt, stopping + policy.latenessLimitMs, policy)).toBe(false);
    expect(isTooLate(noStoppedAt, stopping + policy.latenessLimitMs + 1, policy)).toBe(true);
  });
});

describe('backoffDelayMs', () => {
  const p: RemediatorPolicy = testPolicy({
    backoffBaseMs: 20_000,
    backoffMinMs: 10_000,
    backoffMaxMs: 60_000,
  });
  const almostOne = () => 0.999_999_9;
  const zero = () => 0;

  it('does not wait before the first attempt', () => {
    expect(backoffDelayMs(1, p, almostOne)).toBe(0);
  });

  it.each([2, 3, 4, 5, 6, 10])('stays within floor..floor+min(max, base*2^(n-2)) for attempt %i', (n) => {
    const window = Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** (n - 2));
    const low = backoffDelayMs(n, p, zero);
    const high = backoffDelayMs(n, p, almostOne);
    expect(low).toBe(p.backoffMinMs);
    expect(high).toBeGreaterThanOrEqual(p.backoffMinMs);
    expect(high).toBeLessThanOrEqual(p.backoffMinMs + window);
    // Full jitter: the top of the window is reachable.
    expect(high).toBeGreaterThan(p.backoffMinMs + window - 100);
  });

  it('grows exponentially until the cap', () => {
    const top = (n: number) => backoffDelayMs(n, p, almostOne) - p.backoffMinMs;
    expect(top(3)).toBeGreaterThan(top(2));
    expect(top(4)).toBeGreaterThan(top(3));
    expect(top(5)).toBe(top(6));
  });
});

describe('optedOut', () => {
  const key = DEFAULT_POLICY.optOutTagKey;

  it.each(['true', 'TRUE', 'yes', '1'])('is true for the opt-out tag set to %j', (value) => {
    expect(optedOut([{ key, value }], key)).toBe(true);
  });

  it('is false without the tag, with another value, or for another key', () => {
    expect(optedOut(undefined, key)).toBe(false);
    expect(optedOut([{ key, value: 'false' }], key)).toBe(false);
    expect(optedOut([{ key: 'team', value: 'true' }], key)).toBe(false);
  });
});
