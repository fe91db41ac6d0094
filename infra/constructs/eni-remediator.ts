/**
 * EniRemediator: the whole deployment as one reusable construct (ARCHITECTURE.md, "Data flow").
 *
 *   ECS Task State Change (ENI failure pattern) -> rule -> remediator Lambda -> RunTask
 *   CloudTrail RunTask call                      -> rule -> launch recorder Lambda
 *   both -> DynamoDB audit table; remediator -> SNS alerts, TaskRelaunched event
 *
 * No business logic here: the rule patterns, the table schema and the environment variable
 * names are imported from functions/, so infra and runtime cannot drift apart.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import {
  AttributeType,
  BillingMode,
  type CfnTable,
  ProjectionType,
  Table,
  TableEncryption,
  TableGrants,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic, TopicGrants } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { AUDIT_TABLE } from '../../functions/core/audit-schema';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../../functions/core/catalog';
import {
  type EniRemediatorProps,
  type ResolvedSettings,
  renderEnvironment,
  resolveSettings,
} from './eni-remediator-props';
import { toEventPattern } from './event-pattern';
import { RemediatorMonitoring } from './remediator-monitoring';
import { grantRemediatorEcsAccess } from './remediator-permissions';

/** Powertools service names (the `service` metric dimension and log field). */
export const SERVICE_NAMES = Object.freeze({
  remediator: 'eni-remediator',
  launchRecorder: 'eni-remediator-launch-recorder',
});

const REPO_ROOT = path.join(__dirname, '..', '..');

/** Default handler entries: this package's functions/. */
export const DEFAULT_HANDLER_ENTRIES = Object.freeze({
  remediator: path.join(REPO_ROOT, 'functions', 'remediator', 'handler.ts'),
  launchRecorder: path.join(REPO_ROOT, 'functions', 'launch-recorder', 'handler.ts'),
});

const REMEDIATOR_MEMORY_MB = 256;
const LAUNCH_RECORDER_MEMORY_MB = 256;
const LAUNCH_RECORDER_TIMEOUT = Duration.seconds(30);
/** EventBridge delivery retries to the Lambda service (not retries of the function's work). */
const TARGET_RETRY_ATTEMPTS = 10;
/** Lambda's own retries of a failed asynchronous invocation before the failure destination. */
const ASYNC_RETRY_ATTEMPTS = 2;
const DLQ_RETENTION = Duration.days(14);

/** The remediator, its launch recorder, the audit table, alerts, alarms and dashboard. */
export class EniRemediator extends Construct {
  /** The audit table (schema: functions/core/audit-schema.ts). */
  readonly table: Table;
  readonly remediatorFunction: NodejsFunction;
  readonly launchRecorderFunction: NodejsFunction;
  /** Rule with the catalog's ENI failure pattern, targeting the remediator. */
  readonly eniFailureRule: Rule;
  /** Rule with the CloudTrail RunTask pattern, targeting the launch recorder. */
  readonly runTaskRule: Rule;
  /** Topic for give-ups, failures, unresolved launches and alarms. */
  readonly alertTopic: ITopic;
  /** Dead-letter queues of both rule targets and failure destinations of both functions. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  /** The validated settings the functions receive. */
  readonly settings: ResolvedSettings;

