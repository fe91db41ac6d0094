/**
 * Environment variable names shared by the runtime config parser and the CDK construct,
 * so that what infra sets is exactly what the functions read.
 */
export const ENV = Object.freeze({
  auditTableName: 'AUDIT_TABLE_NAME',
  accountId: 'EXPECTED_ACCOUNT_ID',
  maxAttempts: 'MAX_ATTEMPTS',
  backoffBaseMs: 'BACKOFF_BASE_MS',
  backoffMinMs: 'BACKOFF_MIN_MS',
  backoffMaxMs: 'BACKOFF_MAX_MS',
  latenessLimitSeconds: 'LATENESS_LIMIT_SECONDS',
  launchRecordWaitMs: 'LAUNCH_RECORD_WAIT_MS',
  dryRun: 'DRY_RUN',
  clusterAllow: 'CLUSTER_ALLOW',
  clusterDeny: 'CLUSTER_DENY',
  familyAllow: 'FAMILY_ALLOW',
  familyDeny: 'FAMILY_DENY',
  stepFunctionsPolicy: 'STEP_FUNCTIONS_POLICY',
  optOutTagKey: 'OPT_OUT_TAG_KEY',
  networkDefaults: 'NETWORK_DEFAULTS',
  stormLimit: 'STORM_LIMIT',
  stormWindowSeconds: 'STORM_WINDOW_SECONDS',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  eventBusName: 'EVENT_BUS_NAME',
  auditRetentionDays: 'AUDIT_RETENTION_DAYS',
  launchRecordTtlHours: 'LAUNCH_RECORD_TTL_HOURS',
  verifyWithDescribe: 'VERIFY_WITH_DESCRIBE',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  serviceName: 'POWERTOOLS_SERVICE_NAME',
} as const);

export type EnvName = (typeof ENV)[keyof typeof ENV];
