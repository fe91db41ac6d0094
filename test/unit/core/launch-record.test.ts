import { MemoryAuditStore } from '../../../functions/adapters/memory-audit-store';
import type { LaunchRecordItem } from '../../../functions/core/audit-items';
import { type RecorderDeps, recordLaunch } from '../../../functions/core/launch-record';
import { RecordingLog, RecordingMetrics } from '../../support/core-rig';

const NOW = Date.parse('2025-03-04T02:00:07Z');
const CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/loadgen';
const taskArn = (n: number) =>
  `arn:aws:ecs:us-east-1:111122223333:task/loadgen/${String(n).padStart(32, '0')}`;

function rig(ttlHours = 48) {
  const store = new MemoryAuditStore();
  const log = new RecordingLog();
  const metrics = new RecordingMetrics();
  const deps: RecorderDeps = { store, now: () => NOW, ttlHours, log, metrics };
  return { store, log, metrics, deps };
}

function requestParameters(): Record<string, unknown> {
  return {
    cluster: 'loadgen',
    taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/loadgen-worker:12',
    count: 3,
    launchType: 'FARGATE',
    platformVersion: 'LATEST',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-2faac0ca69c94138c', 'subnet-e6b74b1963f707f88'],
        securityGroups: ['sg-2aebeb27396c0ec57'],
        assignPublicIp: 'DISABLED',
      },
    },
    overrides: {
      containerOverrides: [
        { name: 'runner', command: ['run'], environment: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
        { name: 'sidecar', environment: [{ name: 'TOKEN', value: 'clear-text-secret-42' }] },
      ],
    },
    tags: [{ key: 'team', value: 'perf' }],
    propagateTags: 'TASK_DEFINITION',
    enableECSManagedTags: true,
    startedBy: 'loadgen-orchestrator',
    group: 'family:loadgen-worker',
    clientToken: 'caller-token-1234',
    referenceId: 'ref-1',
  };
}

function cloudTrailEvent(detail: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: '0',
    id: 'ct-envelope-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ecs',
    account: '111122223333',
    time: new Date(NOW).toISOString(),
    region: 'us-east-1',
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/scheduler/session',
        invokedBy: 'events.amazonaws.com',
      },
      eventSource: 'ecs.amazonaws.com',
      eventName: 'RunTask',
      eventID: 'b6f1c1f0-0000-4000-8000-000000000001',
      requestParameters: requestParameters(),
      responseElements: {
        tasks: [1, 2, 3].map((n) => ({ taskArn: taskArn(n), clusterArn: CLUSTER })),
        failures: [],
      },
      ...detail,
    },
  };
}

function launchRecords(store: MemoryAuditStore): LaunchRecordItem[] {
  return [...store.items.values()].filter((i) => i.type === 'LAUNCH') as unknown as LaunchRecordItem[];
}

