/**
 * The deployable stack: one EniRemediator per account and region, env-agnostic (no lookups,
 * no hard-coded account), so `cdk synth` runs offline and one template serves every account.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { EniRemediator } from './constructs/eni-remediator';
import type { EniRemediatorProps } from './constructs/eni-remediator-props';

export interface RemediatorStackProps extends StackProps {
  /**
   * Settings of the remediator.
   * @default - the EniRemediator defaults
   */
  readonly remediator?: EniRemediatorProps;
  /**
   * ARN of an existing alert topic (for settings that come from context, where no ITopic exists);
   * ignored when `remediator.alertTopic` is set.
   * @default - a new encrypted topic
   */
  readonly alertTopicArn?: string;
}

export class RemediatorStack extends Stack {
  readonly remediator: EniRemediator;

  constructor(scope: Construct, id: string, props: RemediatorStackProps = {}) {
    super(scope, id, {
      description:
        'ecs-eni-remediator: relaunches Fargate tasks whose network interface could not be provisioned',
      ...props,
    });
    const alertTopic =
      props.remediator?.alertTopic ??
      (props.alertTopicArn === undefined
        ? undefined
        : Topic.fromTopicArn(this, 'AlertTopic', props.alertTopicArn));
    this.remediator = new EniRemediator(this, 'EniRemediator', { ...props.remediator, alertTopic });

    new CfnOutput(this, 'AuditTableName', {
      value: this.remediator.table.tableName,
      description: 'Audit table (query it with the CLI or aws dynamodb query)',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: this.remediator.alertTopic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.remediator.dashboard.dashboardName });
    new CfnOutput(this, 'RemediatorFunctionName', { value: this.remediator.remediatorFunction.functionName });
  }
}
