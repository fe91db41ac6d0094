import type { LaunchSource, RecordedLaunch } from '../../../functions/core/audit-items';
import type { FailureClass } from '../../../functions/core/catalog';
import { relaunchClientToken } from '../../../functions/core/client-token';
import {
  type BuildResult,
  buildRunTaskRequest,
  cleanOverrides,
  launchFromPreviousRequest,
  OVERRIDES_MAX_CHARS,
  redactRequest,
  validateRunTaskRequest,
} from '../../../functions/core/launch-spec';
import type { RunTaskRequest } from '../../../functions/core/ports';
import {
  parseTaskStateChange,
  type TaskDetail,
  type TaskStateChangeEvent,
} from '../../../functions/core/task-event';
import { fixtureEvent, recordedLaunch } from '../../support/core-rig';

function detailOf(name: string, change?: (e: TaskStateChangeEvent) => void): TaskDetail {
  const raw = fixtureEvent(name);
  change?.(raw);
  return parseTaskStateChange(raw).detail;
}

interface BuildOptions {
  kind?: LaunchSource;
  launch?: RecordedLaunch;
  attempt?: number;
  failureClass?: FailureClass;
  excludedSubnets?: string[];
}

function build(detail: TaskDetail, options: BuildOptions = {}): BuildResult {
  return buildRunTaskRequest({
    detail,
    source: { kind: options.kind ?? 'LAUNCH_RECORD', launch: options.launch ?? recordedLaunch() },
    rootTaskArn: detail.taskArn,
    attempt: options.attempt ?? 1,
    failureClass: options.failureClass ?? 'TRANSIENT',
    excludedSubnets: options.excludedSubnets ?? [],
  });
}

function ok(result: BuildResult): { request: RunTaskRequest; notes: string[] } {
  if (result.kind !== 'ok') throw new Error(`expected a request, got ${result.kind}: ${result.message}`);
  return result;
}

function vpcOf(request: Record<string, unknown>) {
  return (request.networkConfiguration as { awsvpcConfiguration: Record<string, unknown> })
    .awsvpcConfiguration;
}

const E7 =
  "Unexpected EC2 error while attempting to Create Network Interface in subnet 'subnet-8e3f981de48241322': InsufficientFreeAddressesInSubnet";
const FAILED_SUBNET = 'subnet-8e3f981de48241322'; // the standalone fixture's ENI attachment

describe('cleanOverrides', () => {
  it('drops echo-only container entries and keeps everything else of the rich-overrides fixture exactly', () => {
    const raw = fixtureEvent('eni-timeout-rich-overrides').detail.overrides;
    const containers = raw?.containerOverrides ?? [];
    expect(containers[1]).toEqual({ name: 'log_router' });
    const { containerOverrides: _c, ...taskLevel } = raw ?? {};
    const cleaned = cleanOverrides(detailOf('eni-timeout-rich-overrides').overrides);
    expect(cleaned).toEqual({ ...taskLevel, containerOverrides: [containers[0]] });
    expect(cleaned).toMatchObject({
      cpu: '2048',
      memory: '4096',
      taskRoleArn: 'arn:aws:iam::111122223333:role/ingest-task-role',
      executionRoleArn: 'arn:aws:iam::111122223333:role/ingest-task-execution-role',
      ephemeralStorage: { sizeInGiB: 50 },
    });
  });

  it('drops empty arrays and inferenceAcceleratorOverrides, keeps zero values', () => {
    const cleaned = cleanOverrides({
      containerOverrides: [
        { name: 'app', environment: [], command: ['run'], memoryReservation: 0 },
        { name: 'sidecar', environment: [], environmentFiles: [] },
      ],
      inferenceAcceleratorOverrides: [{ deviceName: 'x', deviceType: 'eia2.medium' }],
    });
    expect(cleaned).toEqual({
      containerOverrides: [{ name: 'app', command: ['run'], memoryReservation: 0 }],
    });
  });

  it('returns nothing when only echo entries remain', () => {
    expect(
      cleanOverrides({ containerOverrides: [{ name: 'app' }], inferenceAcceleratorOverrides: [] }),
    ).toBeUndefined();
    expect(cleanOverrides(undefined)).toBeUndefined();
  });
});