  constructor(scope: Construct, id: string, props: EniRemediatorProps = {}) {
    super(scope, id);
    const settings = resolveSettings(props);
    this.settings = settings;
    const entries = props.handlerEntries ?? DEFAULT_HANDLER_ENTRIES;
    const stack = Stack.of(this);

    this.table = this.createTable();
    this.alertTopic = props.alertTopic ?? this.createAlertTopic(props.alertEmail);

    const queues = {
      EniRuleDeadLetterQueue: this.encryptedQueue('EniRuleDeadLetterQueue'),
      RunTaskRuleDeadLetterQueue: this.encryptedQueue('RunTaskRuleDeadLetterQueue'),
      RemediatorFailureQueue: this.encryptedQueue('RemediatorFailureQueue'),
      LaunchRecorderFailureQueue: this.encryptedQueue('LaunchRecorderFailureQueue'),
    };
    this.deadLetterQueues = Object.freeze(queues);

    // A failure older than the lateness limit would only be recorded, never relaunched.
    const maxEventAge = Duration.seconds(settings.latenessLimitSeconds);
    const asyncMaxEventAge = Duration.seconds(Math.min(settings.latenessLimitSeconds, 6 * 3600));
    const environment = (serviceName: string) =>
      renderEnvironment(settings, {
        auditTableName: this.table.tableName,
        accountId: stack.account,
        alertTopicArn: this.alertTopic.topicArn,
        serviceName,
      });

    this.remediatorFunction = this.createFunction('Remediator', {
      entry: entries.remediator,
      description:
        'Relaunches Fargate tasks that failed to start because their network interface was not provisioned',
      memorySize: REMEDIATOR_MEMORY_MB,
      timeout: Duration.seconds(settings.remediatorTimeoutSeconds),
      reservedConcurrency: settings.reservedConcurrency,
      environment: environment(SERVICE_NAMES.remediator),
      failureQueue: queues.RemediatorFailureQueue,
      maxEventAge: asyncMaxEventAge,
    });
    this.launchRecorderFunction = this.createFunction('LaunchRecorder', {
      entry: entries.launchRecorder,
      description: 'Records the network parameters of RunTask calls (from CloudTrail) for later relaunches',
      memorySize: LAUNCH_RECORDER_MEMORY_MB,
      timeout: LAUNCH_RECORDER_TIMEOUT,
      reservedConcurrency: settings.launchRecorderReservedConcurrency,
      environment: environment(SERVICE_NAMES.launchRecorder),
      failureQueue: queues.LaunchRecorderFailureQueue,
      maxEventAge: asyncMaxEventAge,
    });

    // Only the calls the code makes (conditional single-item writes, chain reads with Query).
    // The remediator's grant covers the table and its indexes; the recorder's only the table.
    this.table.grant(
      this.remediatorFunction,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    );
    TableGrants.fromTable(this.table, undefined, false).actions(
      this.launchRecorderFunction,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    );
    grantRemediatorEcsAccess(this.remediatorFunction, this, {
      clusters: settings.clusterAllowList,
      families: settings.familyAllowList,
      passRoleArns: settings.passRoleArns,
    });
    // The topic's grant helper with exact key actions: grantPublish() would add the wildcard
    // action kms:GenerateDataKey*, while SNS needs only GenerateDataKey and Decrypt.
    TopicGrants.fromTopic(this.alertTopic).actions(this.remediatorFunction, ['sns:Publish'], {
      keyActions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    });
    EventBus.fromEventBusName(this, 'RelaunchEventBus', settings.eventBusName).grantPutEventsTo(
      this.remediatorFunction,
    );

    this.eniFailureRule = new Rule(this, 'EniFailureRule', {
      description:
        'ECS tasks stopped with TaskFailedToStart because their network interface was not provisioned',
      eventPattern: toEventPattern(buildEniFailurePattern()),
      targets: [
        new LambdaFunction(this.remediatorFunction, {
          deadLetterQueue: queues.EniRuleDeadLetterQueue,
          retryAttempts: TARGET_RETRY_ATTEMPTS,
          maxEventAge,
        }),
      ],
    });
    this.runTaskRule = new Rule(this, 'RunTaskCloudTrailRule', {
      description: 'Successful ecs:RunTask calls recorded by CloudTrail (network parameters for relaunches)',
      eventPattern: toEventPattern(buildRunTaskCloudTrailPattern()),
      targets: [
        new LambdaFunction(this.launchRecorderFunction, {
          deadLetterQueue: queues.RunTaskRuleDeadLetterQueue,
          retryAttempts: TARGET_RETRY_ATTEMPTS,
          maxEventAge,
        }),
      ],
    });

    const monitoring = new RemediatorMonitoring(this, 'Monitoring', {
      alertTopic: this.alertTopic,
      functions: { Remediator: this.remediatorFunction, LaunchRecorder: this.launchRecorderFunction },
      deadLetterQueues: queues,
      metricsNamespace: settings.metricsNamespace,
      serviceName: SERVICE_NAMES.remediator,
    });
    this.alarms = monitoring.alarms;
    this.dashboard = monitoring.dashboard;

    this.acknowledgeFindings(settings, queues);
  }

