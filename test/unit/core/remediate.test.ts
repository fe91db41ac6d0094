/**
 * The remediation use case end to end on in-memory ports: MemoryAuditStore, FakeClock and a fake
 * launcher. Assertions follow ARCHITECTURE.md ("Decision rules") and the reference notes.
 */
import type { AttemptItem } from '../../../functions/core/audit-items';
import { PK, SK } from '../../../functions/core/audit-schema';
import { relaunchClientToken } from '../../../functions/core/client-token';
import { LaunchRejectedError, RemediatorError, TransientLaunchError } from '../../../functions/core/errors';
import { backoffDelayMs } from '../../../functions/core/policy';
import { type RemediationResult, remediate } from '../../../functions/core/remediate';
import type { TaskStateChangeEvent } from '../../../functions/core/task-event';
import {
  afterStop,
  type CoreRig,
  coreRig,
  failureOf,
  fixtureEvent,
  itemsOfType,
  launchRecord,
  type RigOptions,
  recordedLaunch,
} from '../../support/core-rig';
import { FakeClock } from '../../support/fake-clock';

const E7_PREFIX = 'Unexpected EC2 error while attempting to Create Network Interface in subnet';
const E9 = 'Unexpected EC2 error while attempting to tag the network interface: TagPolicyViolation';

/** The standalone fixture and a rig whose clock is 5 s after its stop. */
function setup(options: RigOptions = {}, name = 'eni-timeout-standalone') {
  const event = fixtureEvent(name);
  const rig = coreRig({ now: afterStop(event), ...options });
  return { event, rig, root: event.detail.taskArn };
}

/** Stores the launch record the launch recorder would have captured for `taskArn`. */
async function withRecord(rig: CoreRig, taskArn: string, launch = recordedLaunch()): Promise<void> {
  await rig.store.putLaunchRecord(launchRecord(taskArn, launch, rig.clock.now()));
}

async function run(
  rig: CoreRig,
  event: TaskStateChangeEvent,
  requestId?: string,
): Promise<RemediationResult> {
  return remediate(structuredClone(event), rig.deps, { requestId });
}

/** Delivers the failure of the task started by the last relaunch, `minutes` after the root. */
async function failReplacement(
  rig: CoreRig,
  root: TaskStateChangeEvent,
  newTaskArn: string | undefined,
  minutes: number,
  change?: (e: TaskStateChangeEvent) => void,
): Promise<{ event: TaskStateChangeEvent; result: RemediationResult }> {
  if (!newTaskArn) throw new Error('no replacement task to fail');
  const event = failureOf(root, newTaskArn, minutes);
  change?.(event);
  rig.clock.set(afterStop(event));
  return { event, result: await run(rig, event) };
}

function vpcOf(request: Record<string, unknown> | undefined) {
  return (request?.networkConfiguration as { awsvpcConfiguration?: Record<string, unknown> } | undefined)
    ?.awsvpcConfiguration;
}

async function attemptsOf(rig: CoreRig, root: string): Promise<AttemptItem[]> {
  return rig.store.getAttempts(root);
}

