import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  ClientException,
  ClusterNotFoundException,
  ConflictException,
  DescribeTasksCommand,
  type ECSClient,
  ECSServiceException,
  InvalidParameterException,
  ListTasksCommand,
  PlatformUnknownException,
  RunTaskCommand,
  type RunTaskCommandInput,
  ServerException,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../../../functions/core/catalog';
import { EcsSimulator, type EcsSimulatorEvent, HIDDEN_VALUE } from '../../../sandbox/ecs-simulator';
import { matchesPattern } from '../../../sandbox/event-pattern';
import { ecsClient } from './ecs-test-client';

const ACCOUNT = '111122223333';
const SUBNETS = ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'];
const STANDALONE = JSON.parse(
  readFileSync(resolve(__dirname, '../../fixtures/events/eni-timeout-standalone.json'), 'utf8'),
) as { detail: Record<string, unknown> };

type Json = Record<string, unknown>;

function baseRequest(extra: Partial<RunTaskCommandInput> = {}): RunTaskCommandInput {
  return {
    cluster: 'jobs',
    taskDefinition: 'invoice-export:7',
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: SUBNETS,
        securityGroups: ['sg-0123456789abcdef0'],
        assignPublicIp: 'DISABLED',
      },
    },
    ...extra,
  };
}

function taskEvents(sim: EcsSimulator, taskArn?: string): Array<EcsSimulatorEvent & { detail: Json }> {
  return sim.events.filter(
    (e) =>
      e['detail-type'] === 'ECS Task State Change' && (taskArn === undefined || e.resources[0] === taskArn),
  );
}

function trailEvents(sim: EcsSimulator): EcsSimulatorEvent[] {
  return sim.events.filter((e) => e['detail-type'] === 'AWS API Call via CloudTrail');
}

function keys(value: unknown): string[] {
  return Object.keys(value as Json).sort();
}

async function expectError<T>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