  private createTable(): Table {
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    const table = new Table(this, 'AuditTable', {
      partitionKey: key(AUDIT_TABLE.partitionKey),
      sortKey: key(AUDIT_TABLE.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: AUDIT_TABLE.ttlAttribute,
      // AWS owned keys are not auditable; the AWS managed key (aws/dynamodb) is KMS, logged in
      // CloudTrail, and needs no key policy for every operator role that queries the table.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(AUDIT_TABLE.indexes)) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
    return table;
  }

  private createAlertTopic(alertEmail: string | undefined): Topic {
    const key = new Key(this, 'AlertTopicKey', {
      description: 'Encrypts the ENI remediator alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarm actions publish to the encrypted topic; the AWS managed SNS key cannot allow that.
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlertTopic', {
      displayName: 'ECS ENI remediator alerts',
      masterKey: key,
      enforceSSL: true,
    });
    if (alertEmail !== undefined) {
      const subscription = topic.addSubscription(new EmailSubscription(alertEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'E-mail subscription for humans; every alert is also in the audit table (outcome index) and the ' +
          'alarms stay in ALARM, so an undelivered e-mail loses nothing.',
      });
    }
    return topic;
  }

  private encryptedQueue(id: string): Queue {
    return new Queue(this, id, {
      // SQS-managed SSE: EventBridge and Lambda destinations can write without a key policy.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
  }

  private createFunction(
    id: string,
    options: {
      entry: string;
      description: string;
      memorySize: number;
      timeout: Duration;
      reservedConcurrency: number;
      environment: Record<string, string>;
      failureQueue: IQueue;
      maxEventAge: Duration;
    },
  ): NodejsFunction {
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${id} function`,
    });
    const logGroup = new LogGroup(this, `${id}LogGroup`, {
      retention: this.settings.logRetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Instead of the AWSLambdaBasicExecutionRole managed policy: write to this log group only.
    logGroup.grantWrite(role);
    return new NodejsFunction(this, id, {
      entry: options.entry,
      handler: 'handler',
      description: options.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: options.memorySize,
      timeout: options.timeout,
      reservedConcurrentExecutions: options.reservedConcurrency,
      role,
      logGroup,
      environment: { ...options.environment, NODE_OPTIONS: '--enable-source-maps' },
      onFailure: new SqsDestination(options.failureQueue),
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: options.maxEventAge,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        // The SDK is bundled: the version we test is the version that runs.
        externalModules: [],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
      },
    });
  }

  /** cdk-nag acknowledgements, each on the construct that holds the finding, with the finding id. */
  private acknowledgeFindings(settings: ResolvedSettings, queues: Readonly<Record<string, Queue>>): void {
    for (const queue of Object.values(queues)) {
      const reason =
        'This queue is itself a dead-letter queue (EventBridge target DLQ or Lambda on-failure destination); ' +
        'a queue behind it would only move undelivered events further away. Its depth is alarmed.';
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
      Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
    }
    for (const fn of [this.remediatorFunction, this.launchRecorderFunction]) {
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaDLQ',
        reason:
          'The function has an SQS on-failure destination (asynchronous invocation config), which keeps the ' +
          'error and request context that a DeadLetterConfig would drop.',
      });
      Validations.of(fn).acknowledge({
        id: 'Serverless-LambdaTracing',
        reason:
          'Each invocation is one short chain of API calls already traced by Powertools JSON logs (failed and ' +
          'root task ARN keys) and the audit table; X-Ray would add xray:Put* permissions on "*" for no new insight.',
      });
    }

    const stack = Stack.of(this);
    const tableLogicalId = stack.resolve((this.table.node.defaultChild as CfnTable).logicalId) as string;
    const indexReason =
      'table.grant() scopes Query to the audit table and its indexes (byCluster, byOutcomeDay); index ARNs ' +
      'end in /index/<name>, and the grant helper renders them as /index/*.';
    const iam5 = (policy: IConstruct, resource: string, reason: string) =>
      Validations.of(policy).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
    const remediatorPolicy = defaultPolicyOf(this.remediatorFunction);
    iam5(remediatorPolicy, `<${tableLogicalId}.Arn>/index/*`, indexReason);

    const ecsArn = (resource: string) =>
      `arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:${resource}`;
    if (settings.familyAllowList.length === 0) {
      iam5(
        remediatorPolicy,
        ecsArn('task-definition/*'),
        'ecs:RunTask relaunches failed tasks of any family in this account and region (no familyAllowList ' +
          'configured); set familyAllowList to narrow it to task-definition/<family>:*.',
      );
    } else {
      for (const family of settings.familyAllowList) {
        iam5(
          remediatorPolicy,
          ecsArn(`task-definition/${family}:*`),
          `ECS authorizes RunTask on the resolved revision, so the allowed family ${family} needs ":*" (every revision).`,
        );
      }
    }
    iam5(
      remediatorPolicy,
      ecsArn('task/*'),
      'ecs:TagResource applies only while RunTask creates the task (condition ecs:CreateAction = RunTask); ' +
        'the new task ARN is unknown before the call.' +
        (settings.clusterAllowList.length === 0
          ? ' ecs:DescribeTasks reads back tasks it started in any cluster.'
          : ''),
    );
    for (const cluster of settings.clusterAllowList) {
      iam5(
        remediatorPolicy,
        ecsArn(`task/${cluster}/*`),
        `ecs:DescribeTasks reads back tasks it started in the allowed cluster ${cluster} (also conditioned on ecs:cluster).`,
      );
    }
    if (settings.passRoleArns === undefined) {
      iam5(
        remediatorPolicy,
        'arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*',
        'Relaunched tasks use whatever task and execution roles their task definitions name; PassRole is ' +
          'conditioned on iam:PassedToService = ecs-tasks.amazonaws.com. Set passRoleArns to list the roles.',
      );
    } else {
      for (const arn of settings.passRoleArns.filter((a) => !Token.isUnresolved(a) && a.includes('*'))) {
        iam5(
          remediatorPolicy,
          arn,
          'Role pattern listed in passRoleArns by the deployer; conditioned on iam:PassedToService.',
        );
      }
    }
  }
}

function defaultPolicyOf(fn: NodejsFunction): IConstruct {
  const policy = fn.role?.node.tryFindChild('DefaultPolicy');
  if (policy === undefined)
    throw new Error(`${fn.node.path} has no default policy to acknowledge findings on`);
  return policy;
}
