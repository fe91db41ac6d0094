import {
  AccessDeniedException,
  ClientException,
  ConflictException,
  DescribeTasksCommand,
  ECSClient,
  ECSServiceException,
  InvalidParameterException,
  RunTaskCommand,
  ServerException,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsTaskLauncher } from '../../../functions/adapters/ecs-task-launcher';
import { relaunchClientToken } from '../../../functions/core/client-token';
import {
  ConflictingTokenError,
  LaunchRejectedError,
  TransientLaunchError,
} from '../../../functions/core/errors';
import type { RunTaskRequest } from '../../../functions/core/ports';
import { failedSubnetOf, parseTaskStateChange } from '../../../functions/core/task-event';

const ecs = mockClient(ECSClient);
const CLUSTER = 'arn:aws:ecs:us-east-1:111122223333:cluster/batch-jobs';
const ROOT = 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/e5e281705d76d0580d6cf8d429eca7db';
const NEW_TASK = 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/0ca23f6c745584b52d286d9324bd15c8';

function request(): RunTaskRequest {
  return {
    cluster: CLUSTER,
    taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:7',
    count: 1,
    clientToken: relaunchClientToken(ROOT, 1),
    launchType: 'FARGATE',
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-a'] },
    },
    overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'K', value: 'v' }] }] },
  };
}

function launcher(): EcsTaskLauncher {
  return new EcsTaskLauncher(
    new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  );
}

async function launchError(): Promise<unknown> {
  try {
    await launcher().runTask(request());
  } catch (err) {
    return err;
  }
  throw new Error('expected runTask to throw');
}

beforeEach(() => {
  ecs.reset();
});

describe('EcsTaskLauncher.runTask', () => {
  it('sends the request as built (token included) and returns the started task', async () => {
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [{ taskArn: NEW_TASK }], failures: [], $metadata: { attempts: 1 } });
    const outcome = await launcher().runTask(request());
    expect(outcome).toEqual({ taskArn: NEW_TASK, failures: [], apiCalls: 1 });
    const sent = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    expect(sent).toEqual(request());
  });

  it('reports the SDK attempts ($metadata.attempts) as apiCalls', async () => {
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [{ taskArn: NEW_TASK }], failures: [], $metadata: { attempts: 3 } });
    expect((await launcher().runTask(request())).apiCalls).toBe(3);
  });

  it('returns a 200 with failures and no task as an outcome without taskArn, with the reasons', async () => {
    const reason =
      'Capacity is unavailable at this time. Please try again later or in a different availability zone';
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ reason, arn: CLUSTER }], $metadata: { attempts: 1 } });
    const outcome = await launcher().runTask(request());
    expect(outcome.taskArn).toBeUndefined();
    expect(outcome.failures).toEqual([{ arn: CLUSTER, reason, detail: undefined }]);
  });

  it.each([
    [
      'ClientException',
      () => new ClientException({ message: 'TaskDefinition is inactive', $metadata: { attempts: 1 } }),
    ],
    [
      'InvalidParameterException',
      () =>
        new InvalidParameterException({
          message: 'You may choose a capacity provider or a launch type but not both.',
          $metadata: { attempts: 1 },
        }),
    ],
    [
      'AccessDeniedException',
      () =>
        new AccessDeniedException({
          message: 'not authorized to perform: iam:PassRole',
          $metadata: { attempts: 2 },
        }),
    ],
  ])('maps %s to LaunchRejectedError with its name', async (name, make) => {
    const sdkError = make();
    ecs.on(RunTaskCommand).rejects(sdkError);
    const err = await launchError();
    expect(err).toBeInstanceOf(LaunchRejectedError);
    if (!(err instanceof LaunchRejectedError)) return;
    expect(err.errorName).toBe(name);
    expect(err.message).toBe(sdkError.message);
    expect(err.apiCalls).toBe(sdkError.$metadata.attempts);
    expect(err.retryable).toBe(false);
  });

  it('maps ConflictException to ConflictingTokenError with the task ARNs bound to the token', async () => {
    ecs.on(RunTaskCommand).rejects(
      new ConflictException({
        message: 'token bound to other parameters',
        resourceIds: [NEW_TASK],
        $metadata: {},
      }),
    );
    const err = await launchError();
    expect(err).toBeInstanceOf(ConflictingTokenError);
    expect(err).toMatchObject({ boundTaskArns: [NEW_TASK] });
  });

  it.each([
    [
      'ThrottlingException',
      () =>
        new ECSServiceException({
          name: 'ThrottlingException',
          $fault: 'client',
          message: 'Rate exceeded',
          $metadata: { attempts: 3, httpStatusCode: 400 },
        }),
    ],
    ['ServerException', () => new ServerException({ message: 'internal error', $metadata: { attempts: 3 } })],
    [
      'TimeoutError',
      () =>
        Object.assign(new Error('client timed out waiting for the RunTask response'), {
          name: 'TimeoutError',
        }),
    ],
  ])('maps %s to the retryable TransientLaunchError', async (name, make) => {
    ecs.on(RunTaskCommand).rejects(make());
    const err = await launchError();
    expect(err).toBeInstanceOf(TransientLaunchError);
    expect(err).toMatchObject({ errorName: name, retryable: true });
  });
});

