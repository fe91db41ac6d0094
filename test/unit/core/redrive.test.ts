/**
 * redriveChain: an operator relaunches a chain that gave up, failed or stayed unresolved.
 */
import { relaunchClientToken } from '../../../functions/core/client-token';
import { TransientLaunchError } from '../../../functions/core/errors';
import { redriveChain, remediate } from '../../../functions/core/remediate';
import type { TaskStateChangeEvent } from '../../../functions/core/task-event';
import {
  afterStop,
  type CoreRig,
  coreRig,
  failureOf,
  fixtureEvent,
  launchRecord,
  recordedLaunch,
} from '../../support/core-rig';

const OPERATOR = 'arn:aws:iam::111122223333:user/oncall';

/** DescribeTasks still knows the stopped task: it answers with the task as the event showed it. */
function describable(rig: CoreRig, event: TaskStateChangeEvent): void {
  rig.launcher.described.set(event.detail.taskArn, {
    taskArn: event.detail.taskArn,
    lastStatus: 'STOPPED',
    containerExitCodes: [],
    detail: structuredClone(event.detail) as Record<string, unknown>,
  });
}

/** Root failure plus three failed replacements: the chain gives up with MAX_ATTEMPTS_REACHED. */
async function exhaustedChain() {
  const root = fixtureEvent('eni-timeout-standalone');
  const rig = coreRig({ now: afterStop(root) });
  await rig.store.putLaunchRecord(launchRecord(root.detail.taskArn, recordedLaunch(), rig.clock.now()));
  let result = await remediate(structuredClone(root), rig.deps);
  let last = root;
  for (let i = 1; i <= 3; i++) {
    last = failureOf(root, result.newTaskArn ?? '', i * 3);
    rig.clock.set(afterStop(last));
    result = await remediate(structuredClone(last), rig.deps);
  }
  expect(result.reasonCode).toBe('MAX_ATTEMPTS_REACHED');
  return { rig, root, last, rootTaskArn: root.detail.taskArn };
}

