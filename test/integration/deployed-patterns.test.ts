/**
 * What is deployed is what the tests matched: the sandbox's event bus applies the rule patterns
 * read back from the synthesized CloudFormation template, and the whole flow (launch recorded
 * from CloudTrail, ENI failure, relaunch, near-miss filtered) runs through them.
 */
import { ECSClient, RunTaskCommand } from '@aws-sdk/client-ecs';
import { Template } from 'aws-cdk-lib/assertions';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../../functions/core/catalog';
import { createRemediatorApp } from '../../infra/app-factory';
import { extractRulePatterns } from '../../infra/template-patterns';
import { RULE_NAMES, type Sandbox, startSandbox } from '../../sandbox/sandbox-stack';

const patterns = extractRulePatterns(
  Template.fromStack(createRemediatorApp({ context: { 'aws:cdk:bundling-stacks': [] } }).stack).toJSON(),
);

describe('rule patterns from the synthesized template', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      patterns: { eniFailure: patterns.eniFailure, runTask: patterns.runTaskCloudTrail },
      simulator: { startTime: Date.now(), seed: 3 },
    });
    sandbox.sim.addCluster('jobs');
    sandbox.sim.registerTaskDefinition({ family: 'export', revision: 4, containers: ['app'] });
  });

  afterAll(async () => {
    await sandbox.stop();
  });

  it('are the failure catalog patterns', () => {
    expect(patterns.eniFailure).toEqual(buildEniFailurePattern());
    expect(patterns.runTaskCloudTrail).toEqual(buildRunTaskCloudTrailPattern());
  });

  it('deliver an ENI failure to the remediator, which relaunches it with the recorded network', async () => {
    const reasons = [
      'Timeout waiting for network interface provisioning to complete.',
      'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
    ];
    sandbox.sim.setEniFailurePolicy((task) =>
      task.sequence < reasons.length ? (reasons[task.sequence] ?? null) : null,
    );
    const ecs = new ECSClient({});
    const started: string[] = [];
    for (const name of ['a', 'b']) {
      const out = await ecs.send(
        new RunTaskCommand({
          cluster: 'jobs',
          taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/export:4',
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: ['subnet-1', 'subnet-2'],
              securityGroups: ['sg-77'],
              assignPublicIp: 'DISABLED',
            },
          },
          overrides: { containerOverrides: [{ name: 'app', environment: [{ name: 'RUN', value: name }] }] },
          startedBy: 'export-cron',
        }),
      );
      started.push(String(out.tasks?.[0]?.taskArn));
    }
    ecs.destroy();
    await sandbox.settle();

    const [eniTask, pullTask] = started;
    const chain = await sandbox.reader.chainOf(String(eniTask));
    const summary = chain?.items.find((i) => i.type === 'CHAIN');
    expect(summary?.outcome).toBe('RELAUNCHED');
    const attempt = chain?.items.find((i) => i.type === 'ATTEMPT') as
      | { request?: Record<string, unknown> }
      | undefined;
    expect(attempt?.request?.networkConfiguration).toEqual({
      awsvpcConfiguration: {
        subnets: ['subnet-1', 'subnet-2'],
        securityGroups: ['sg-77'],
        assignPublicIp: 'DISABLED',
      },
    });
    // The near-miss never reached the remediator.
    expect(await sandbox.reader.pointer(String(pullTask))).toBeUndefined();
    const delivered = sandbox.bus.deliveriesFor(RULE_NAMES.eniFailure).map((d) => d.eventId);
    const pullEvents = sandbox.sim.events.filter((e) => e.detail.taskArn === pullTask).map((e) => e.id);
    expect(delivered.some((id) => pullEvents.includes(id))).toBe(false);
    // The launch recorder received both RunTask calls (and the relaunch's) from CloudTrail.
    expect(sandbox.bus.deliveriesFor(RULE_NAMES.runTask).length).toBeGreaterThanOrEqual(3);
    expect(sandbox.bus.deadLetters).toEqual([]);
  });
});