describe('remediate: a relaunch', () => {
  it('relaunches an ENI timeout with the recorded launch, records the chain and publishes TaskRelaunched', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    const result = await run(rig, event);

    expect(result).toMatchObject({ action: 'retry', outcome: 'RELAUNCHED', attempt: 1, rootTaskArn: root });
    const newTaskArn = rig.launcher.startedTaskArns[0];
    expect(result.newTaskArn).toBe(newTaskArn);
    expect(rig.launcher.requests).toHaveLength(1);
    const request = rig.launcher.requests[0];
    expect(request).toMatchObject({
      cluster: event.detail.clusterArn,
      taskDefinition: event.detail.taskDefinitionArn,
      count: 1,
      clientToken: relaunchClientToken(root, 1),
      launchType: 'FARGATE',
      group: 'family:invoice-export',
    });
    expect(vpcOf(request)).toEqual(recordedLaunch().networkConfiguration?.awsvpcConfiguration);

    const [attempt] = await attemptsOf(rig, root);
    expect(attempt).toMatchObject({
      attempt: 1,
      status: 'LAUNCHED',
      newTaskArn,
      originalTaskArn: root,
      launchSource: 'LAUNCH_RECORD',
      clientToken: relaunchClientToken(root, 1),
    });
    const chain = await rig.store.getChain(root);
    expect(chain).toMatchObject({ outcome: 'RELAUNCHED', attempts: 1, newTaskArns: [newTaskArn] });
    expect(chain?.failedTaskArns).toEqual([root]);
    // The replacement's ARN leads back to the chain (so its own failure continues it).
    expect(await rig.store.getPointer(newTaskArn ?? '')).toMatchObject({ rootTaskArn: root, attempt: 1 });
    expect((await rig.store.getPointer(root))?.doneAt).toBeDefined();
    expect(rig.published).toEqual([
      expect.objectContaining({ oldTaskArn: root, newTaskArn, rootTaskArn: root, attempt: 1 }),
    ]);
    expect(rig.alerts).toEqual([]);
    expect(rig.clock.sleeps).toEqual([]);
  });

  it('does not relaunch twice for an exact duplicate of the event, and counts the duplicate', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    await run(rig, event);
    const again = await run(rig, event);
    expect(again).toMatchObject({ action: 'skip', reasonCode: 'DUPLICATE_EVENT' });
    expect(rig.launcher.requests).toHaveLength(1);
    expect((await rig.store.getPointer(root))?.duplicateDeliveries).toBe(1);
  });

  it('ignores a DEPROVISIONING copy without claiming the task, then relaunches on the STOPPED event', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    const early = structuredClone(event);
    early.id = 'deprovisioning-copy';
    early.detail.lastStatus = 'DEPROVISIONING';
    early.detail.version = 3;
    expect(await run(rig, early)).toMatchObject({ action: 'skip', reasonCode: 'NOT_STOPPED' });
    expect((await rig.store.getPointer(root))?.claimedAt).toBeUndefined();
    expect(await run(rig, event)).toMatchObject({ action: 'retry', outcome: 'RELAUNCHED' });
    expect(rig.launcher.requests).toHaveLength(1);
  });

  it('keeps the relaunch when publishing TaskRelaunched fails', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    const deps = {
      ...rig.deps,
      publisher: {
        taskRelaunched: async () => {
          throw new Error('PutEvents refused');
        },
      },
    };
    const result = await remediate(event, deps);
    expect(result.outcome).toBe('RELAUNCHED');
    expect((await rig.store.getChain(root))?.newTaskArns).toHaveLength(1);
    expect(rig.launcher.requests).toHaveLength(1);
  });
});

