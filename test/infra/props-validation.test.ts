import { App, Duration, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DEFAULT_POLICY } from '../../functions/core/policy';
import {
  EniRemediator,
  type EniRemediatorProps,
  EniRemediatorPropsError,
  renderEnvironment,
  resolveSettings,
} from '../../infra/constructs';
import { buildApp, NO_BUNDLING } from './synth';

const invalid: [string, EniRemediatorProps, RegExp][] = [
  ['maxAttempts 0', { maxAttempts: 0 }, /maxAttempts must be an integer >= 1, got 0; use 1 or more/],
  ['maxAttempts 2.5', { maxAttempts: 2.5 }, /maxAttempts must be an integer >= 1, got 2.5/],
  ['maxAttempts 11', { maxAttempts: 11 }, /maxAttempts must be at most 10, got 11/],
  [
    'backoff.maxMs below baseMs',
    { backoff: { baseMs: 5000, maxMs: 1000 } },
    /backoff.maxMs \(1000\) is below backoff.baseMs \(5000\); raise maxMs/,
  ],
  ['negative backoff.minMs', { backoff: { minMs: -1 } }, /backoff.minMs must be an integer >= 0, got -1/],
  [
    'latenessLimit 30 s',
    { latenessLimit: Duration.seconds(30) },
    /latenessLimit must be a whole number of seconds >= 60, got 30 seconds/,
  ],
  ['latenessLimit 2 days', { latenessLimit: Duration.days(2) }, /latenessLimit must be at most 24 hours/],
  [
    'launchRecordTtl shorter than lateness',
    { launchRecordTtl: Duration.hours(1), latenessLimit: Duration.hours(2) },
    /launchRecordTtl \(1 h\) is shorter than latenessLimit \(7200 s\)/,
  ],
  [
    'launchRecordTtl 90 minutes',
    { launchRecordTtl: Duration.minutes(90) },
    /launchRecordTtl must be a whole number of hours >= 1, got 1 hour 30 minutes/,
  ],
  [
    'auditRetention 0 days',
    { auditRetention: Duration.days(0) },
    /auditRetention must be a whole number of days >= 1/,
  ],
  [
    'reservedConcurrency 0',
    { reservedConcurrency: 0 },
    /reservedConcurrency must be an integer >= 1, got 0; use 1 or more \(0 would disable the remediator\)/,
  ],
  ['stormLimit 0', { stormLimit: 0 }, /stormLimit must be an integer >= 1, got 0/],
  [
    'cluster ARN in the allow list',
    { clusterAllowList: ['arn:aws:ecs:eu-west-1:111122223333:cluster/jobs'] },
    /clusterAllowList takes cluster names, got the ARN 'arn:aws:ecs:eu-west-1:111122223333:cluster\/jobs'; use the part after the last '\/'/,
  ],
  [
    'bad family name',
    { familyAllowList: ['my family'] },
    /familyAllowList entry 'my family' is not a valid task definition family name/,
  ],
  ['duplicate cluster', { clusterDenyList: ['a', 'a'] }, /clusterDenyList lists a cluster twice/],
  [
    'subnet that is not a subnet id',
    { networkDefaults: { '*': { subnets: ['10.0.0.0/24'], securityGroups: ['sg-1'] } } },
    /networkDefaults\['\*'\].subnets entry '10.0.0.0\/24' is not a subnet id/,
  ],
  [
    'no security groups',
    { networkDefaults: { jobs: { subnets: ['subnet-1'], securityGroups: [] } } },
    /networkDefaults\['jobs'\].securityGroups is empty; list at least one security group id/,
  ],
  [
    'bad stepFunctionsPolicy',
    { stepFunctionsPolicy: 'retry' as 'skip' },
    /stepFunctionsPolicy must be 'skip' or 'relaunch', got 'retry'/,
  ],
  ['empty passRoleArns', { passRoleArns: [] }, /passRoleArns is empty; omit it for the default/],
  [
    'passRoleArns with a user ARN',
    { passRoleArns: ['arn:aws:iam::111122223333:user/bob'] },
    /passRoleArns entry 'arn:aws:iam::111122223333:user\/bob' is not an IAM role ARN/,
  ],
  [
    'bus ARN instead of name',
    { eventBusName: 'arn:aws:events:eu-west-1:111122223333:event-bus/ops' },
    /eventBusName 'arn:aws:events:.*' must be an event bus name \(not an ARN\)/,
  ],
  ['bad e-mail', { alertEmail: 'oncall' }, /alertEmail 'oncall' is not an e-mail address/],
  [
    'log retention 10 days',
    { logRetentionDays: 10 },
    /logRetentionDays 10 is not accepted by CloudWatch Logs; use one of 1, 3, 5/,
  ],
  [
    'backoff beyond the Lambda timeout',
    { maxAttempts: 10, backoff: { maxMs: 90_000 } },
    /the remediator would need a 1150 s timeout .* above Lambda's 900 s; lower backoff.maxMs, maxAttempts or launchRecordWait/,
  ],
];

