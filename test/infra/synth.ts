/** Shared helpers for the infra tests: build the real app without bundling (fast, offline). */
import type { Template } from 'aws-cdk-lib/assertions';
import { createRemediatorApp, type RemediatorApp } from '../../infra/app-factory';

/** Context that skips asset bundling in unit tests (the handlers are bundled by `cdk synth`). */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** The deployable app with extra `eniRemediator:*` context (keys without the prefix). */
export function buildApp(settings: Record<string, unknown> = {}): RemediatorApp {
  const context: Record<string, unknown> = { ...NO_BUNDLING };
  for (const [key, value] of Object.entries(settings)) context[`eniRemediator:${key}`] = value;
  return createRemediatorApp({ context });
}

export interface IamStatement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** Statements of the identity policies attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(template: Template, rolePrefix: string): IamStatement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const statements: IamStatement[] = [];
  for (const policy of Object.values(policies)) {
    const roles = policy.Properties.Roles as { Ref: string }[];
    if (!roles.some((r) => r.Ref.startsWith(rolePrefix))) continue;
    statements.push(...(policy.Properties.PolicyDocument.Statement as IamStatement[]));
  }
  return statements;
}

/** Every Allow statement of every identity policy (inline, attached, managed) in the template. */
export function allIdentityStatements(template: Template): IamStatement[] {
  const out: IamStatement[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    out.push(...(policy.Properties.PolicyDocument.Statement as IamStatement[]));
  }
  for (const policy of Object.values(template.findResources('AWS::IAM::ManagedPolicy'))) {
    out.push(...(policy.Properties.PolicyDocument.Statement as IamStatement[]));
  }
  for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
    for (const inline of (role.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: IamStatement[] };
    }[]) {
      out.push(...inline.PolicyDocument.Statement);
    }
  }
  return out.filter((s) => s.Effect === 'Allow');
}

export function actionsOf(statement: IamStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The statement granting exactly `action`; fails the test unless there is exactly one. */
export function statementFor(statements: readonly IamStatement[], action: string): IamStatement {
  const matching = statements.filter((s) => actionsOf(s).includes(action));
  if (matching.length !== 1 || matching[0] === undefined) {
    throw new Error(`expected one statement with ${action}, found ${matching.length}`);
  }
  return matching[0];
}

/** `arn:<partition>:<service>:<region>:<account>:<suffix>` as CloudFormation renders formatArn. */
export function ecsArnJoin(suffix: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ecs:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${suffix}`,
      ],
    ],
  };
}