describe('remediate: events that are not ours', () => {
  it.each([
    ['null', null],
    ['a string', 'not an event'],
    ['an empty object', {}],
    [
      'an event without detail.taskArn',
      (() => {
        const e = fixtureEvent('eni-timeout-standalone');
        Reflect.deleteProperty(e.detail, 'taskArn');
        return e;
      })(),
    ],
    ['an event with a bad account id', { ...fixtureEvent('eni-timeout-standalone'), account: 'abc' }],
  ])('rejects %s as INVALID_EVENT with a REJECTED item and never throws', async (_label, input) => {
    const { rig } = setup();
    const result = await remediate(input, rig.deps);
    expect(result).toMatchObject({ action: 'skip', reasonCode: 'INVALID_EVENT' });
    const rejected = itemsOfType(rig.store, 'REJECTED');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ reasonCode: 'INVALID_EVENT' });
    expect(String(rejected[0]?.reasonMessage)).not.toBe('');
    expect(rig.launcher.requests).toEqual([]);
    expect(itemsOfType(rig.store, 'POINTER')).toEqual([]);
  });

  it('names the bad field in the rejection', async () => {
    const { rig } = setup();
    const e = fixtureEvent('eni-timeout-standalone');
    e.detail.taskDefinitionArn = 'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export';
    const result = await remediate(e, rig.deps);
    expect(result.message).toContain('detail.taskDefinitionArn');
    expect(itemsOfType(rig.store, 'REJECTED')[0]?.eventId).toBe(e.id);
  });

  it('rejects an event from a foreign account with a REJECTED item, without claiming or relaunching', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    event.account = '444455556666';
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'skip', reasonCode: 'FOREIGN_ACCOUNT' });
    expect(itemsOfType(rig.store, 'REJECTED')).toEqual([
      expect.objectContaining({ reasonCode: 'FOREIGN_ACCOUNT', eventId: event.id }),
    ]);
    expect(await rig.store.getPointer(root)).toBeUndefined();
    expect(rig.launcher.requests).toEqual([]);
  });

  it('records an ECS service task as SKIPPED with its reason and launches nothing', async () => {
    const { event, rig, root } = setup({}, 'eni-timeout-service-task');
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'skip', outcome: 'SKIPPED', reasonCode: 'ECS_SERVICE_TASK' });
    expect(await rig.store.getChain(root)).toMatchObject({
      outcome: 'SKIPPED',
      reasonCode: 'ECS_SERVICE_TASK',
    });
    expect(itemsOfType(rig.store, 'FAILURE')).toEqual([
      expect.objectContaining({ decision: 'SKIP', reasonCode: 'ECS_SERVICE_TASK', originalTaskArn: root }),
    ]);
    expect(rig.launcher.requests).toEqual([]);
    expect(rig.alerts).toEqual([]);
  });
});