describe('recordLaunch', () => {
  it('stores one record per returned task ARN (count 3 gives 3 records)', async () => {
    const { store, deps } = rig();
    const result = await recordLaunch(cloudTrailEvent(), deps);
    expect(result.recorded).toEqual([taskArn(1), taskArn(2), taskArn(3)]);
    expect(launchRecords(store)).toHaveLength(3);
    for (const n of [1, 2, 3]) {
      const record = await store.getLaunchRecord(taskArn(n));
      expect(record).toMatchObject({ taskArn: taskArn(n), clusterArn: CLUSTER });
    }
  });

  it('keeps the parameters the stop event lacks, and who launched', async () => {
    const { store, deps } = rig();
    await recordLaunch(cloudTrailEvent(), deps);
    const record = await store.getLaunchRecord(taskArn(2));
    expect(record?.launch).toMatchObject({
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: requestParameters().networkConfiguration,
      tags: [{ key: 'team', value: 'perf' }],
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
      startedBy: 'loadgen-orchestrator',
      group: 'family:loadgen-worker',
    });
    expect(record).toMatchObject({
      cloudTrailEventId: 'b6f1c1f0-0000-4000-8000-000000000001',
      callerArn: 'arn:aws:sts::111122223333:assumed-role/scheduler/session',
      invokedBy: 'events.amazonaws.com',
      recordedAt: new Date(NOW).toISOString(),
    });
  });

  it('expires records after the configured hours', async () => {
    const { store, deps } = rig(6);
    await recordLaunch(cloudTrailEvent(), deps);
    expect((await store.getLaunchRecord(taskArn(1)))?.expiresAt).toBe(Math.floor(NOW / 1000) + 6 * 3600);
  });

  it('never stores overrides or environment values, nor the caller token or referenceId', async () => {
    const { store, deps } = rig();
    await recordLaunch(cloudTrailEvent(), deps);
    const stored = JSON.stringify([...store.items.values()]);
    expect(stored).not.toContain('overrides');
    expect(stored).not.toContain('environment');
    expect(stored).not.toContain('clear-text-secret-42');
    expect(stored).not.toContain('HIDDEN_DUE_TO_SECURITY_REASONS');
    expect(stored).not.toContain('caller-token-1234');
    expect(stored).not.toContain('ref-1');
  });

  it('skips a failed RunTask call (errorCode) and stores nothing', async () => {
    const { store, deps } = rig();
    const result = await recordLaunch(
      cloudTrailEvent({ errorCode: 'AccessDenied', errorMessage: 'not authorized', responseElements: null }),
      deps,
    );
    expect(result.recorded).toEqual([]);
    expect(result.reason).toContain('AccessDenied');
    expect(store.items.size).toBe(0);
  });

  it.each([
    ['without responseElements (truncated record)', { responseElements: undefined }],
    ['with null responseElements', { responseElements: null }],
    ['with no returned task', { responseElements: { tasks: [], failures: [{ reason: 'AGENT' }] } }],
    ['without requestParameters', { requestParameters: null }],
  ])('reports a record %s without throwing and stores nothing', async (_label, detail) => {
    const { store, log, deps } = rig();
    const result = await recordLaunch(cloudTrailEvent(detail), deps);
    expect(result.recorded).toEqual([]);
    expect(result.reason).toBeTruthy();
    expect(store.items.size).toBe(0);
    expect(log.calls.some((c) => c.level === 'warn')).toBe(true);
  });

  it.each([
    ['null', null],
    ['another detail-type', { ...cloudTrailEvent(), 'detail-type': 'ECS Task State Change' }],
    ['another API call', cloudTrailEvent({ eventName: 'StopTask' })],
    [
      'a task without ARN',
      cloudTrailEvent({ responseElements: { tasks: [{ lastStatus: 'PROVISIONING' }] } }),
    ],
  ])('rejects %s with a reason naming what is wrong', async (_label, input) => {
    const { store, metrics, deps } = rig();
    const result = await recordLaunch(input, deps);
    expect(result.recorded).toEqual([]);
    expect(result.reason).toMatch(/invalid CloudTrail RunTask event/);
    expect(store.items.size).toBe(0);
    expect(metrics.total('LaunchEventRejected')).toBe(1);
  });

  it('names the bad field when rejecting', async () => {
    const { deps } = rig();
    const result = await recordLaunch(cloudTrailEvent({ eventName: 'StopTask' }), deps);
    expect(result.reason).toContain('detail.eventName');
  });

  // RunTask accepts key-only tags (Tag.value is optional); one of them must not make the whole
  // CloudTrail record unusable, or a later ENI failure of the task ends UNRESOLVED.
  it('records a launch whose tags include a key without a value', async () => {
    const { store, deps } = rig();
    const event = cloudTrailEvent();
    const detail = event.detail as { requestParameters: Record<string, unknown> };
    detail.requestParameters.tags = [{ key: 'team', value: 'perf' }, { key: 'adhoc' }];
    const result = await recordLaunch(event, deps);
    expect(result.recorded).toHaveLength(3);
    expect((await store.getLaunchRecord(taskArn(1)))?.launch.networkConfiguration).toBeDefined();
  });
});
