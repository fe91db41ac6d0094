import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EventBridgePublisher,
  TASK_RELAUNCHED_DETAIL_TYPE,
  TASK_RELAUNCHED_SOURCE,
} from '../../../functions/adapters/eventbridge-publisher';
import type { TaskRelaunchedEvent } from '../../../functions/core/ports';

const events = mockClient(EventBridgeClient);
const client = () =>
  new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

const relaunched: TaskRelaunchedEvent = {
  oldTaskArn: 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/e5e281705d76d0580d6cf8d429eca7db',
  newTaskArn: 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/0ca23f6c745584b52d286d9324bd15c8',
  rootTaskArn: 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/e5e281705d76d0580d6cf8d429eca7db',
  attempt: 1,
  clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/batch-jobs',
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:7',
  group: 'family:invoice-export',
};

beforeEach(() => {
  events.reset();
});

describe('EventBridgePublisher', () => {
  it('puts one TaskRelaunched event with old task, new task, root and attempt on the configured bus', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await new EventBridgePublisher(client(), 'ops-bus').taskRelaunched(relaunched);
    const entries = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: 'ops-bus',
      Source: TASK_RELAUNCHED_SOURCE,
      DetailType: TASK_RELAUNCHED_DETAIL_TYPE,
    });
    expect(JSON.parse(entries[0]?.Detail ?? '{}')).toEqual(relaunched);
    expect(entries[0]?.Resources).toEqual(
      expect.arrayContaining([relaunched.newTaskArn, relaunched.oldTaskArn]),
    );
  });

  it('throws when PutEvents reports a failed entry', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(new EventBridgePublisher(client(), 'default').taskRelaunched(relaunched)).rejects.toThrow(
      /InternalFailure/,
    );
  });
});
