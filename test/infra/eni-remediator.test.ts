import { Match, Template } from 'aws-cdk-lib/assertions';
import { AUDIT_TABLE } from '../../functions/core/audit-schema';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../../functions/core/catalog';
import { ENV } from '../../functions/shared/env-names';
import { extractRulePatterns, synthesizedEniPattern } from '../../infra/template-patterns';
import {
  actionsOf,
  allIdentityStatements,
  buildApp,
  ecsArnJoin,
  statementFor,
  statementsOfRole,
} from './synth';

// One synth of the deployable app with the cdk.json defaults, shared by every test in this file.
const { stack } = buildApp();
const template = Template.fromStack(stack);
const json = template.toJSON();

const logicalIdOf = (type: string, prefix: string): string => {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1 || ids[0] === undefined)
    throw new Error(`expected one ${type} ${prefix}*, found ${ids.length}`);
  return ids[0];
};
const remediatorId = logicalIdOf('AWS::Lambda::Function', 'EniRemediatorB7A5');
const recorderId = logicalIdOf('AWS::Lambda::Function', 'EniRemediatorLaunchRecorder');
const tableId = logicalIdOf('AWS::DynamoDB::Table', 'EniRemediatorAuditTable');
const remediatorStatements = statementsOfRole(template, 'EniRemediatorRemediatorRole');
const recorderStatements = statementsOfRole(template, 'EniRemediatorLaunchRecorderRole');

describe('event rules', () => {
  test('the ENI rule pattern is exactly buildEniFailurePattern() and targets the remediator', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: buildEniFailurePattern(),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [remediatorId, 'Arn'] } })],
    });
    expect(synthesizedEniPattern(json)).toEqual(buildEniFailurePattern());
  });

  test('the CloudTrail RunTask rule pattern is exactly buildRunTaskCloudTrailPattern() and targets the recorder', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: buildRunTaskCloudTrailPattern(),
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [recorderId, 'Arn'] } })],
    });
  });

  test('extractRulePatterns finds both rules in the synthesized template', () => {
    expect(extractRulePatterns(json)).toEqual({
      eniFailure: buildEniFailurePattern(),
      runTaskCloudTrail: buildRunTaskCloudTrailPattern(),
    });
    expect(() => extractRulePatterns({ Resources: {} })).toThrow(
      /exactly one rule with detail-type 'ECS Task State Change'/,
    );
  });

  test('both targets retry, cap the event age at the lateness limit and have a dead-letter queue', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toHaveLength(1);
      expect(rule.Properties.Targets[0]).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 1800 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/RuleDeadLetterQueue/), 'Arn'] } },
      });
    }
  });
});

describe('queues', () => {
  test('four SSE-encrypted dead-letter queues, each refusing non-TLS requests', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(4);
    for (const queue of Object.values(queues)) {
      expect(queue.Properties).toMatchObject({
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    }
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  test('both functions send failed asynchronous invocations to their own queue after 2 retries', () => {
    for (const [fn, queuePrefix] of [
      [remediatorId, 'EniRemediatorRemediatorFailureQueue'],
      [recorderId, 'EniRemediatorLaunchRecorderFailureQueue'],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn },
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 1800,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf('AWS::SQS::Queue', queuePrefix), 'Arn'] } },
        },
      });
    }
  });
});