describe('EcsTaskLauncher.describeTask', () => {
  const task: Task = {
    taskArn: ROOT,
    clusterArn: CLUSTER,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:7',
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stopCode: 'TaskFailedToStart',
    stoppedReason: 'Timeout waiting for network interface provisioning to complete.',
    group: 'family:invoice-export',
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    availabilityZone: 'us-east-1b',
    overrides: { containerOverrides: [{ name: 'app', command: ['run'] }], inferenceAcceleratorOverrides: [] },
    attachments: [
      {
        id: '738651f8-2750-4319-ba3b-d174024b5c86',
        type: 'ElasticNetworkInterface',
        status: 'DELETED',
        details: [
          { name: 'subnetId', value: 'subnet-8e3f981de48241322' },
          { name: 'networkInterfaceId', value: 'eni-6d9bfe38bde881549' },
        ],
      },
    ],
    containers: [{ name: 'app', lastStatus: 'STOPPED' }],
    createdAt: new Date('2025-03-04T02:00:07.913Z'),
    stoppingAt: new Date('2025-03-04T02:03:11.274Z'),
    stoppedAt: new Date('2025-03-04T02:03:58.605Z'),
    version: 4,
  };

  it('asks DescribeTasks for the one task in its cluster', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task], failures: [] });
    await launcher().describeTask(CLUSTER, ROOT);
    expect(ecs.commandCalls(DescribeTasksCommand)[0]?.args[0].input).toMatchObject({
      cluster: CLUSTER,
      tasks: [ROOT],
    });
  });

  it('maps the Task to an event-shaped detail: ISO dates and attachment type eni', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [task], failures: [] });
    const described = await launcher().describeTask(CLUSTER, ROOT);
    expect(described).toMatchObject({ taskArn: ROOT, lastStatus: 'STOPPED', containerExitCodes: [] });
    expect(described?.startedAt).toBeUndefined();
    const detail = described?.detail ?? {};
    expect(detail).toMatchObject({
      taskArn: ROOT,
      clusterArn: CLUSTER,
      createdAt: '2025-03-04T02:00:07.913Z',
      stoppingAt: '2025-03-04T02:03:11.274Z',
      stoppedAt: '2025-03-04T02:03:58.605Z',
      stoppedReason: task.stoppedReason,
      version: 4,
      overrides: task.overrides,
    });
    expect(detail.attachments).toEqual([
      expect.objectContaining({ type: 'eni', status: 'DELETED', details: task.attachments?.[0]?.details }),
    ]);
    // The redrive parses it as the detail of a Task State Change event.
    const event = parseTaskStateChange({
      id: 'redrive',
      'detail-type': 'ECS Task State Change',
      source: 'aws.ecs',
      account: '111122223333',
      region: 'us-east-1',
      time: '2025-03-04T02:10:00Z',
      detail,
    });
    expect(failedSubnetOf(event.detail)).toBe('subnet-8e3f981de48241322');
  });

  it('reports a start (startedAt, exit codes) in ISO form', async () => {
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        {
          ...task,
          startedAt: new Date('2025-03-04T02:01:00.000Z'),
          containers: [{ name: 'app', exitCode: 137 }, { name: 'sidecar' }],
        },
      ],
    });
    const described = await launcher().describeTask(CLUSTER, ROOT);
    expect(described?.startedAt).toBe('2025-03-04T02:01:00.000Z');
    expect(described?.containerExitCodes).toEqual([137]);
  });

  it('returns undefined when ECS no longer knows the task', async () => {
    ecs.on(DescribeTasksCommand).resolves({ tasks: [], failures: [{ arn: ROOT, reason: 'MISSING' }] });
    expect(await launcher().describeTask(CLUSTER, ROOT)).toBeUndefined();
  });
});
