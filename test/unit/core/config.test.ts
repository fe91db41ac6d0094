import { ConfigError } from '../../../functions/core/errors';
import { DEFAULT_POLICY } from '../../../functions/core/policy';
import { parseConfig } from '../../../functions/shared/config';
import { ENV } from '../../../functions/shared/env-names';

const BASE = { AUDIT_TABLE_NAME: 'eni-remediator-audit' };

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected parseConfig to throw a ConfigError');
}

describe('parseConfig', () => {
  it('uses the product defaults when only the table name is set', () => {
    const config = parseConfig(BASE);
    expect(config.tableName).toBe('eni-remediator-audit');
    expect(config.alertTopicArn).toBeUndefined();
    expect(config.eventBusName).toBe('default');
    expect(config.policy).toEqual({ ...DEFAULT_POLICY, accountId: undefined, region: undefined });
    expect(config.policy.maxAttempts).toBe(3);
    expect(config.policy.latenessLimitMs).toBe(30 * 60_000);
    expect(config.policy.dryRun).toBe(false);
    expect(config.policy.stepFunctionsPolicy).toBe('skip');
    expect(config.policy.networkDefaults).toEqual({});
  });

  it('returns a frozen object', () => {
    const config = parseConfig(BASE);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.policy)).toBe(true);
  });

  it('reads every documented variable', () => {
    const config = parseConfig({
      ...BASE,
      AWS_REGION: 'eu-west-1',
      EXPECTED_ACCOUNT_ID: '111122223333',
      MAX_ATTEMPTS: '5',
      DRY_RUN: 'true',
      LATENESS_LIMIT_SECONDS: '600',
      CLUSTER_ALLOW: 'a, b,,c',
      FAMILY_DENY: 'x',
      STEP_FUNCTIONS_POLICY: 'relaunch',
      NETWORK_DEFAULTS: JSON.stringify({
        '*': { subnets: ['subnet-a'], securityGroups: ['sg-a'], assignPublicIp: 'ENABLED' },
      }),
      STORM_LIMIT: '7',
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:alerts',
      EVENT_BUS_NAME: 'ops',
    });
    expect(config.policy).toMatchObject({
      region: 'eu-west-1',
      accountId: '111122223333',
      maxAttempts: 5,
      dryRun: true,
      latenessLimitMs: 600_000,
      clusterAllow: ['a', 'b', 'c'],
      familyDeny: ['x'],
      stepFunctionsPolicy: 'relaunch',
      networkDefaults: {
        '*': { subnets: ['subnet-a'], securityGroups: ['sg-a'], assignPublicIp: 'ENABLED' },
      },
      stormLimit: 7,
    });
    expect(config.alertTopicArn).toBe('arn:aws:sns:eu-west-1:111122223333:alerts');
    expect(config.eventBusName).toBe('ops');
  });

  it.each([
    [ENV.maxAttempts, '0'],
    [ENV.maxAttempts, 'three'],
    [ENV.maxAttempts, '2.5'],
    [ENV.dryRun, 'maybe'],
    [ENV.networkDefaults, '{not json'],
    [ENV.networkDefaults, JSON.stringify({ '*': { subnets: ['subnet-a'] } })],
    [ENV.networkDefaults, JSON.stringify({ '*': { subnets: ['subnet-a'], securityGroups: [] } })],
    [ENV.networkDefaults, JSON.stringify(['subnet-a'])],
    [ENV.stepFunctionsPolicy, 'other'],
    [ENV.accountId, 'abc'],
    [ENV.stormLimit, '-1'],
  ])('throws a ConfigError naming %s for %j', (variable, value) => {
    const err = configError({ ...BASE, [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it('throws a ConfigError naming AUDIT_TABLE_NAME when it is missing', () => {
    const err = configError({});
    expect(err.variable).toBe('AUDIT_TABLE_NAME');
    expect(err.message).toContain('AUDIT_TABLE_NAME');
  });
});