describe('remediate: dry run, storm guard, launch parameters', () => {
  it('records a DRY_RUN attempt with the request and never calls RunTask', async () => {
    const { event, rig, root } = setup({ policy: { dryRun: true } });
    await withRecord(rig, root);
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'dry-run', outcome: 'DRY_RUN', attempt: 1 });
    expect(rig.launcher.requests).toEqual([]);
    const attempts = await attemptsOf(rig, root);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'DRY_RUN', clientToken: relaunchClientToken(root, 1) });
    expect(attempts[0]?.request).toMatchObject({
      cluster: event.detail.clusterArn,
      taskDefinition: event.detail.taskDefinitionArn,
      count: 1,
      networkConfiguration: recordedLaunch().networkConfiguration,
    });
    expect((await rig.store.getChain(root))?.outcome).toBe('DRY_RUN');
    expect(rig.alerts).toEqual([]);
  });

  it('gives up with STORM_LIMIT and alerts once the relaunches of the window reach the limit', async () => {
    const { event, rig, root } = setup({ policy: { stormLimit: 1 } });
    await withRecord(rig, root);
    expect((await run(rig, event)).outcome).toBe('RELAUNCHED');

    const other = failureOf(event, root.replace(/[0-9a-f]{32}$/, 'a'.repeat(32)), 0, 'other-task-event');
    await withRecord(rig, other.detail.taskArn);
    const result = await run(rig, other);
    expect(result).toMatchObject({ action: 'give-up', outcome: 'GAVE_UP', reasonCode: 'STORM_LIMIT' });
    expect(rig.launcher.requests).toHaveLength(1);
    expect(rig.alerts).toEqual([
      expect.objectContaining({
        outcome: 'GAVE_UP',
        reasonCode: 'STORM_LIMIT',
        taskArn: other.detail.taskArn,
      }),
    ]);
  });

  it('ends UNRESOLVED with NO_LAUNCH_RECORD and alerts when neither a record nor defaults exist, after waiting', async () => {
    const { event, rig, root } = setup();
    const start = rig.clock.now();
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'error', outcome: 'UNRESOLVED', reasonCode: 'NO_LAUNCH_RECORD' });
    expect(rig.launcher.requests).toEqual([]);
    expect(rig.alerts).toEqual([
      expect.objectContaining({ outcome: 'UNRESOLVED', reasonCode: 'NO_LAUNCH_RECORD' }),
    ]);
    // CloudTrail delivers in minutes: the record is waited for before giving up on it.
    expect(rig.clock.now() - start).toBeGreaterThanOrEqual(rig.deps.policy.launchRecordWaitMs);
    expect((await rig.store.getChain(root))?.outcome).toBe('UNRESOLVED');
  });

  it('relaunches with the launch record that arrives during the wait, not with the network defaults', async () => {
    class ArrivingClock extends FakeClock {
      onSleep: (() => Promise<void>) | undefined;
      override async sleep(ms: number): Promise<void> {
        await super.sleep(ms);
        const hook = this.onSleep;
        this.onSleep = undefined;
        await hook?.();
      }
    }
    const event = fixtureEvent('eni-timeout-standalone');
    const clock = new ArrivingClock(afterStop(event));
    const rig = coreRig({
      clock,
      policy: { networkDefaults: { '*': { subnets: ['subnet-default'], securityGroups: ['sg-default'] } } },
    });
    const late = recordedLaunch({
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-late-1', 'subnet-late-2'],
          securityGroups: ['sg-late-1', 'sg-late-2'],
        },
      },
    });
    clock.onSleep = () => withRecord(rig, event.detail.taskArn, late);

    const result = await run(rig, event);
    expect(result.outcome).toBe('RELAUNCHED');
    expect(clock.sleeps.length).toBeGreaterThan(0);
    expect(vpcOf(rig.launcher.requests[0])?.securityGroups).toEqual(['sg-late-1', 'sg-late-2']);
    expect((await attemptsOf(rig, event.detail.taskArn))[0]?.launchSource).toBe('LAUNCH_RECORD');
  });

  it.each([
    ['the cluster', 'batch-jobs'],
    ['every cluster (*)', '*'],
  ])('uses the network defaults of %s when there is no launch record', async (_label, key) => {
    const defaults = {
      subnets: ['subnet-d1', 'subnet-d2'],
      securityGroups: ['sg-d1'],
      assignPublicIp: 'DISABLED' as const,
    };
    const { event, rig, root } = setup({
      policy: {
        launchRecordWaitMs: 0,
        networkDefaults: { other: { subnets: ['x'], securityGroups: ['y'] }, [key]: defaults },
      },
    });
    const result = await run(rig, event);
    expect(result.outcome).toBe('RELAUNCHED');
    expect(vpcOf(rig.launcher.requests[0])).toEqual(defaults);
    expect((await attemptsOf(rig, root))[0]?.launchSource).toBe('NETWORK_DEFAULTS');
  });

  it('skips a task whose recorded launch carries the opt-out tag, as OPTED_OUT', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root, recordedLaunch({ tags: [{ key: 'eni-remediator:opt-out', value: 'true' }] }));
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'skip', outcome: 'SKIPPED', reasonCode: 'OPTED_OUT' });
    expect(rig.launcher.requests).toEqual([]);
    expect((await rig.store.getChain(root))?.reasonCode).toBe('OPTED_OUT');
  });
});