describe('buildRunTaskRequest', () => {
  it('replays the exact revision, the cluster, count 1 and the deterministic token of (root, attempt)', () => {
    const detail = detailOf('eni-timeout-standalone');
    const { request } = ok(build(detail, { launch: recordedLaunch({ count: 10 }), attempt: 2 }));
    expect(request.cluster).toBe(detail.clusterArn);
    expect(request.taskDefinition).toBe(
      'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:7',
    );
    expect(request.count).toBe(1);
    expect(request.clientToken).toBe(relaunchClientToken(detail.taskArn, 2));
  });

  it('takes the whole network configuration from the launch record, not only the failed subnet', () => {
    const { request } = ok(build(detailOf('eni-timeout-standalone')));
    expect(vpcOf(request)).toEqual({
      subnets: ['subnet-8e3f981de48241322', 'subnet-0b7c1d2e3f4a5b6c7'],
      securityGroups: ['sg-0123456789abcdef0'],
      assignPublicIp: 'DISABLED',
    });
  });

  it('replays the overrides of the stopped task without echo entries', () => {
    const { request } = ok(build(detailOf('eni-timeout-rich-overrides')));
    expect(request.overrides).toEqual(cleanOverrides(detailOf('eni-timeout-rich-overrides').overrides));
    expect(JSON.stringify(request.overrides)).toContain('"value":"DEBUG"');
  });

  it('sends the recorded capacity provider strategy and no launchType', () => {
    const strategy = [
      { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      { capacityProvider: 'FARGATE', weight: 1, base: 1 },
    ];
    const { request } = ok(
      build(detailOf('eni-timeout-fargate-spot'), {
        launch: recordedLaunch({ launchType: undefined, capacityProviderStrategy: strategy }),
      }),
    );
    expect(request.capacityProviderStrategy).toEqual(strategy);
    expect(request).not.toHaveProperty('launchType');
  });

  it('sends the recorded launchType and no capacity provider strategy', () => {
    const { request } = ok(
      build(detailOf('eni-timeout-standalone'), { launch: recordedLaunch({ launchType: 'FARGATE' }) }),
    );
    expect(request.launchType).toBe('FARGATE');
    expect(request).not.toHaveProperty('capacityProviderStrategy');
  });

  it('rebuilds a one-item strategy from capacityProviderName when only network defaults are known', () => {
    const launch: RecordedLaunch = {
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-a'] } },
    };
    const result = ok(build(detailOf('eni-timeout-fargate-spot'), { kind: 'NETWORK_DEFAULTS', launch }));
    expect(result.request.capacityProviderStrategy).toEqual([
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
    ]);
    expect(result.request).not.toHaveProperty('launchType');
    expect(result.notes.join(' ')).toMatch(/capacity provider/i);
  });

  it("uses the event's launchType and resolved platform version with network defaults", () => {
    const launch: RecordedLaunch = {
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-a'] } },
    };
    const { request } = ok(build(detailOf('eni-timeout-standalone'), { kind: 'NETWORK_DEFAULTS', launch }));
    expect(request.launchType).toBe('FARGATE');
    expect(request.platformVersion).toBe('1.4.0');
  });

  it('replays the platform version as sent (LATEST) when the launch record has it', () => {
    const { request } = ok(
      build(detailOf('eni-timeout-standalone'), { launch: recordedLaunch({ platformVersion: 'LATEST' }) }),
    );
    expect(request.platformVersion).toBe('LATEST');
  });

  it('keeps the original startedBy and group', () => {
    const { request } = ok(build(detailOf('eni-provision-variant-events-rule')));
    expect(request.startedBy).toBe('events-rule/acme-nightly-report-expo');
    expect(request.group).toBe('family:nightly-report-export');
  });

  it('keeps every subnet for a transient failure, the failed one included', () => {
    const { request } = ok(build(detailOf('eni-timeout-standalone')));
    expect(vpcOf(request).subnets).toContain(FAILED_SUBNET);
  });

  it("removes the failed subnet (from the event's ENI attachment) and excluded ones for SUBNET_CAPACITY", () => {
    const detail = detailOf('eni-timeout-standalone', (e) => {
      e.detail.stoppedReason = E7;
    });
    const launch = recordedLaunch({
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [FAILED_SUBNET, 'subnet-b', 'subnet-c', 'subnet-d'],
          securityGroups: ['sg-1'],
        },
      },
    });
    const result = ok(
      build(detail, { launch, failureClass: 'SUBNET_CAPACITY', excludedSubnets: ['subnet-c'] }),
    );
    expect(vpcOf(result.request).subnets).toEqual(['subnet-b', 'subnet-d']);
    expect(result.notes.join(' ')).toContain(FAILED_SUBNET);
  });

  it('is unresolved with NO_OTHER_SUBNET when no subnet remains', () => {
    const detail = detailOf('eni-timeout-standalone', (e) => {
      e.detail.stoppedReason = E7;
    });
    const launch = recordedLaunch({
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [FAILED_SUBNET, 'subnet-b'], securityGroups: ['sg-1'] },
      },
    });
    const result = build(detail, { launch, failureClass: 'SUBNET_CAPACITY', excludedSubnets: ['subnet-b'] });
    expect(result).toMatchObject({ kind: 'unresolved', reasonCode: 'NO_OTHER_SUBNET' });
  });

  it('is unresolved with NO_SECURITY_GROUPS rather than letting ECS use the VPC default group', () => {
    for (const securityGroups of [undefined, []]) {
      const launch = recordedLaunch({
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups } },
      });
      expect(build(detailOf('eni-timeout-standalone'), { launch })).toMatchObject({
        kind: 'unresolved',
        reasonCode: 'NO_SECURITY_GROUPS',
      });
    }
    expect(build(detailOf('eni-timeout-standalone'), { launch: {} })).toMatchObject({
      kind: 'unresolved',
      reasonCode: 'NO_SECURITY_GROUPS',
    });
  });

  it('is unresolved with NO_SUBNETS when the subnets are unknown', () => {
    const launch = recordedLaunch({
      networkConfiguration: { awsvpcConfiguration: { securityGroups: ['sg-1'] } },
    });
    expect(build(detailOf('eni-timeout-standalone'), { launch })).toMatchObject({
      kind: 'unresolved',
      reasonCode: 'NO_SUBNETS',
    });
  });

  it('leaves out startedBy "AWS Step Functions" (RunTask rejects the spaces) and says so in a note', () => {
    const result = ok(build(detailOf('eni-timeout-step-functions')));
    expect(result.request).not.toHaveProperty('startedBy');
    expect(result.notes.some((n) => n.includes('AWS Step Functions'))).toBe(true);
  });

  it('drops aws:-prefixed tags and keeps user tags', () => {
    const launch = recordedLaunch({
      tags: [
        { key: 'team', value: 'billing' },
        { key: 'aws:ecs:clusterName', value: 'batch-jobs' },
        { key: 'AWS:cloudformation:stack-name', value: 'x' },
        { key: 'cost-center', value: '42' },
      ],
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
    });
    const { request } = ok(build(detailOf('eni-timeout-standalone'), { launch }));
    expect(request.tags).toEqual([
      { key: 'team', value: 'billing' },
      { key: 'cost-center', value: '42' },
    ]);
    expect(request.propagateTags).toBe('TASK_DEFINITION');
    expect(request.enableECSManagedTags).toBe(true);
  });

  it('never sends propagateTags SERVICE (RunTask rejects it)', () => {
    const { request } = ok(
      build(detailOf('eni-timeout-standalone'), { launch: recordedLaunch({ propagateTags: 'SERVICE' }) }),
    );
    expect(request).not.toHaveProperty('propagateTags');
  });

  it('is invalid with OVERRIDES_TOO_LARGE above 8192 serialized characters, valid at exactly 8192', () => {
    const sized = (length: number) =>
      detailOf('eni-timeout-standalone', (e) => {
        const base = { containerOverrides: [{ name: 'app', environment: [{ name: 'BLOB', value: '' }] }] };
        const value = 'x'.repeat(length - JSON.stringify(base).length);
        e.detail.overrides = {
          containerOverrides: [{ name: 'app', environment: [{ name: 'BLOB', value }] }],
        };
      });
    const atLimit = ok(build(sized(OVERRIDES_MAX_CHARS)));
    expect(JSON.stringify(atLimit.request.overrides)).toHaveLength(8192);
    expect(build(sized(OVERRIDES_MAX_CHARS + 1))).toMatchObject({
      kind: 'invalid',
      reasonCode: 'OVERRIDES_TOO_LARGE',
    });
  });

  it('always asks for exactly one task, even when the original call asked for ten', () => {
    const { request } = ok(
      build(detailOf('eni-timeout-standalone'), { launch: recordedLaunch({ count: 10 }) }),
    );
    expect(request.count).toBe(1);
  });

  it('produces a request the RunTask model accepts', () => {
    for (const name of ['eni-timeout-standalone', 'eni-timeout-rich-overrides', 'eni-timeout-fargate-spot']) {
      const { request } = ok(build(detailOf(name)));
      expect(validateRunTaskRequest(request)).toEqual([]);
    }
  });
});

