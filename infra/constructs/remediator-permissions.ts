/**
 * The remediator's ECS and IAM permissions, as narrow as RunTask allows (replay.md section 4).
 * DynamoDB, SNS and EventBridge access are granted with the resources' own grant helpers.
 */
import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** What the ECS statements are narrowed to. */
export interface EcsScope {
  /** Cluster names; empty means every cluster of the account and region. */
  readonly clusters: readonly string[];
  /** Task definition families; empty means every family. */
  readonly families: readonly string[];
  /** Roles the relaunched tasks use; undefined means every role of the account. */
  readonly passRoleArns: readonly string[] | undefined;
}

/** The service ECS passes task and execution roles to. */
export const ECS_TASKS_SERVICE = 'ecs-tasks.amazonaws.com';

function ecsArn(scope: IConstruct, resource: string, resourceName: string): string {
  return Stack.of(scope).formatArn({
    service: 'ecs',
    resource,
    resourceName,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** Builds the ECS and PassRole statements (exported for tests and for wrappers that bring their own role). */
export function remediatorEcsStatements(scope: IConstruct, ecs: EcsScope): PolicyStatement[] {
  const clusterArns = ecs.clusters.map((name) => ecsArn(scope, 'cluster', name));
  const clusterCondition = clusterArns.length > 0 ? { ArnEquals: { 'ecs:cluster': clusterArns } } : undefined;
  // Since 2024-03 ECS authorizes RunTask on the resolved revision: `family:*`, not `family`.
  const taskDefinitionArns =
    ecs.families.length > 0
      ? ecs.families.map((family) => ecsArn(scope, 'task-definition', `${family}:*`))
      : [ecsArn(scope, 'task-definition', '*')];
  const taskArns =
    ecs.clusters.length > 0
      ? ecs.clusters.map((name) => ecsArn(scope, 'task', `${name}/*`))
      : [ecsArn(scope, 'task', '*')];
  const passRoleArns = ecs.passRoleArns ?? [
    Arn.format({ service: 'iam', region: '', resource: 'role', resourceName: '*' }, Stack.of(scope)),
  ];
  return [
    new PolicyStatement({
      sid: 'RunTask',
      actions: ['ecs:RunTask'],
      resources: taskDefinitionArns,
      conditions: clusterCondition,
    }),
    new PolicyStatement({
      sid: 'TagOnRunTask',
      actions: ['ecs:TagResource'],
      resources: [ecsArn(scope, 'task', '*')],
      conditions: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    }),
    new PolicyStatement({
      sid: 'ReadBackTasks',
      actions: ['ecs:DescribeTasks'],
      resources: taskArns,
      conditions: clusterCondition,
    }),
    new PolicyStatement({
      sid: 'PassTaskRoles',
      actions: ['iam:PassRole'],
      resources: [...passRoleArns],
      conditions: { StringEquals: { 'iam:PassedToService': ECS_TASKS_SERVICE } },
    }),
  ];
}

/** Adds the ECS and PassRole statements to the grantee's policy. */
export function grantRemediatorEcsAccess(grantee: IGrantable, scope: IConstruct, ecs: EcsScope): void {
  for (const statement of remediatorEcsStatements(scope, ecs)) {
    grantee.grantPrincipal.addToPrincipalPolicy(statement);
  }
}