describe('functions', () => {
  test('Node.js 24 on ARM64 with explicit memory, timeout, reserved concurrency, log group and source maps', () => {
    for (const id of [remediatorId, recorderId]) {
      const fn = template.findResources('AWS::Lambda::Function')[id];
      expect(fn?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        ReservedConcurrentExecutions: 10,
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/LogGroup/) } },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
    }
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the remediator timeout covers launchRecordWait + maxAttempts x (backoff max + min) plus API headroom', () => {
    const fn = template.findResources('AWS::Lambda::Function')[remediatorId];
    // 120 s + 3 x (60 s + 10 s) = 330 s, + 30 s for the API calls.
    expect(fn?.Properties.Timeout).toBe(360);
    expect(template.findResources('AWS::Lambda::Function')[recorderId]?.Properties.Timeout).toBe(30);
  });

  test('the environment uses exactly the ENV names, in the formats the config parser reads', () => {
    const variables =
      template.findResources('AWS::Lambda::Function')[remediatorId]?.Properties.Environment.Variables;
    expect(Object.keys(variables).sort()).toEqual([...Object.values(ENV), 'NODE_OPTIONS'].sort());
    expect(variables).toMatchObject({
      [ENV.auditTableName]: { Ref: tableId },
      [ENV.accountId]: { Ref: 'AWS::AccountId' },
      [ENV.alertTopicArn]: { Ref: expect.stringMatching(/AlertTopic/) },
      [ENV.maxAttempts]: '3',
      [ENV.backoffBaseMs]: '20000',
      [ENV.backoffMinMs]: '10000',
      [ENV.backoffMaxMs]: '60000',
      [ENV.latenessLimitSeconds]: '1800',
      [ENV.launchRecordWaitMs]: '120000',
      [ENV.dryRun]: 'false',
      [ENV.clusterAllow]: '',
      [ENV.stepFunctionsPolicy]: 'skip',
      [ENV.networkDefaults]: '{}',
      [ENV.stormLimit]: '100',
      [ENV.stormWindowSeconds]: '300',
      [ENV.eventBusName]: 'default',
      [ENV.auditRetentionDays]: '90',
      [ENV.launchRecordTtlHours]: '48',
      [ENV.metricsNamespace]: 'EniRemediator',
      [ENV.serviceName]: 'eni-remediator',
    });
    const recorderVariables =
      template.findResources('AWS::Lambda::Function')[recorderId]?.Properties.Environment.Variables;
    expect(recorderVariables[ENV.serviceName]).toBe('eni-remediator-launch-recorder');
    expect(recorderVariables[ENV.auditTableName]).toEqual({ Ref: tableId });
  });
});