describe('remediate: failure classes and timing', () => {
  it('gives up with PERMANENT_FAILURE on a tag-policy failure (E9), alerts, and never calls RunTask', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    event.detail.stoppedReason = E9;
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'give-up', outcome: 'GAVE_UP', reasonCode: 'PERMANENT_FAILURE' });
    expect(rig.launcher.requests).toEqual([]);
    expect(rig.alerts).toEqual([expect.objectContaining({ reasonCode: 'PERMANENT_FAILURE' })]);
    expect(await rig.store.getChain(root)).toMatchObject({ catalogId: 'E9', failureClass: 'PERMANENT' });
  });

  it('relaunches a subnet-capacity failure (E7) without the subnet that ran out of addresses', async () => {
    const { event, rig, root } = setup();
    const failed = 'subnet-8e3f981de48241322';
    await withRecord(
      rig,
      root,
      recordedLaunch({
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [failed, 'subnet-b', 'subnet-c'], securityGroups: ['sg-1'] },
        },
      }),
    );
    event.detail.stoppedReason = `${E7_PREFIX} '${failed}': InsufficientFreeAddressesInSubnet`;
    const result = await run(rig, event);
    expect(result.outcome).toBe('RELAUNCHED');
    expect(vpcOf(rig.launcher.requests[0])?.subnets).toEqual(['subnet-b', 'subnet-c']);
    expect((await rig.store.getChain(root))?.failedSubnets).toEqual([failed]);
  });

  it('gives up with NO_OTHER_SUBNET and alerts when the failed subnet was the only one', async () => {
    const { event, rig, root } = setup();
    const failed = 'subnet-8e3f981de48241322';
    await withRecord(
      rig,
      root,
      recordedLaunch({
        networkConfiguration: { awsvpcConfiguration: { subnets: [failed], securityGroups: ['sg-1'] } },
      }),
    );
    event.detail.stoppedReason = `${E7_PREFIX} '${failed}': InsufficientFreeAddressesInSubnet`;
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'give-up', reasonCode: 'NO_OTHER_SUBNET' });
    expect(rig.launcher.requests).toEqual([]);
    expect(rig.alerts).toEqual([expect.objectContaining({ reasonCode: 'NO_OTHER_SUBNET' })]);
  });

  it('gives up with TOO_LATE and alerts when the failure is older than the lateness limit', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.clock.set(afterStop(event, rig.deps.policy.latenessLimitMs + 1));
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'give-up', outcome: 'GAVE_UP', reasonCode: 'TOO_LATE' });
    expect(rig.launcher.requests).toEqual([]);
    expect(rig.alerts).toEqual([expect.objectContaining({ reasonCode: 'TOO_LATE' })]);
  });

  it('skips as TASK_STARTED when DescribeTasks shows the task started after all', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.launcher.described.set(root, {
      taskArn: root,
      lastStatus: 'STOPPED',
      startedAt: '2025-03-04T02:02:00.000Z',
      containerExitCodes: [0],
    });
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'skip', outcome: 'SKIPPED', reasonCode: 'TASK_STARTED' });
    expect(rig.launcher.describeCalls).toEqual([{ clusterArn: event.detail.clusterArn, taskArn: root }]);
    expect(rig.launcher.requests).toEqual([]);
  });

  it('records a 200 with failures and no task as a failed attempt and retries with a new token after a backoff', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    const capacity =
      'Capacity is unavailable at this time. Please try again later or in a different availability zone';
    rig.launcher.willAnswer({ failures: [{ reason: capacity }], apiCalls: 1 });
    const result = await run(rig, event);
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', attempt: 2 });
    const attempts = await attemptsOf(rig, root);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 'LAUNCH_FAILED'],
      [2, 'LAUNCHED'],
    ]);
    expect(attempts[0]).toMatchObject({ failureReason: capacity });
    expect(attempts[0]?.newTaskArn ?? null).toBeNull();
    const tokens = rig.launcher.requests.map((r) => r.clientToken);
    expect(tokens).toEqual([relaunchClientToken(root, 1), relaunchClientToken(root, 2)]);
    expect(rig.clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(rig.deps.policy.backoffMinMs);
  });

  it('ends FAILED with RUN_TASK_REJECTED, records the error and alerts when ECS refuses the request', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.launcher.willAnswer(new LaunchRejectedError('TaskDefinition is inactive', 'ClientException', 1));
    const result = await run(rig, event);
    expect(result).toMatchObject({ action: 'error', outcome: 'FAILED', reasonCode: 'RUN_TASK_REJECTED' });
    expect((await attemptsOf(rig, root))[0]).toMatchObject({ status: 'ERROR', errorName: 'ClientException' });
    expect(rig.launcher.requests).toHaveLength(1);
    expect(rig.alerts).toEqual([expect.objectContaining({ outcome: 'FAILED' })]);
  });
});