describe('EcsSimulator over HTTP with the real ECS client', () => {
  let sim: EcsSimulator;
  let ecs: ECSClient;
  let endpoint: string;

  beforeEach(async () => {
    sim = new EcsSimulator({ seed: 42 });
    sim.addCluster('jobs');
    sim.addCluster('other');
    sim.registerTaskDefinition({ family: 'invoice-export', revision: 7, containers: ['app', 'log_router'] });
    sim.addSubnets([
      { subnetId: 'subnet-0aaa1111bbbb22223', availabilityZone: 'us-east-1a' },
      { subnetId: 'subnet-0ccc3333dddd44445', availabilityZone: 'us-east-1b' },
    ]);
    ({ endpoint } = await sim.start());
    ecs = ecsClient(endpoint);
  });

  afterEach(async () => {
    ecs.destroy();
    await sim.stop();
  });

  async function runTask(extra: Partial<RunTaskCommandInput> = {}): Promise<string> {
    const out = await ecs.send(new RunTaskCommand(baseRequest(extra)));
    const arn = out.tasks?.[0]?.taskArn;
    if (!arn) throw new Error(`RunTask started nothing: ${JSON.stringify(out.failures)}`);
    return arn;
  }

  describe('RunTask and DescribeTasks', () => {
    it('starts a PROVISIONING Fargate task in one of the request subnets and describes it with epoch timestamps', async () => {
      const out = await ecs.send(
        new RunTaskCommand(baseRequest({ tags: [{ key: 'team', value: 'billing' }] })),
      );
      expect(out.failures).toEqual([]);
      const task = out.tasks?.[0];
      expect(task?.taskArn).toMatch(new RegExp(`^arn:aws:ecs:us-east-1:${ACCOUNT}:task/jobs/[0-9a-f]{32}$`));
      expect(task?.lastStatus).toBe('PROVISIONING');
      expect(task?.desiredStatus).toBe('RUNNING');
      expect(task?.group).toBe('family:invoice-export');
      expect(task?.platformVersion).toBe('1.4.0');
      expect(task?.attachments?.[0]?.type).toBe('ElasticNetworkInterface');
      expect(task?.attachments?.[0]?.status).toBe('PRECREATED');
      const subnet = task?.attachments?.[0]?.details?.find((d) => d.name === 'subnetId')?.value;
      expect(SUBNETS).toContain(subnet);
      expect(task?.createdAt).toEqual(new Date(sim.now()));

      const described = await ecs.send(
        new DescribeTasksCommand({ cluster: 'jobs', tasks: [String(task?.taskArn)], include: ['TAGS'] }),
      );
      expect(described.tasks?.[0]?.tags).toEqual([{ key: 'team', value: 'billing' }]);
      expect(described.tasks?.[0]?.createdAt).toBeInstanceOf(Date);
      const raw = sim.calls.at(-1)?.response as { tasks: Json[] };
      expect(typeof raw.tasks[0]?.createdAt).toBe('number');
    });

    it('reports unknown task ARNs as MISSING failures and omits tags unless asked', async () => {
      const arn = await runTask({ tags: [{ key: 'team', value: 'billing' }] });
      const unknown = `arn:aws:ecs:us-east-1:${ACCOUNT}:task/jobs/${'0'.repeat(32)}`;
      const out = await ecs.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: [arn, unknown] }));
      expect(out.tasks?.map((t) => t.taskArn)).toEqual([arn]);
      expect(out.tasks?.[0]?.tags).toBeUndefined();
      expect(out.failures).toEqual([{ arn: unknown, reason: 'MISSING' }]);
    });

    it('picks subnets from a seeded stream: the same seed gives the same tasks and choices', async () => {
      const choices = async (): Promise<string[]> => {
        const result: string[] = [];
        for (let i = 0; i < 6; i++) {
          const arn = await runTask();
          result.push(`${arn}:${String(sim.describeTask(arn)?.availabilityZone)}`);
        }
        return result;
      };
      const first = await choices();
      ecs.destroy();
      await sim.stop();
      sim = new EcsSimulator({ seed: 42 });
      sim.addCluster('jobs');
      sim.registerTaskDefinition({
        family: 'invoice-export',
        revision: 7,
        containers: ['app', 'log_router'],
      });
      sim.addSubnets([
        { subnetId: 'subnet-0aaa1111bbbb22223', availabilityZone: 'us-east-1a' },
        { subnetId: 'subnet-0ccc3333dddd44445', availabilityZone: 'us-east-1b' },
      ]);
      ecs = ecsClient((await sim.start()).endpoint);
      expect(await choices()).toEqual(first);
      expect(new Set(first.map((c) => c.split(':').at(-1))).size).toBe(2);
    });
  });

  describe('lifecycle and task state change events', () => {
    it('runs a healthy task PROVISIONING -> PENDING -> RUNNING -> DEPROVISIONING -> STOPPED on the simulated clock', async () => {
      const start = sim.now();
      const arn = await runTask({ startedBy: 'nightly-cron' });
      expect(taskEvents(sim)).toEqual([]);
      sim.runUntilIdle();
      const events = taskEvents(sim, arn);
      expect(events.map((e) => [e.detail.lastStatus, e.detail.version])).toEqual([
        ['PROVISIONING', 1],
        ['PENDING', 2],
        ['RUNNING', 3],
        ['DEPROVISIONING', 4],
        ['STOPPED', 5],
      ]);
      const stopped = events[4]?.detail as Json & { containers: Json[] };
      expect(stopped.stopCode).toBe('EssentialContainerExited');
      expect(stopped.startedAt).toBe(new Date(start + 35_000).toISOString());
      expect(stopped.startedBy).toBe('nightly-cron');
      expect(stopped.containers.map((c) => [c.lastStatus, c.exitCode])).toEqual([
        ['STOPPED', 0],
        ['STOPPED', 0],
      ]);
      expect(sim.now()).toBe(start + 20_000 + 15_000 + 60_000 + 45_000);
      expect(sim.isIdle()).toBe(true);
    });

    it('an ENI failure goes PROVISIONING -> DEPROVISIONING -> STOPPED shaped like the captured event', async () => {
      sim.failNextTasksWithEni(1);
      const arn = await runTask();
      sim.runUntilIdle();
      const events = taskEvents(sim, arn);
      expect(events.map((e) => [e.detail.lastStatus, e.detail.desiredStatus, e.detail.version])).toEqual([
        ['PROVISIONING', 'RUNNING', 1],
        ['DEPROVISIONING', 'STOPPED', 2],
        ['STOPPED', 'STOPPED', 3],
      ]);
      const [provisioning, deprovisioning, stopped] = events;
      expect(provisioning?.detail.attachments).toEqual([
        expect.objectContaining({
          type: 'eni',
          status: 'PRECREATED',
          details: [expect.objectContaining({ name: 'subnetId' })],
        }),
      ]);

      const detail = stopped?.detail as Json & { containers: Json[]; attachments: Json[] };
      // Same members as the real capture (no startedBy in either: a plain RunTask).
      expect(keys(detail)).toEqual(keys(STANDALONE.detail));
      const fixtureContainers = STANDALONE.detail.containers as Json[];
      const fixtureAttachments = STANDALONE.detail.attachments as Array<{ details: Json[] }>;
      expect(keys(detail.containers[0])).toEqual(keys(fixtureContainers[0]));
      expect(keys(detail.attachments[0])).toEqual(keys(fixtureAttachments[0]));
      const detailNames = (a: unknown) => (a as { details: Json[] }).details.map((d) => d.name);
      expect(detailNames(detail.attachments[0])).toEqual(detailNames(fixtureAttachments[0]));
      expect(detail).toMatchObject({
        lastStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'Timeout waiting for network interface provisioning to complete.',
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        group: 'family:invoice-export',
        overrides: { containerOverrides: [{ name: 'app' }, { name: 'log_router' }] },
      });
      expect(detail.attachments[0]).toMatchObject({ type: 'eni', status: 'DELETED' });
      for (const c of detail.containers) {
        expect(c.lastStatus).toBe('STOPPED');
        expect(c).not.toHaveProperty('exitCode');
      }
      expect(detail).not.toHaveProperty('startedAt');
      expect(detail).not.toHaveProperty('pullStartedAt');

      // Envelope: second-precision time equal to updatedAt, the task ARN as the only resource.
      expect(stopped).toMatchObject({
        version: '0',
        source: 'aws.ecs',
        'detail-type': 'ECS Task State Change',
        account: ACCOUNT,
        region: 'us-east-1',
        resources: [arn],
      });
      expect(stopped?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(stopped?.time).toBe(`${String(detail.updatedAt).slice(0, 19)}Z`);

      // The product's rule fires on the STOPPED event only.
      const pattern = buildEniFailurePattern();
      expect(events.map((e) => matchesPattern(pattern, e))).toEqual([false, false, true]);
      expect(deprovisioning?.detail.stopCode).toBe('TaskFailedToStart');

      const described = await ecs.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: [arn] }));
      expect(described.tasks?.[0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
      expect(described.tasks?.[0]?.startedAt).toBeUndefined();
    });

    it('an ENI failure without a created interface keeps only subnetId in the attachment', async () => {
      sim.failNextTasksWithEni(1, {
        stoppedReason: 'Network interface provision complete error.',
        eniCreated: false,
      });
      const arn = await runTask();
      sim.runUntilIdle();
      const stopped = taskEvents(sim, arn).at(-1)?.detail as Json & {
        attachments: Array<{ details: Json[] }>;
      };
      expect(stopped.attachments[0]?.details.map((d) => d.name)).toEqual(['subnetId']);
      expect(stopped).not.toHaveProperty('connectivityAt');
    });

    it('reports capacityProviderName only for capacity provider launches, with launchType FARGATE', async () => {
      const spot = await runTask({
        launchType: undefined,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
      });
      const plain = await runTask();
      sim.runUntilIdle();
      expect(taskEvents(sim, spot)[0]?.detail).toMatchObject({
        capacityProviderName: 'FARGATE_SPOT',
        launchType: 'FARGATE',
      });
      expect(taskEvents(sim, plain)[0]?.detail).not.toHaveProperty('capacityProviderName');
    });

    it('uses the cluster default strategy without launchType, and EC2 (no instances) when there is none', async () => {
      sim.addCluster('spotty', {
        defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
      });
      const viaDefault = await runTask({ cluster: 'spotty', launchType: undefined });
      expect(sim.describeTask(viaDefault)).toMatchObject({
        capacityProviderName: 'FARGATE',
        launchType: 'FARGATE',
      });
      const ec2 = await ecs.send(new RunTaskCommand(baseRequest({ launchType: undefined })));
      expect(ec2.tasks).toEqual([]);
      expect(ec2.failures?.[0]?.reason).toBe('No Container Instances were found in your cluster.');
    });

    it('echoes requested overrides and lists every container at least by name', async () => {
      const arn = await runTask({
        overrides: {
          containerOverrides: [{ name: 'log_router', environment: [{ name: 'LEVEL', value: 'debug' }] }],
          cpu: '1024',
          memory: '2048',
        },
        group: 'batch:nightly',
      });
      sim.runUntilIdle();
      const detail = taskEvents(sim, arn)[0]?.detail;
      expect(detail?.overrides).toEqual({
        containerOverrides: [
          { name: 'app' },
          { name: 'log_router', environment: [{ name: 'LEVEL', value: 'debug' }] },
        ],
        cpu: '1024',
        memory: '2048',
      });
      expect(detail).toMatchObject({ cpu: '1024', memory: '2048', group: 'batch:nightly' });
    });

    it('StopTask stops a running task with UserInitiated, and ListTasks follows desiredStatus', async () => {
      sim.setTimings({ runTimeMs: null });
      const arn = await runTask();
      sim.runUntilIdle();
      expect(sim.describeTask(arn)?.lastStatus).toBe('RUNNING');
      expect((await ecs.send(new ListTasksCommand({ cluster: 'jobs' }))).taskArns).toEqual([arn]);

      const stopped = await ecs.send(new StopTaskCommand({ cluster: 'jobs', task: arn, reason: 'operator' }));
      expect(stopped.task).toMatchObject({
        desiredStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedReason: 'operator',
      });
      sim.runUntilIdle();
      expect(taskEvents(sim, arn).map((e) => e.detail.lastStatus)).toEqual([
        'PROVISIONING',
        'PENDING',
        'RUNNING',
        'DEPROVISIONING',
        'STOPPED',
      ]);
      expect((await ecs.send(new ListTasksCommand({ cluster: 'jobs' }))).taskArns).toEqual([]);
      const list = await ecs.send(new ListTasksCommand({ cluster: 'jobs', desiredStatus: 'STOPPED' }));
      expect(list.taskArns).toEqual([arn]);
    });

    it('forgets stopped tasks after the retention period', async () => {
      const arn = await runTask();
      sim.runUntilIdle();
      sim.advance(3_600_001);
      const out = await ecs.send(new DescribeTasksCommand({ cluster: 'jobs', tasks: [arn] }));
      expect(out.failures).toEqual([{ arn, reason: 'MISSING' }]);
    });

    it('step() advances to the next due instant only', async () => {
      const start = sim.now();
      await runTask();
      expect(sim.step()).toBe(true);
      expect(sim.now()).toBe(start);
      expect(sim.step()).toBe(true);
      expect(sim.now()).toBe(start + 20_000);
    });

    it('keeps running when a listener throws, and records the error', async () => {
      sim.onEvent(() => {
        throw new Error('listener broke');
      });
      const seen: string[] = [];
      const unsubscribe = sim.onEvent((e) => seen.push(e['detail-type']));
      await runTask();
      sim.advance(0);
      unsubscribe();
      sim.runUntilIdle();
      expect(seen).toEqual(['ECS Task State Change', 'AWS API Call via CloudTrail']);
      expect(sim.listenerErrors.length).toBe(sim.events.length);
    });
  });

  describe('ENI failure injection', () => {
    it('a seeded failure rate is reproducible across simulators with the same seeds', async () => {
      const outcome = async (s: EcsSimulator, client: ECSClient): Promise<string[]> => {
        const arns: string[] = [];
        for (let i = 0; i < 20; i++) {
          const out = await client.send(new RunTaskCommand(baseRequest()));
          arns.push(String(out.tasks?.[0]?.taskArn));
        }
        s.runUntilIdle();
        return arns.map((arn) => `${arn}:${String(s.describeTask(arn)?.stopCode)}`);
      };
      sim.setEniFailureRate(0.5, 99);
      const first = await outcome(sim, ecs);
      const twin = new EcsSimulator({ seed: 42 });
      twin.addCluster('jobs');
      twin.registerTaskDefinition({
        family: 'invoice-export',
        revision: 7,
        containers: ['app', 'log_router'],
      });
      twin.setEniFailureRate(0.5, 99);
      const twinClient = ecsClient((await twin.start()).endpoint);
      try {
        expect(await outcome(twin, twinClient)).toEqual(first);
      } finally {
        twinClient.destroy();
        await twin.stop();
      }
      const failed = first.filter((o) => o.endsWith(':TaskFailedToStart')).length;
      expect(failed).toBeGreaterThan(3);
      expect(failed).toBeLessThan(17);
    });

    it('a policy decides per task from its context', async () => {
      const seenSubnets: string[] = [];
      sim.setEniFailurePolicy((task) => {
        seenSubnets.push(task.subnetId);
        return task.subnetId === SUBNETS[0]
          ? 'Unexpected EC2 error while attempting to Create Network Interface'
          : null;
      });
      const arns = [await runTask(), await runTask(), await runTask(), await runTask()];
      sim.runUntilIdle();
      arns.forEach((arn, i) => {
        const expected = seenSubnets[i] === SUBNETS[0] ? 'TaskFailedToStart' : 'EssentialContainerExited';
        expect(sim.describeTask(arn)?.stopCode).toBe(expected);
      });
      sim.clearFaults();
      const healthy = await runTask();
      sim.runUntilIdle();
      expect(sim.describeTask(healthy)?.stopCode).toBe('EssentialContainerExited');
    });
  });

  describe('validation', () => {
    it('rejects schema violations with InvalidParameterException naming the field', async () => {
      const error = await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ startedBy: 'has spaces!' }))),
        InvalidParameterException,
      );
      expect(error.message).toMatch(/^startedBy: /);
      const tags = await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ tags: [{ key: 'bad#key', value: 'x' }] }))),
        InvalidParameterException,
      );
      expect(tags.message).toMatch(/tags\[0\]\.key/);
    });

    it.each<[string, Partial<RunTaskCommandInput>, RegExp]>([
      [
        'overrides over 8192 characters',
        { overrides: { containerOverrides: [{ name: 'app', command: ['x'.repeat(8200)] }] } },
        /8192/,
      ],
      [
        'an awsvpc task without subnets',
        { networkConfiguration: undefined },
        /Network Configuration must be provided/,
      ],
      [
        'launchType together with a capacity provider strategy',
        { capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }] },
        /launch type and capacity provider strategy/,
      ],
      ['a tag starting with aws:', { tags: [{ key: 'aws:cloudformation:stack-name', value: 'x' }] }, /aws:/],
      [
        'an override for a container the task definition lacks',
        { overrides: { containerOverrides: [{ name: 'ghost' }] } },
        /ghost is not a container/,
      ],
      [
        'a capacity provider not on the cluster',
        { launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'my-asg', weight: 1 }] },
        /not associated with the cluster/,
      ],
      ['propagateTags SERVICE', { propagateTags: 'SERVICE' }, /propagateTags/],
    ])('rejects %s', async (_label, extra, message) => {
      const error = await expectError(
        ecs.send(new RunTaskCommand(baseRequest(extra))),
        InvalidParameterException,
      );
      expect(error.message).toMatch(message);
    });

    it('unknown cluster -> ClusterNotFoundException', async () => {
      await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ cluster: 'nope' }))),
        ClusterNotFoundException,
      );
      await expectError(
        ecs.send(new DescribeTasksCommand({ cluster: 'nope', tasks: ['x'] })),
        ClusterNotFoundException,
      );
    });

    it('unknown, unrevisioned or INACTIVE task definitions -> ClientException', async () => {
      await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ taskDefinition: 'invoice-export:8' }))),
        ClientException,
      );
      const latest = await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ taskDefinition: 'invoice-export' }))),
        ClientException,
      );
      expect(latest.message).toMatch(/revision/);
      const arn = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/invoice-export:7`;
      expect(await runTask({ taskDefinition: arn })).toBeTruthy();
      sim.deregisterTaskDefinition(arn);
      const inactive = await expectError(ecs.send(new RunTaskCommand(baseRequest())), ClientException);
      expect(inactive.message).toBe('TaskDefinition is inactive');
    });

    it('an unknown platform version -> PlatformUnknownException', async () => {
      await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ platformVersion: '9.9.9' }))),
        PlatformUnknownException,
      );
    });
  });

  describe('clientToken idempotency', () => {
    it('same token and parameters returns the first call tasks without starting another', async () => {
      const first = await runTask({ clientToken: 'root-abc#1' });
      const again = await runTask({ clientToken: 'root-abc#1' });
      expect(again).toBe(first);
      expect(sim.taskArns()).toEqual([first]);
      expect(sim.runTaskClientTokens()).toEqual(['root-abc#1']);
      expect(sim.callsTo('RunTask')).toHaveLength(2);
    });

    it('same token with different parameters -> ConflictException carrying the bound task ARNs', async () => {
      const first = await runTask({ clientToken: 'root-abc#1' });
      const error = await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ clientToken: 'root-abc#1', startedBy: 'someone-else' }))),
        ConflictException,
      );
      expect(error.resourceIds).toEqual([first]);
    });

    it('tokens are scoped per cluster', async () => {
      sim.registerTaskDefinition({ family: 'invoice-export', revision: 8, containers: ['app'] });
      const a = await runTask({ clientToken: 'shared-token' });
      const b = await runTask({ clientToken: 'shared-token', cluster: 'other' });
      expect(b).not.toBe(a);
    });

    it('without a token every call starts a new task (raw HTTP: the SDK always adds one)', async () => {
      const call = async () => {
        const res = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask',
          },
          body: JSON.stringify(baseRequest()),
        });
        expect(res.status).toBe(200);
        return ((await res.json()) as { tasks: Json[] }).tasks[0]?.taskArn;
      };
      const a = await call();
      const b = await call();
      expect(a).not.toBe(b);
      expect(sim.taskArns()).toHaveLength(2);
    });
  });

  describe('RunTask fault injection', () => {
    it('failures: HTTP 200 with no task and the injected reason', async () => {
      sim.failNextRunTaskWith({ kind: 'failures', reason: 'RESOURCE:ENI' });
      const out = await ecs.send(new RunTaskCommand(baseRequest()));
      expect(out.tasks).toEqual([]);
      expect(out.failures).toEqual([
        { arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/jobs`, reason: 'RESOURCE:ENI' },
      ]);
      expect(sim.taskArns()).toEqual([]);
      expect(await runTask()).toBeTruthy();
    });

    it('throttle: ThrottlingException (a generic ECSServiceException: ECS models no such class)', async () => {
      sim.failNextRunTaskWith({ kind: 'throttle' });
      const error = await expectError(ecs.send(new RunTaskCommand(baseRequest())), ECSServiceException);
      expect(error.name).toBe('ThrottlingException');
      expect(error.message).toBe('Rate exceeded');
      expect(error.$metadata.httpStatusCode).toBe(400);
    });

    it('server-error: ServerException with HTTP 500', async () => {
      sim.failNextRunTaskWith({ kind: 'server-error' });
      const error = await expectError(ecs.send(new RunTaskCommand(baseRequest())), ServerException);
      expect(error.$metadata.httpStatusCode).toBe(500);
    });

    it('the SDK retries throttling and 5xx with the same clientToken: one task, one token', async () => {
      const retrying = ecsClient(endpoint, 4);
      try {
        sim.failNextRunTaskWith({ kind: 'throttle' }, 2);
        sim.failNextRunTaskWith({ kind: 'server-error' });
        const out = await retrying.send(new RunTaskCommand(baseRequest()));
        expect(out.tasks).toHaveLength(1);
      } finally {
        retrying.destroy();
      }
      expect(sim.callsTo('RunTask').map((c) => c.status)).toEqual([400, 400, 500, 200]);
      expect(sim.runTaskClientTokens()).toHaveLength(1);
      expect(sim.taskArns()).toHaveLength(1);
    });
  });

  describe('CloudTrail RunTask events', () => {
    it('records the request with environment hidden, the client token kept and the started tasks', async () => {
      const arn = await runTask({
        clientToken: 'tok-1',
        overrides: {
          containerOverrides: [
            { name: 'app', environment: [{ name: 'SECRET', value: 'hunter2' }], command: ['go'] },
          ],
        },
      });
      sim.advance(0);
      const [trail] = trailEvents(sim);
      expect(trail).toMatchObject({
        version: '0',
        source: 'aws.ecs',
        'detail-type': 'AWS API Call via CloudTrail',
        account: ACCOUNT,
        region: 'us-east-1',
        detail: {
          eventSource: 'ecs.amazonaws.com',
          eventName: 'RunTask',
          awsRegion: 'us-east-1',
          userIdentity: { type: 'AssumedRole', arn: expect.stringContaining(':assumed-role/') },
          requestParameters: {
            clientToken: 'tok-1',
            cluster: 'jobs',
            networkConfiguration: { awsvpcConfiguration: { subnets: SUBNETS } },
            overrides: { containerOverrides: [{ name: 'app', environment: HIDDEN_VALUE, command: ['go'] }] },
          },
          responseElements: { tasks: [expect.objectContaining({ taskArn: arn })], failures: [] },
        },
      });
      expect(JSON.stringify(trail)).not.toContain('hunter2');
      expect(trail?.detail.eventID).toMatch(/^[0-9a-f-]{36}$/);
      expect(trail?.detail.eventTime).toBe(trail?.time);
      expect(matchesPattern(buildRunTaskCloudTrailPattern(), trail)).toBe(true);
    });

    it('is delivered after the configured CloudTrail delay', async () => {
      const delayed = new EcsSimulator({ cloudTrailDelayMs: 120_000 });
      delayed.addCluster('jobs');
      delayed.registerTaskDefinition({ family: 'invoice-export', revision: 7, containers: ['app'] });
      const client = ecsClient((await delayed.start()).endpoint);
      try {
        await client.send(new RunTaskCommand(baseRequest()));
      } finally {
        client.destroy();
        await delayed.stop();
      }
      delayed.advance(119_999);
      expect(trailEvents(delayed)).toHaveLength(0);
      delayed.advance(1);
      expect(trailEvents(delayed)).toHaveLength(1);
    });

    it('failed calls carry errorCode and are not matched by the recorder pattern', async () => {
      await expectError(
        ecs.send(new RunTaskCommand(baseRequest({ cluster: 'nope' }))),
        ClusterNotFoundException,
      );
      sim.advance(0);
      const [trail] = trailEvents(sim);
      expect(trail?.detail).toMatchObject({ errorCode: 'ClusterNotFoundException', responseElements: null });
      expect(matchesPattern(buildRunTaskCloudTrailPattern(), trail)).toBe(false);
    });
  });

  describe('protocol', () => {
    it('answers errors as JSON 1.1 with __type and message', async () => {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AmazonEC2ContainerServiceV20141113.RunTask',
        },
        body: JSON.stringify({ cluster: 'nope', taskDefinition: 'invoice-export:7' }),
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(await res.json()).toEqual({ __type: 'ClusterNotFoundException', message: 'Cluster not found.' });
    });

    it('rejects unknown operations and wrong content types', async () => {
      const post = (target: string, contentType: string) =>
        fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': contentType, 'x-amz-target': target },
          body: '{}',
        });
      const unknown = await post(
        'AmazonEC2ContainerServiceV20141113.CreateService',
        'application/x-amz-json-1.1',
      );
      expect(((await unknown.json()) as Json).__type).toBe('UnknownOperationException');
      const wrongType = await post('AmazonEC2ContainerServiceV20141113.ListTasks', 'application/json');
      expect(((await wrongType.json()) as Json).__type).toBe('SerializationException');
    });

    it('works through AWS_ENDPOINT_URL_ECS with no endpoint in code', async () => {
      const previous = process.env.AWS_ENDPOINT_URL_ECS;
      process.env.AWS_ENDPOINT_URL_ECS = endpoint;
      const fromEnv = ecsClient(undefined);
      try {
        const out = await fromEnv.send(new RunTaskCommand(baseRequest()));
        expect(out.tasks).toHaveLength(1);
      } finally {
        fromEnv.destroy();
        if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_ECS;
        else process.env.AWS_ENDPOINT_URL_ECS = previous;
      }
    });
  });
});
