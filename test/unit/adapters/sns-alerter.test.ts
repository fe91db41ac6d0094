import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsAlerter } from '../../../functions/adapters/sns-alerter';
import type { Alert } from '../../../functions/core/ports';

const sns = mockClient(SNSClient);
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:eni-remediator-alerts';
const client = () =>
  new SNSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function alert(clusterName = 'batch-jobs'): Alert {
  return {
    outcome: 'GAVE_UP',
    rootTaskArn: `arn:aws:ecs:us-east-1:111122223333:task/${clusterName}/e5e281705d76d0580d6cf8d429eca7db`,
    taskArn: `arn:aws:ecs:us-east-1:111122223333:task/${clusterName}/0ca23f6c745584b52d286d9324bd15c8`,
    clusterArn: `arn:aws:ecs:us-east-1:111122223333:cluster/${clusterName}`,
    reasonCode: 'MAX_ATTEMPTS_REACHED',
    message: '3 relaunch attempts used; the job did not run',
  };
}

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('SnsAlerter', () => {
  it('publishes the alert to the topic with the outcome, reason and task ARNs', async () => {
    await new SnsAlerter(client(), TOPIC).alert(alert());
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.TopicArn).toBe(TOPIC);
    expect(input?.Subject).toContain('GAVE_UP');
    expect(input?.Subject).toContain('batch-jobs');
    const message = JSON.parse(input?.Message ?? '{}') as Record<string, unknown>;
    expect(message).toMatchObject({
      outcome: 'GAVE_UP',
      reasonCode: 'MAX_ATTEMPTS_REACHED',
      taskArn: alert().taskArn,
      rootTaskArn: alert().rootTaskArn,
      clusterArn: alert().clusterArn,
    });
    expect(input?.MessageAttributes?.reasonCode?.StringValue).toBe('MAX_ATTEMPTS_REACHED');
  });

  it('keeps the subject within the 100 characters SNS allows, even for a 255-character cluster name', async () => {
    await new SnsAlerter(client(), TOPIC).alert(alert('c'.repeat(255)));
    const subject = sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject ?? '';
    expect(subject.length).toBeGreaterThan(0);
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it('sends nothing when no topic is configured', async () => {
    await new SnsAlerter(client(), undefined).alert(alert());
    expect(sns.calls()).toHaveLength(0);
  });
});