describe('redriveChain', () => {
  it('refuses a task the audit table does not know', async () => {
    const rig = coreRig();
    const result = await redriveChain(
      {
        taskArn: 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/ffffffffffffffffffffffffffffffff',
        by: OPERATOR,
      },
      rig.deps,
    );
    expect(result.outcome).toBe('REFUSED');
    expect(rig.launcher.requests).toEqual([]);
  });

  it('refuses a chain that was relaunched', async () => {
    const root = fixtureEvent('eni-timeout-standalone');
    const rig = coreRig({ now: afterStop(root) });
    await rig.store.putLaunchRecord(launchRecord(root.detail.taskArn, recordedLaunch(), rig.clock.now()));
    await remediate(structuredClone(root), rig.deps);
    describable(rig, root);
    const result = await redriveChain({ taskArn: root.detail.taskArn, by: OPERATOR }, rig.deps);
    expect(result.outcome).toBe('REFUSED');
    expect(result.message).toContain('RELAUNCHED');
    expect(rig.launcher.requests).toHaveLength(1);
  });

  it('refuses when DescribeTasks no longer knows the last failed task (its overrides are gone)', async () => {
    const { rig, last, rootTaskArn } = await exhaustedChain();
    rig.launcher.described.set(last.detail.taskArn, undefined);
    const result = await redriveChain({ taskArn: rootTaskArn, by: OPERATOR }, rig.deps);
    expect(result.outcome).toBe('REFUSED');
    expect(rig.launcher.describeCalls.at(-1)?.taskArn).toBe(last.detail.taskArn);
    expect(rig.launcher.requests).toHaveLength(3);
    expect((await rig.store.getChain(rootTaskArn))?.outcome).toBe('GAVE_UP');
  });

  it('refuses when DescribeTasks shows the last failed task started', async () => {
    const { rig, last, rootTaskArn } = await exhaustedChain();
    describable(rig, last);
    const described = rig.launcher.described.get(last.detail.taskArn);
    if (described?.detail) described.detail.startedAt = '2025-03-04T02:20:00.000Z';
    const result = await redriveChain({ taskArn: rootTaskArn, by: OPERATOR }, rig.deps);
    expect(result.outcome).toBe('REFUSED');
    expect(rig.launcher.requests).toHaveLength(3);
  });

  it('relaunches a GAVE_UP chain as attempt maxAttempts+1 and records who redrove it', async () => {
    const { rig, last, rootTaskArn } = await exhaustedChain();
    describable(rig, last);
    rig.clock.advance(45 * 60_000); // past the lateness limit: a human decided
    const result = await redriveChain({ taskArn: rootTaskArn, by: OPERATOR }, rig.deps);

    const maxAttempts = rig.deps.policy.maxAttempts;
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', attempt: maxAttempts + 1, rootTaskArn });
    const request = rig.launcher.requests.at(-1);
    expect(request?.clientToken).toBe(relaunchClientToken(rootTaskArn, maxAttempts + 1));
    expect(request?.networkConfiguration).toEqual(rig.launcher.requests[0]?.networkConfiguration);
    expect(result.newTaskArn).toBe(rig.launcher.startedTaskArns.at(-1));

    const chain = await rig.store.getChain(rootTaskArn);
    expect(chain).toMatchObject({ outcome: 'RELAUNCHED', reasonCode: 'REDRIVEN', redrivenBy: OPERATOR });
    expect(chain?.newTaskArns.at(-1)).toBe(result.newTaskArn);
    const attempts = await rig.store.getAttempts(rootTaskArn);
    expect(attempts.at(-1)).toMatchObject({
      attempt: maxAttempts + 1,
      status: 'LAUNCHED',
      newTaskArn: result.newTaskArn,
    });
    expect(await rig.store.getPointer(result.newTaskArn ?? '')).toMatchObject({
      rootTaskArn,
      attempt: maxAttempts + 1,
    });
  });

  it('finds the chain from any task ARN in it', async () => {
    const { rig, last, rootTaskArn } = await exhaustedChain();
    describable(rig, last);
    const result = await redriveChain({ taskArn: last.detail.taskArn, by: OPERATOR }, rig.deps);
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', rootTaskArn });
  });

  it('in dry run returns the request, sends nothing and leaves the chain as it was', async () => {
    const { rig, last, rootTaskArn } = await exhaustedChain();
    describable(rig, last);
    const before = await rig.store.getChain(rootTaskArn);
    const attemptsBefore = await rig.store.getAttempts(rootTaskArn);
    const result = await redriveChain({ taskArn: rootTaskArn, by: OPERATOR, dryRun: true }, rig.deps);
    expect(result.outcome).toBe('DRY_RUN');
    expect(result.request).toMatchObject({
      taskDefinition: last.detail.taskDefinitionArn,
      count: 1,
      clientToken: relaunchClientToken(rootTaskArn, rig.deps.policy.maxAttempts + 1),
    });
    expect(rig.launcher.requests).toHaveLength(3);
    expect(await rig.store.getChain(rootTaskArn)).toEqual(before);
    expect(await rig.store.getAttempts(rootTaskArn)).toEqual(attemptsBefore);
  });

  it('relaunches an UNRESOLVED chain once the launch parameters are known', async () => {
    const root = fixtureEvent('eni-timeout-standalone');
    const rig = coreRig({ now: afterStop(root), policy: { launchRecordWaitMs: 0 } });
    const rootTaskArn = root.detail.taskArn;
    expect((await remediate(structuredClone(root), rig.deps)).outcome).toBe('UNRESOLVED');
    await rig.store.putLaunchRecord(launchRecord(rootTaskArn, recordedLaunch(), rig.clock.now()));
    describable(rig, root);
    const result = await redriveChain({ taskArn: rootTaskArn, by: OPERATOR }, rig.deps);
    expect(result).toMatchObject({ outcome: 'RELAUNCHED', attempt: 1 });
    expect(rig.launcher.requests[0]?.clientToken).toBe(relaunchClientToken(rootTaskArn, 1));
  });

  // A redrive retried after a throttle or client timeout must re-send its PENDING attempt's token,
  // or ECS could start a second replacement.
  it('re-sends the same clientToken when a redrive is retried after a transient error', async () => {
    const { rig, last, rootTaskArn } = await exhaustedChain();
    describable(rig, last);
    rig.launcher.willAnswer(new TransientLaunchError('client timed out', 'TimeoutError'));
    await expect(redriveChain({ taskArn: rootTaskArn, by: OPERATOR }, rig.deps)).rejects.toBeInstanceOf(
      TransientLaunchError,
    );
    await redriveChain({ taskArn: rootTaskArn, by: OPERATOR }, rig.deps);
    const [first, second] = rig.launcher.requests.slice(3).map((r) => r.clientToken);
    expect(second).toBe(first);
  });
});
