/**
 * Reads the remediator's settings from CDK context (cdk.json or `cdk deploy -c key=value`).
 * Values from cdk.json are JSON (arrays, numbers, booleans, objects); values from `-c` are
 * strings, so lists also accept "a,b", numbers "3", booleans "true", objects a JSON string.
 */
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import {
  type EniRemediatorProps,
  EniRemediatorPropsError,
  type NetworkDefaultsEntry,
} from './constructs/eni-remediator-props';

/** Prefix of every context key. */
export const CONTEXT_PREFIX = 'eniRemediator:';

/** Context keys (without the prefix) and what they hold. */
export const CONTEXT_KEYS = Object.freeze({
  stackName: 'stack name (string)',
  clusterAllowList: 'cluster names (list)',
  clusterDenyList: 'cluster names (list)',
  familyAllowList: 'task definition families (list)',
  familyDenyList: 'task definition families (list)',
  maxAttempts: 'relaunches per root task (integer)',
  backoffBaseMs: 'backoff base (integer ms)',
  backoffMinMs: 'backoff floor (integer ms)',
  backoffMaxMs: 'backoff cap (integer ms)',
  latenessLimitMinutes: 'lateness limit (integer minutes)',
  dryRun: 'record only, never RunTask (boolean)',
  networkDefaults: 'network per cluster name or "*" (object)',
  stepFunctionsPolicy: '"skip" or "relaunch"',
  auditRetentionDays: 'audit TTL (integer days)',
  launchRecordWaitSeconds: 'wait for a launch record (integer seconds)',
  launchRecordTtlHours: 'launch record TTL (integer hours)',
  reservedConcurrency: 'remediator reserved concurrency (integer)',
  launchRecorderReservedConcurrency: 'launch recorder reserved concurrency (integer)',
  stormLimit: 'relaunches per storm window (integer)',
  stormWindowMinutes: 'storm window (integer minutes)',
  alertTopicArn: 'existing SNS topic ARN (string, "" for a new topic)',
  alertEmail: 'e-mail subscribed to the new topic (string, "" for none)',
  passRoleArns: 'roles the tasks use (list, empty for every role of the account)',
  eventBusName: 'bus for TaskRelaunched events (string)',
  metricsNamespace: 'Powertools metrics namespace (string)',
  optOutTagKey: 'tag key that opts a task out (string)',
  logRetentionDays: 'function log retention (integer days)',
});

export type ContextKey = keyof typeof CONTEXT_KEYS;

/** Settings for the app: the stack name, the construct's props, and an existing topic to use. */
export interface AppSettings {
  readonly stackName: string;
  readonly props: Omit<EniRemediatorProps, 'alertTopic'>;
  readonly alertTopicArn?: string;
}

function invalid(key: ContextKey, expected: string, value: unknown): never {
  throw new EniRemediatorPropsError(
    `context ${CONTEXT_PREFIX}${key} must be ${expected}, got ${JSON.stringify(value)}; fix it in cdk.json or -c`,
  );
}

class ContextReader {
  constructor(private readonly scope: Construct) {}

  private raw(key: ContextKey): unknown {
    const value: unknown = this.scope.node.tryGetContext(`${CONTEXT_PREFIX}${key}`);
    return value === null || value === '' ? undefined : value;
  }