describe('IAM', () => {
  test('no identity policy statement has a wildcard action', () => {
    const actions = allIdentityStatements(template).flatMap(actionsOf);
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('no AWS managed policies: each role writes only to its own log group', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(statementFor(remediatorStatements, 'logs:PutLogEvents').Resource).toEqual({
      'Fn::GetAtt': [logicalIdOf('AWS::Logs::LogGroup', 'EniRemediatorRemediatorLogGroup'), 'Arn'],
    });
  });

  test('ecs:RunTask on every task definition of the account and region, without cluster condition by default', () => {
    const s = statementFor(remediatorStatements, 'ecs:RunTask');
    expect(s.Action).toBe('ecs:RunTask');
    expect(s.Resource).toEqual(ecsArnJoin('task-definition/*'));
    expect(s.Condition).toBeUndefined();
  });

  test('ecs:TagResource only while RunTask creates the task', () => {
    const s = statementFor(remediatorStatements, 'ecs:TagResource');
    expect(s.Resource).toEqual(ecsArnJoin('task/*'));
    expect(s.Condition).toEqual({ StringEquals: { 'ecs:CreateAction': 'RunTask' } });
  });

  test('ecs:DescribeTasks on task ARNs of this account and region', () => {
    const s = statementFor(remediatorStatements, 'ecs:DescribeTasks');
    expect(s.Action).toBe('ecs:DescribeTasks');
    expect(s.Resource).toEqual(ecsArnJoin('task/*'));
  });

  test('iam:PassRole on roles of this account, only to ecs-tasks.amazonaws.com', () => {
    const s = statementFor(remediatorStatements, 'iam:PassRole');
    expect(s.Resource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']],
    });
    expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  test('DynamoDB: the remediator gets only GetItem/PutItem/UpdateItem/Query on the table and its indexes', () => {
    const s = statementFor(remediatorStatements, 'dynamodb:GetItem');
    expect(s.Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    expect(s.Resource).toEqual([
      { 'Fn::GetAtt': [tableId, 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] },
    ]);
  });

  test('DynamoDB: the launch recorder gets only GetItem/PutItem on the table', () => {
    const s = statementFor(recorderStatements, 'dynamodb:PutItem');
    expect(s.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(s.Resource).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
  });

  test('the launch recorder has nothing but logs, its failure queue and the table', () => {
    expect(recorderStatements.flatMap(actionsOf).sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });

  test('sns:Publish on the alert topic with exact key actions, and events:PutEvents on the default bus', () => {
    const topicId = logicalIdOf('AWS::SNS::Topic', 'EniRemediatorAlertTopic');
    expect(statementFor(remediatorStatements, 'sns:Publish').Resource).toEqual({ Ref: topicId });
    const kms = statementFor(remediatorStatements, 'kms:GenerateDataKey');
    expect(kms.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms.Resource).toEqual({
      'Fn::GetAtt': [logicalIdOf('AWS::KMS::Key', 'EniRemediatorAlertTopicKey'), 'Arn'],
    });
    expect(statementFor(remediatorStatements, 'events:PutEvents').Resource).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':event-bus/default',
        ],
      ],
    });
  });

  test('the remediator has exactly the expected set of actions (no cloudwatch:PutMetricData, no X-Ray)', () => {
    expect(remediatorStatements.flatMap(actionsOf).sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'ecs:DescribeTasks',
        'ecs:RunTask',
        'ecs:TagResource',
        'events:PutEvents',
        'iam:PassRole',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sns:Publish',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });
});

describe('audit table', () => {
  test('keys, GSIs, TTL, on-demand, PITR and KMS encryption from the audit schema', () => {
    const { byCluster, byOutcomeDay } = AUDIT_TABLE.indexes;
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: AUDIT_TABLE.ttlAttribute, Enabled: true },
      // SSEEnabled without a key id: KMS with the AWS managed key aws/dynamodb.
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: byCluster.name,
          KeySchema: [
            { AttributeName: byCluster.partitionKey, KeyType: 'HASH' },
            { AttributeName: byCluster.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: byOutcomeDay.name,
          KeySchema: [
            { AttributeName: byOutcomeDay.partitionKey, KeyType: 'HASH' },
            { AttributeName: byOutcomeDay.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  test('the table is retained on stack deletion and protected from deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
  });
});

describe('alerts and alarms', () => {
  test('the alert topic is KMS-encrypted with a rotating key and refuses non-TLS publishes', () => {
    const keyId = logicalIdOf('AWS::KMS::Key', 'EniRemediatorAlertTopicKey');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('eleven alarms, all > 0 and all notifying the alert topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(11);
    const topicId = logicalIdOf('AWS::SNS::Topic', 'EniRemediatorAlertTopic');
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: topicId }],
        TreatMissingData: 'notBreaching',
      });
    }
  });

  test('a "not empty" alarm on each of the four dead-letter queues', () => {
    const queueAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    const queues = queueAlarms.map((a) => a.Properties.Dimensions[0].Value['Fn::GetAtt'][0]).sort();
    expect(queues).toEqual(Object.keys(template.findResources('AWS::SQS::Queue')).sort());
  });

  test('error and throttle alarms on both functions', () => {
    for (const metric of ['Errors', 'Throttles']) {
      for (const fn of [remediatorId, recorderId]) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn } }],
          Statistic: 'Sum',
        });
      }
    }
  });

  test.each(['GaveUp', 'Unresolved', 'Failed'])(
    'an alarm on the Powertools metric %s (service eni-remediator)',
    (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'EniRemediator',
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'eni-remediator' }],
        Statistic: 'Sum',
        Period: 300,
      });
    },
  );

  test('a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});

describe('environment-agnostic stack', () => {
  test('no hard-coded account or region, no lookups', () => {
    expect(stack.account).toMatch(/^\$\{Token\[AWS\.AccountId/);
    expect(stack.region).toMatch(/^\$\{Token\[AWS\.Region/);
    expect(JSON.stringify(json)).not.toMatch(/\d{12}/);
  });
});