describe('props validation', () => {
  test.each(invalid)('rejects %s with a message naming the value and the fix', (_name, props, message) => {
    expect(() => resolveSettings(props)).toThrow(EniRemediatorPropsError);
    expect(() => resolveSettings(props)).toThrow(message);
  });

  test('the construct validates before creating anything', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'S');
    expect(() => new EniRemediator(stack, 'R', { maxAttempts: 0 })).toThrow(
      /maxAttempts must be an integer >= 1, got 0/,
    );
    expect(stack.node.findAll().map((c) => c.node.path)).toEqual(['S', 'S/R']);
  });

  test('alertEmail cannot be combined with an existing alertTopic', () => {
    const stack = new Stack(new App({ context: NO_BUNDLING }), 'S');
    const alertTopic = Topic.fromTopicArn(stack, 'T', 'arn:aws:sns:eu-west-1:111122223333:ops');
    expect(() => resolveSettings({ alertTopic, alertEmail: 'a@example.com' })).toThrow(
      /alertEmail cannot be combined with alertTopic/,
    );
  });

  test('defaults are the runtime defaults (DEFAULT_POLICY)', () => {
    const s = resolveSettings({});
    expect(s).toMatchObject({
      maxAttempts: DEFAULT_POLICY.maxAttempts,
      backoffBaseMs: DEFAULT_POLICY.backoffBaseMs,
      backoffMinMs: DEFAULT_POLICY.backoffMinMs,
      backoffMaxMs: DEFAULT_POLICY.backoffMaxMs,
      latenessLimitSeconds: DEFAULT_POLICY.latenessLimitMs / 1000,
      launchRecordWaitMs: DEFAULT_POLICY.launchRecordWaitMs,
      auditRetentionDays: DEFAULT_POLICY.auditRetentionDays,
      launchRecordTtlHours: DEFAULT_POLICY.launchRecordTtlHours,
      stormLimit: DEFAULT_POLICY.stormLimit,
      stormWindowSeconds: DEFAULT_POLICY.stormWindowMs / 1000,
      stepFunctionsPolicy: 'skip',
      dryRun: false,
      eventBusName: 'default',
      metricsNamespace: 'EniRemediator',
    });
  });

  test('an environment beyond Lambda 4 KB is rejected with the fix', () => {
    const clusters = Array.from({ length: 200 }, (_, i) => `cluster-with-a-long-name-${i}`);
    const settings = resolveSettings({ clusterAllowList: clusters });
    expect(() =>
      renderEnvironment(settings, {
        auditTableName: 't',
        accountId: '1',
        alertTopicArn: 'a',
        serviceName: 's',
      }),
    ).toThrow(/above Lambda's 4096; shorten networkDefaults/);
  });
});

describe('context settings', () => {
  test.each([
    ['maxAttempts', 'three', /context eniRemediator:maxAttempts must be an integer, got "three"/],
    ['dryRun', 'yes', /context eniRemediator:dryRun must be true or false, got "yes"/],
    ['networkDefaults', '{not json', /context eniRemediator:networkDefaults must be a JSON object/],
    ['clusterAllowList', 42, /context eniRemediator:clusterAllowList must be a list of strings/],
    [
      'stepFunctionsPolicy',
      'always',
      /context eniRemediator:stepFunctionsPolicy must be "skip" or "relaunch"/,
    ],
    ['alertTopicArn', 'ops-topic', /context eniRemediator:alertTopicArn must be an SNS topic ARN/],
    ['maxAttempts', '0', /maxAttempts must be an integer >= 1, got 0/],
  ])('rejects %s = %j', (key, value, message) => {
    expect(() => buildApp({ [key]: value })).toThrow(message);
  });
});