describe('remediate: exactly once under retries and concurrency', () => {
  it('propagates a transient launch error, leaves the attempt PENDING, and the retry re-sends the same token', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.launcher.willAnswer(new TransientLaunchError('Rate exceeded', 'ThrottlingException'));

    const first = run(rig, event, 'request-1');
    await expect(first).rejects.toBeInstanceOf(TransientLaunchError);
    await expect(first).rejects.toMatchObject({ retryable: true });
    const pending = await attemptsOf(rig, root);
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ status: 'PENDING', clientToken: relaunchClientToken(root, 1) });
    expect((await rig.store.getPointer(root))?.doneAt).toBeUndefined();

    rig.clock.advance(60_000); // Lambda's asynchronous retry keeps the request id
    const result = await run(rig, event, 'request-1');
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', attempt: 1 });
    expect(rig.launcher.requests).toHaveLength(2);
    expect(rig.launcher.requests[1]).toEqual(rig.launcher.requests[0]);
    const attempts = await attemptsOf(rig, root);
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([[1, 'LAUNCHED']]);
    expect((await rig.store.getChain(root))?.attempts).toBe(1);
    expect(rig.launcher.startedTaskArns).toHaveLength(1);
  });

  it('re-enters its own claim when retried without a request id (claimant is the event id)', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.launcher.willAnswer(new TransientLaunchError('Rate exceeded', 'ThrottlingException'));
    await expect(run(rig, event)).rejects.toBeInstanceOf(TransientLaunchError);
    rig.clock.advance(60_000);
    expect(await run(rig, event)).toMatchObject({ outcome: 'RELAUNCHED', attempt: 1 });
    expect(new Set(rig.launcher.requests.map((r) => r.clientToken))).toEqual(
      new Set([relaunchClientToken(root, 1)]),
    );
  });

  // A re-sent PENDING attempt was counted when first sent (ECS may already have started it), so
  // it must not be blocked by its own storm token.
  it('counts a re-sent PENDING attempt once against the storm limit', async () => {
    const { event, rig, root } = setup({ policy: { stormLimit: 1 } });
    await withRecord(rig, root);
    rig.launcher.willAnswer(new TransientLaunchError('client timed out', 'TimeoutError'));
    await expect(run(rig, event, 'request-1')).rejects.toBeInstanceOf(TransientLaunchError);
    rig.clock.advance(10_000); // Lambda's retry, within the same storm window
    const result = await run(rig, event, 'request-1');
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', attempt: 1 });
  });

  it('records another delivery of the task as a duplicate while the claim is fresh, and launches nothing', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.launcher.willAnswer(new TransientLaunchError('Service unavailable', 'ServerException'));
    await expect(run(rig, event, 'request-1')).rejects.toBeInstanceOf(TransientLaunchError);

    const other = structuredClone(event);
    other.id = 'second-delivery-with-another-id';
    rig.clock.advance(60_000);
    const result = await run(rig, other, 'request-2');
    expect(result).toMatchObject({ action: 'skip', reasonCode: 'DUPLICATE_EVENT', rootTaskArn: root });
    expect(rig.launcher.requests).toHaveLength(1);
    expect((await rig.store.getPointer(root))?.doneAt).toBeUndefined();
    expect((await attemptsOf(rig, root))[0]?.status).toBe('PENDING');
  });

  it('takes over a claim whose lease expired and finishes the pending attempt with the same token', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    rig.launcher.willAnswer(new TransientLaunchError('Service unavailable', 'ServerException'));
    await expect(run(rig, event, 'request-1')).rejects.toBeInstanceOf(RemediatorError);

    const other = structuredClone(event);
    other.id = 'second-delivery-with-another-id';
    rig.clock.advance(rig.deps.policy.claimLeaseMs + 1_000);
    const result = await run(rig, other, 'request-2');
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', attempt: 1 });
    expect(rig.launcher.requests.map((r) => r.clientToken)).toEqual([
      relaunchClientToken(root, 1),
      relaunchClientToken(root, 1),
    ]);
    expect(rig.launcher.startedTaskArns).toHaveLength(1);
  });

  it('starts one task when the same failure is delivered twice concurrently', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    const copy = structuredClone(event);
    copy.id = 'concurrent-copy';
    const results = await Promise.all([run(rig, event, 'request-1'), run(rig, copy, 'request-2')]);
    expect(results.map((r) => r.action).sort()).toEqual(['retry', 'skip']);
    expect(rig.launcher.startedTaskArns).toHaveLength(1);
    expect((await rig.store.getChain(root))?.newTaskArns).toHaveLength(1);
  });
});

