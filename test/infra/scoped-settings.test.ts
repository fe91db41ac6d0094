import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ENV } from '../../functions/shared/env-names';
import { EniRemediator } from '../../infra/constructs';
import { actionsOf, buildApp, ecsArnJoin, NO_BUNDLING, statementFor, statementsOfRole } from './synth';

// One synth with every narrowing setting, given the way operators give them (context strings).
const { stack } = buildApp({
  clusterAllowList: 'jobs,ci',
  familyAllowList: ['nightly-report', 'etl'],
  clusterDenyList: ['legacy'],
  passRoleArns: 'arn:aws:iam::111122223333:role/jobs-task,arn:aws:iam::111122223333:role/jobs-exec',
  networkDefaults: JSON.stringify({ jobs: { subnets: ['subnet-0a1b'], securityGroups: ['sg-0c2d'] } }),
  maxAttempts: '2',
  dryRun: 'true',
  stepFunctionsPolicy: 'relaunch',
  latenessLimitMinutes: 10,
  eventBusName: 'ops-bus',
  metricsNamespace: 'Ops/Eni',
  alertEmail: 'oncall@example.com',
});
const template = Template.fromStack(stack);
const statements = statementsOfRole(template, 'EniRemediatorRemediatorRole');
const clusterCondition = {
  ArnEquals: { 'ecs:cluster': [ecsArnJoin('cluster/jobs'), ecsArnJoin('cluster/ci')] },
};

test('familyAllowList narrows ecs:RunTask to family:* and clusterAllowList adds ArnEquals ecs:cluster', () => {
  const s = statementFor(statements, 'ecs:RunTask');
  expect(s.Resource).toEqual([
    ecsArnJoin('task-definition/nightly-report:*'),
    ecsArnJoin('task-definition/etl:*'),
  ]);
  expect(s.Condition).toEqual(clusterCondition);
});

test('ecs:DescribeTasks is limited to tasks of the allowed clusters, with the same condition', () => {
  const s = statementFor(statements, 'ecs:DescribeTasks');
  expect(s.Resource).toEqual([ecsArnJoin('task/jobs/*'), ecsArnJoin('task/ci/*')]);
  expect(s.Condition).toEqual(clusterCondition);
});

test('iam:PassRole only on the listed roles, still only to ecs-tasks.amazonaws.com', () => {
  const s = statementFor(statements, 'iam:PassRole');
  expect(s.Resource).toEqual([
    'arn:aws:iam::111122223333:role/jobs-task',
    'arn:aws:iam::111122223333:role/jobs-exec',
  ]);
  expect(s.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
});

test('events:PutEvents on the configured bus', () => {
  expect(statementFor(statements, 'events:PutEvents').Resource).toEqual({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':events:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':event-bus/ops-bus',
      ],
    ],
  });
});

test('settings reach the environment in the parser formats', () => {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
    (f) => f.Properties.Environment.Variables[ENV.serviceName] === 'eni-remediator',
  );
  expect(fn?.Properties.Environment.Variables).toMatchObject({
    [ENV.clusterAllow]: 'jobs,ci',
    [ENV.clusterDeny]: 'legacy',
    [ENV.familyAllow]: 'nightly-report,etl',
    [ENV.familyDeny]: '',
    [ENV.maxAttempts]: '2',
    [ENV.dryRun]: 'true',
    [ENV.stepFunctionsPolicy]: 'relaunch',
    [ENV.latenessLimitSeconds]: '600',
    [ENV.eventBusName]: 'ops-bus',
    [ENV.metricsNamespace]: 'Ops/Eni',
    [ENV.networkDefaults]: JSON.stringify({
      jobs: { subnets: ['subnet-0a1b'], securityGroups: ['sg-0c2d'], assignPublicIp: 'DISABLED' },
    }),
  });
  // 120 s + 2 x 70 s + 30 s
  expect(fn?.Properties.Timeout).toBe(290);
});

test('target and async event age follow the lateness limit', () => {
  for (const rule of Object.values(template.findResources('AWS::Events::Rule'))) {
    expect(rule.Properties.Targets[0].RetryPolicy.MaximumEventAgeInSeconds).toBe(600);
  }
  template.allResourcesProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: 600 });
});

test('metric alarms use the configured namespace', () => {
  const outcomeAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
    ['GaveUp', 'Unresolved', 'Failed'].includes(a.Properties.MetricName),
  );
  expect(outcomeAlarms.map((a) => a.Properties.Namespace)).toEqual(['Ops/Eni', 'Ops/Eni', 'Ops/Eni']);
});

test('alertEmail subscribes the address to the new topic', () => {
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'oncall@example.com',
  });
});

test('an existing alert topic is used as is: no topic or key is created, publish goes to it', () => {
  const app = new App({ context: NO_BUNDLING });
  const host = new Stack(app, 'Host');
  const topic = Topic.fromTopicArn(host, 'Ops', 'arn:aws:sns:eu-west-1:111122223333:ops');
  new EniRemediator(host, 'Remediator', { alertTopic: topic, latenessLimit: Duration.minutes(15) });
  const t = Template.fromStack(host);
  t.resourceCountIs('AWS::SNS::Topic', 0);
  t.resourceCountIs('AWS::KMS::Key', 0);
  const s = statementFor(statementsOfRole(t, 'RemediatorRemediatorRole'), 'sns:Publish');
  expect(actionsOf(s)).toEqual(['sns:Publish']);
  expect(s.Resource).toBe('arn:aws:sns:eu-west-1:111122223333:ops');
  for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
    expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:111122223333:ops']);
  }
});