describe('validateRunTaskRequest', () => {
  const valid = (): Record<string, unknown> => ({
    cluster: 'arn:aws:ecs:us-east-1:111122223333:cluster/batch-jobs',
    taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:7',
    count: 1,
    clientToken: relaunchClientToken('arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/abc', 1),
    launchType: 'FARGATE',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-a'] } },
  });

  it('accepts a valid request', () => {
    expect(validateRunTaskRequest(valid())).toEqual([]);
  });

  it('rejects launchType together with a capacity provider strategy', () => {
    const request = { ...valid(), capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] };
    expect(validateRunTaskRequest(request).length).toBeGreaterThan(0);
  });

  it('rejects six security groups (RunTask allows five)', () => {
    const request = valid();
    request.networkConfiguration = {
      awsvpcConfiguration: {
        subnets: ['subnet-a'],
        securityGroups: ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6'],
      },
    };
    const problems = validateRunTaskRequest(request);
    expect(problems.join('\n')).toMatch(/securityGroups/);
  });

  it('rejects an unknown field', () => {
    expect(validateRunTaskRequest({ ...valid(), taskDefinitonArn: 'typo' }).length).toBeGreaterThan(0);
  });

  it.each([
    ['a space', 'eni r01 token'],
    ['65 characters', 'x'.repeat(65)],
    ['a non-ASCII character', 'eni-r01-é'],
    ['nothing', ''],
  ])('rejects a clientToken with %s', (_label, clientToken) => {
    expect(validateRunTaskRequest({ ...valid(), clientToken }).join('\n')).toMatch(/clientToken/);
  });

  it('rejects an aws: tag and a Fargate request without networkConfiguration', () => {
    expect(
      validateRunTaskRequest({ ...valid(), tags: [{ key: 'aws:x', value: '1' }] }).length,
    ).toBeGreaterThan(0);
    const { networkConfiguration: _n, ...noNetwork } = valid();
    expect(validateRunTaskRequest(noNetwork).join('\n')).toMatch(/networkConfiguration/);
  });

  it('rejects a missing taskDefinition', () => {
    const { taskDefinition: _t, ...rest } = valid();
    expect(validateRunTaskRequest(rest).length).toBeGreaterThan(0);
  });
});