  string(key: ContextKey): string | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') invalid(key, 'a string', value);
    return value.trim() === '' ? undefined : value.trim();
  }

  list(key: ContextKey): string[] | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const items = typeof value === 'string' ? value.split(',') : value;
    if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
      invalid(key, 'a list of strings or a comma-separated string', value);
    }
    return items.map((item) => item.trim()).filter((item) => item.length > 0);
  }

  integer(key: ContextKey): number | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    const number = typeof value === 'string' ? Number(value.trim()) : value;
    if (typeof number !== 'number' || !Number.isInteger(number)) invalid(key, 'an integer', value);
    return number;
  }

  boolean(key: ContextKey): boolean | undefined {
    const value = this.raw(key);
    if (value === undefined || typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    return invalid(key, 'true or false', value);
  }

  object(key: ContextKey): Record<string, unknown> | undefined {
    const value = this.raw(key);
    if (value === undefined) return undefined;
    let parsed: unknown = value;
    if (typeof value === 'string') {
      try {
        parsed = JSON.parse(value);
      } catch {
        invalid(key, 'a JSON object', value);
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      invalid(key, 'a JSON object', value);
    return parsed as Record<string, unknown>;
  }
}

function networkDefaultsFrom(
  value: Record<string, unknown> | undefined,
): Record<string, NetworkDefaultsEntry> | undefined {
  if (value === undefined) return undefined;
  const out: Record<string, NetworkDefaultsEntry> = {};
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  for (const [cluster, entry] of Object.entries(value)) {
    if (typeof entry !== 'object' || entry === null)
      invalid('networkDefaults', 'an object of objects', value);
    const { subnets, securityGroups, assignPublicIp } = entry as Record<string, unknown>;
    if (!strings(subnets) || !strings(securityGroups)) {
      invalid('networkDefaults', `"${cluster}" with "subnets" and "securityGroups" string lists`, entry);
    }
    if (assignPublicIp !== undefined && assignPublicIp !== 'ENABLED' && assignPublicIp !== 'DISABLED') {
      invalid('networkDefaults', `"${cluster}".assignPublicIp ENABLED or DISABLED`, assignPublicIp);
    }
    out[cluster] = { subnets, securityGroups, assignPublicIp };
  }
  return out;
}

function stepFunctionsPolicyFrom(value: string | undefined): 'skip' | 'relaunch' | undefined {
  if (value === undefined || value === 'skip' || value === 'relaunch') return value;
  return invalid('stepFunctionsPolicy', '"skip" or "relaunch"', value);
}

const minutes = (n: number | undefined) => (n === undefined ? undefined : Duration.minutes(n));

/** Reads every `eniRemediator:*` context key; unset keys leave the construct's defaults. */
export function settingsFromContext(scope: Construct): AppSettings {
  const read = new ContextReader(scope);
  const alertTopicArn = read.string('alertTopicArn');
  const backoff = {
    baseMs: read.integer('backoffBaseMs'),
    minMs: read.integer('backoffMinMs'),
    maxMs: read.integer('backoffMaxMs'),
  };
  const auditRetentionDays = read.integer('auditRetentionDays');
  const launchRecordWaitSeconds = read.integer('launchRecordWaitSeconds');
  const launchRecordTtlHours = read.integer('launchRecordTtlHours');
  const passRoleArns = read.list('passRoleArns');
  const props: AppSettings['props'] = {
    clusterAllowList: read.list('clusterAllowList'),
    clusterDenyList: read.list('clusterDenyList'),
    familyAllowList: read.list('familyAllowList'),
    familyDenyList: read.list('familyDenyList'),
    maxAttempts: read.integer('maxAttempts'),
    backoff,
    latenessLimit: minutes(read.integer('latenessLimitMinutes')),
    dryRun: read.boolean('dryRun'),
    networkDefaults: networkDefaultsFrom(read.object('networkDefaults')),
    stepFunctionsPolicy: stepFunctionsPolicyFrom(read.string('stepFunctionsPolicy')),
    auditRetention: auditRetentionDays === undefined ? undefined : Duration.days(auditRetentionDays),
    launchRecordWait:
      launchRecordWaitSeconds === undefined ? undefined : Duration.seconds(launchRecordWaitSeconds),
    launchRecordTtl: launchRecordTtlHours === undefined ? undefined : Duration.hours(launchRecordTtlHours),
    reservedConcurrency: read.integer('reservedConcurrency'),
    launchRecorderReservedConcurrency: read.integer('launchRecorderReservedConcurrency'),
    stormLimit: read.integer('stormLimit'),
    stormWindow: minutes(read.integer('stormWindowMinutes')),
    alertEmail: read.string('alertEmail'),
    passRoleArns: passRoleArns !== undefined && passRoleArns.length > 0 ? passRoleArns : undefined,
    eventBusName: read.string('eventBusName'),
    metricsNamespace: read.string('metricsNamespace'),
    optOutTagKey: read.string('optOutTagKey'),
    logRetentionDays: read.integer('logRetentionDays'),
  };
  if (alertTopicArn !== undefined && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(alertTopicArn)) {
    invalid('alertTopicArn', 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)', alertTopicArn);
  }
  return { stackName: read.string('stackName') ?? 'EniRemediator', props, alertTopicArn };
}
