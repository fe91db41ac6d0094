/** Alerter on Amazon SNS: one message per give-up, failure or unresolved launch. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Alert, Alerter } from '../core/ports';

export class SnsAlerter implements Alerter {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string | undefined,
  ) {}

  async alert(alert: Alert): Promise<void> {
    if (!this.topicArn) return;
    const cluster = alert.clusterArn.slice(alert.clusterArn.lastIndexOf('/') + 1);
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        // SNS subjects are limited to 100 characters.
        Subject: `ENI remediator: ${alert.outcome} in ${cluster}`.slice(0, 100),
        Message: JSON.stringify(
          {
            outcome: alert.outcome,
            reasonCode: alert.reasonCode,
            message: alert.message,
            taskArn: alert.taskArn,
            rootTaskArn: alert.rootTaskArn,
            clusterArn: alert.clusterArn,
            nextStep: `npx eni-remediator audit show ${alert.taskArn}`,
          },
          null,
          2,
        ),
        MessageAttributes: {
          outcome: { DataType: 'String', StringValue: alert.outcome },
          reasonCode: { DataType: 'String', StringValue: alert.reasonCode },
        },
      }),
    );
  }
}
