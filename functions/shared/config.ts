/**
 * Configuration: parsed once, at cold start, from the environment into a frozen object.
 * A bad value fails with the variable's name and what is expected.
 */
import { ConfigError } from '../core/errors';
import { DEFAULT_POLICY, type NetworkDefaults, type RemediatorPolicy } from '../core/policy';
import { ENV } from './env-names';

export interface RemediatorConfig {
  readonly tableName: string;
  readonly alertTopicArn?: string;
  readonly eventBusName: string;
  readonly policy: RemediatorPolicy;
}

type Env = Readonly<Record<string, string | undefined>>;

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function list(env: Env, name: string): string[] {
  const raw = env[name];
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function networkDefaults(env: Env): Record<string, NetworkDefaults> {
  const name = ENV.networkDefaults;
  const raw = env[name];
  if (!raw || raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      name,
      'expected JSON like {"<cluster or *>": {"subnets": [...], "securityGroups": [...]}}',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(name, 'expected a JSON object keyed by cluster name or "*"');
  }
  const out: Record<string, NetworkDefaults> = {};
  for (const [cluster, value] of Object.entries(parsed as Record<string, unknown>)) {
    const v = value as Partial<Record<'subnets' | 'securityGroups' | 'assignPublicIp', unknown>>;
    const strings = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every((s) => typeof s === 'string');
    if (!strings(v.subnets) || !strings(v.securityGroups)) {
      throw new ConfigError(name, `"${cluster}" needs non-empty "subnets" and "securityGroups" lists`);
    }
    if (v.assignPublicIp !== undefined && v.assignPublicIp !== 'ENABLED' && v.assignPublicIp !== 'DISABLED') {
      throw new ConfigError(name, `"${cluster}".assignPublicIp must be ENABLED or DISABLED`);
    }
    out[cluster] = Object.freeze({
      subnets: v.subnets as string[],
      securityGroups: v.securityGroups as string[],
      assignPublicIp: v.assignPublicIp as NetworkDefaults['assignPublicIp'],
    });
  }
  return out;
}

/** Parses the remediator's configuration; throws ConfigError naming the variable. */
export function parseConfig(env: Env): RemediatorConfig {
  const tableName = env[ENV.auditTableName];
  if (!tableName || tableName.length < 3) {
    throw new ConfigError(ENV.auditTableName, 'the audit table name is required (at least 3 characters)');
  }
  const sfn = env[ENV.stepFunctionsPolicy] ?? 'skip';
  if (sfn !== 'skip' && sfn !== 'relaunch') {
    throw new ConfigError(ENV.stepFunctionsPolicy, `expected skip or relaunch, got "${sfn}"`);
  }
  const accountId = env[ENV.accountId]?.trim() || undefined;
  if (accountId !== undefined && !/^\d{12}$/.test(accountId)) {
    throw new ConfigError(ENV.accountId, `expected a 12-digit account id, got "${accountId}"`);
  }
  const backoffMinMs = int(env, ENV.backoffMinMs, DEFAULT_POLICY.backoffMinMs, 0);
  const backoffMaxMs = int(env, ENV.backoffMaxMs, DEFAULT_POLICY.backoffMaxMs, 0);
  const policy: RemediatorPolicy = Object.freeze({
    ...DEFAULT_POLICY,
    accountId,
    region: env.AWS_REGION || undefined,
    maxAttempts: int(env, ENV.maxAttempts, DEFAULT_POLICY.maxAttempts, 1, 10),
    backoffBaseMs: int(env, ENV.backoffBaseMs, DEFAULT_POLICY.backoffBaseMs, 0),
    backoffMinMs,
    backoffMaxMs,
    latenessLimitMs: int(env, ENV.latenessLimitSeconds, DEFAULT_POLICY.latenessLimitMs / 1000, 1) * 1000,
    launchRecordWaitMs: int(env, ENV.launchRecordWaitMs, DEFAULT_POLICY.launchRecordWaitMs, 0),
    dryRun: bool(env, ENV.dryRun, false),
    clusterAllow: list(env, ENV.clusterAllow),
    clusterDeny: list(env, ENV.clusterDeny),
    familyAllow: list(env, ENV.familyAllow),
    familyDeny: list(env, ENV.familyDeny),
    stepFunctionsPolicy: sfn,
    optOutTagKey: env[ENV.optOutTagKey]?.trim() || DEFAULT_POLICY.optOutTagKey,
    networkDefaults: networkDefaults(env),
    stormLimit: int(env, ENV.stormLimit, DEFAULT_POLICY.stormLimit, 1),
    stormWindowMs: int(env, ENV.stormWindowSeconds, DEFAULT_POLICY.stormWindowMs / 1000, 1) * 1000,
    auditRetentionDays: int(env, ENV.auditRetentionDays, DEFAULT_POLICY.auditRetentionDays, 1, 3650),
    launchRecordTtlHours: int(env, ENV.launchRecordTtlHours, DEFAULT_POLICY.launchRecordTtlHours, 1),
    verifyWithDescribe: bool(env, ENV.verifyWithDescribe, DEFAULT_POLICY.verifyWithDescribe),
  });
  return Object.freeze({
    tableName,
    alertTopicArn: env[ENV.alertTopicArn]?.trim() || undefined,
    eventBusName: env[ENV.eventBusName]?.trim() || 'default',
    policy,
  });
}