describe('remediate: chains', () => {
  it("continues the chain when the replacement fails: attempt 2 with the previous request's network", async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    const first = await run(rig, event);
    // The launch record is short-lived; attempt 2 must not need it.
    rig.store.items.delete(`${PK.launch(root)}|${SK.launch}`);

    const { result } = await failReplacement(rig, event, first.newTaskArn, 3);
    expect(result).toMatchObject({ action: 'retry', outcome: 'RELAUNCHED', attempt: 2, rootTaskArn: root });
    const [r1, r2] = rig.launcher.requests;
    expect(r2?.clientToken).toBe(relaunchClientToken(root, 2));
    expect(r2?.networkConfiguration).toEqual(r1?.networkConfiguration);
    expect(r2?.taskDefinition).toBe(r1?.taskDefinition);
    const attempts = await attemptsOf(rig, root);
    expect(attempts[1]).toMatchObject({
      attempt: 2,
      launchSource: 'PREVIOUS_ATTEMPT',
      originalTaskArn: first.newTaskArn,
    });
    const delay = attempts[1]?.delayMs ?? 0;
    expect(delay).toBe(backoffDelayMs(2, rig.deps.policy, () => 0.5));
    expect(delay).toBeGreaterThanOrEqual(rig.deps.policy.backoffMinMs);
    expect(rig.clock.sleeps).toContain(delay);
    const chain = await rig.store.getChain(root);
    expect(chain?.failedTaskArns).toEqual([root, first.newTaskArn]);
    expect(chain?.newTaskArns).toEqual(rig.launcher.startedTaskArns);
    expect(chain?.attempts).toBe(2);
  });

  it('gives up with MAX_ATTEMPTS_REACHED and alerts after three relaunches', async () => {
    const { event, rig, root } = setup();
    await withRecord(rig, root);
    let last = await run(rig, event);
    const actions = [last.action];
    for (let i = 1; i <= 3; i++) {
      last = (
        await failReplacement(rig, event, last.newTaskArn ?? rig.launcher.startedTaskArns.at(-1), i * 3)
      ).result;
      actions.push(last.action);
    }
    expect(actions).toEqual(['retry', 'retry', 'retry', 'give-up']);
    expect(last).toMatchObject({ outcome: 'GAVE_UP', reasonCode: 'MAX_ATTEMPTS_REACHED' });
    expect(new Set(rig.launcher.requests.map((r) => r.clientToken)).size).toBe(3);
    expect(rig.alerts).toEqual([
      expect.objectContaining({ outcome: 'GAVE_UP', reasonCode: 'MAX_ATTEMPTS_REACHED' }),
    ]);
    expect(await rig.store.getChain(root)).toMatchObject({ outcome: 'GAVE_UP', attempts: 3 });
  });

  it('keeps excluding exhausted subnets along the chain (E7 twice)', async () => {
    const { event, rig, root } = setup();
    const a = 'subnet-8e3f981de48241322';
    await withRecord(
      rig,
      root,
      recordedLaunch({
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [a, 'subnet-b', 'subnet-c'], securityGroups: ['sg-1'] },
        },
      }),
    );
    event.detail.stoppedReason = `${E7_PREFIX} '${a}': InsufficientFreeAddressesInSubnet`;
    const first = await run(rig, event);
    const { result } = await failReplacement(rig, event, first.newTaskArn, 3, (e) => {
      e.detail.stoppedReason = `${E7_PREFIX} 'subnet-b': InsufficientFreeAddressesInSubnet`;
      const details = e.detail.attachments?.[0]?.details ?? [];
      for (const d of details) if (d.name === 'subnetId') d.value = 'subnet-b';
    });
    expect(result.outcome).toBe('RELAUNCHED');
    expect(vpcOf(rig.launcher.requests[1])?.subnets).toEqual(['subnet-c']);
  });
});