describe('redactRequest', () => {
  const request = () => ({
    cluster: 'c',
    taskDefinition: 't:1',
    overrides: {
      containerOverrides: [
        {
          name: 'app',
          environment: [
            { name: 'API_KEY', value: 'sk-live-123' },
            { name: 'STAGE', value: 'prod' },
          ],
        },
        { name: 'sidecar', command: ['run'] },
      ],
    },
  });

  it('replaces every environment value by its length and keeps the names', () => {
    const redacted = redactRequest(request()) as ReturnType<typeof request>;
    const env = redacted.overrides.containerOverrides[0]?.environment ?? [];
    expect(env).toEqual([
      { name: 'API_KEY', value: '[redacted, 11 chars]' },
      { name: 'STAGE', value: '[redacted, 4 chars]' },
    ]);
    expect(JSON.stringify(redacted)).not.toContain('sk-live-123');
    expect(redacted.overrides.containerOverrides[1]).toEqual({ name: 'sidecar', command: ['run'] });
  });

  it('leaves the input untouched (the request sent to ECS keeps the values)', () => {
    const input = request();
    redactRequest(input);
    expect(input).toEqual(request());
  });

  it('keeps nothing a guess could be checked against (no digest of the value)', () => {
    const redacted = JSON.stringify(redactRequest(request()));
    expect(redacted).not.toMatch(/sha256|[0-9a-f]{16}/);
  });
});

describe('launchFromPreviousRequest', () => {
  it('keeps the launch parameters and drops overrides, clientToken and count', () => {
    const previous: Record<string, unknown> = {
      cluster: 'arn:aws:ecs:us-east-1:111122223333:cluster/batch-jobs',
      taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:7',
      count: 1,
      clientToken: 'eni-r01-abc',
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      platformVersion: 'LATEST',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-a'] } },
      overrides: {
        containerOverrides: [{ name: 'app', environment: [{ name: 'K', value: '[redacted, 2 chars]' }] }],
      },
      tags: [{ key: 'team', value: 'billing' }],
      propagateTags: 'NONE',
      startedBy: 'scheduler',
      group: 'family:invoice-export',
    };
    const launch = launchFromPreviousRequest(previous);
    expect(launch).not.toHaveProperty('overrides');
    expect(launch).not.toHaveProperty('clientToken');
    expect(launch).not.toHaveProperty('count');
    expect(launch).toEqual({
      cluster: previous.cluster,
      taskDefinition: previous.taskDefinition,
      capacityProviderStrategy: previous.capacityProviderStrategy,
      platformVersion: 'LATEST',
      networkConfiguration: previous.networkConfiguration,
      tags: previous.tags,
      propagateTags: 'NONE',
      startedBy: 'scheduler',
      group: 'family:invoice-export',
    });
  });
});