describe('remediate: secrets', () => {
  const SECRETS = ['s3cr3t-api-key-7f1c9a', 'postgres://app:hunter2-9b8e@db.internal/app'];

  function secretEvent(): TaskStateChangeEvent {
    const e = fixtureEvent('eni-timeout-rich-overrides');
    const app = e.detail.overrides?.containerOverrides?.[0];
    if (!app) throw new Error('fixture changed: no container override');
    app.environment = [
      { name: 'API_KEY', value: SECRETS[0] },
      { name: 'DATABASE_URL', value: SECRETS[1] },
    ];
    return e;
  }

  function expectNoSecret(rig: CoreRig): void {
    const everything = JSON.stringify({
      items: [...rig.store.items.values()],
      logs: rig.log.calls,
      alerts: rig.alerts,
      published: rig.published,
      metrics: rig.metrics.counts,
    });
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
  }

  const scenarios: [
    string,
    (rig: CoreRig, e: TaskStateChangeEvent) => Promise<void>,
    RigOptions['policy'],
  ][] = [
    [
      'a relaunch',
      async (rig, e) => {
        await withRecord(rig, e.detail.taskArn);
        await run(rig, e);
      },
      {},
    ],
    [
      'a dry run',
      async (rig, e) => {
        await withRecord(rig, e.detail.taskArn);
        await run(rig, e);
      },
      { dryRun: true },
    ],
    ['an unresolved launch', async (rig, e) => void (await run(rig, e)), {}],
    [
      'a rejected RunTask',
      async (rig, e) => {
        await withRecord(rig, e.detail.taskArn);
        rig.launcher.willAnswer(new LaunchRejectedError('denied', 'AccessDeniedException', 1));
        await run(rig, e);
      },
      {},
    ],
    [
      'a transient error and its retry',
      async (rig, e) => {
        await withRecord(rig, e.detail.taskArn);
        rig.launcher.willAnswer(new TransientLaunchError('Rate exceeded', 'ThrottlingException'));
        await run(rig, e).catch(() => undefined);
        await run(rig, e);
      },
      {},
    ],
    [
      'a malformed event',
      async (rig, e) => {
        await remediate({ ...e, 'detail-type': 'Something Else' }, rig.deps);
      },
      {},
    ],
    [
      'a foreign-account event',
      async (rig, e) => {
        await remediate({ ...e, account: '444455556666' }, rig.deps);
      },
      {},
    ],
  ];

  it.each(scenarios)(
    'never stores or logs an environment value in clear (%s)',
    async (_label, act, policy) => {
      const event = secretEvent();
      const rig = coreRig({ now: afterStop(event), policy: { launchRecordWaitMs: 0, ...policy } });
      await act(rig, event);
      expect(rig.store.items.size).toBeGreaterThan(0);
      expectNoSecret(rig);
    },
  );

  it('still sends the environment values to ECS (the relaunch runs the same job)', async () => {
    const event = secretEvent();
    const rig = coreRig({ now: afterStop(event) });
    await withRecord(rig, event.detail.taskArn);
    await run(rig, event);
    const sent = JSON.stringify(rig.launcher.requests[0]?.overrides);
    for (const secret of SECRETS) expect(sent).toContain(secret);
  });
});
