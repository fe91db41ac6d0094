import { type ECSClient, RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../../../functions/core/catalog';
import { EcsSimulator } from '../../../sandbox/ecs-simulator';
import { type BusEvent, SandboxEventBus } from '../../../sandbox/event-bus';
import { settleSandbox } from '../../../sandbox/settle';
import { ecsClient } from './ecs-test-client';

type Json = Record<string, unknown>;

/**
 * The pieces wired as in ARCHITECTURE.md, with toy targets standing in for the Lambdas:
 * ECS events -> bus rules (patterns from the catalog) -> targets calling ECS over HTTP.
 */
describe('sandbox wiring: simulator -> bus -> targets -> simulator', () => {
  let sim: EcsSimulator;
  let bus: SandboxEventBus;
  let ecs: ECSClient;
  const launches = new Map<string, Json>();

  beforeEach(async () => {
    sim = new EcsSimulator({ seed: 3, cloudTrailDelayMs: 5_000 });
    sim.addCluster('jobs');
    sim.registerTaskDefinition({ family: 'report', revision: 2, containers: ['app'] });
    ecs = ecsClient((await sim.start()).endpoint);
    bus = new SandboxEventBus();
    sim.onEvent((event) => bus.put(event));
    launches.clear();

    bus.addRule({
      name: 'launch-recorder',
      pattern: buildRunTaskCloudTrailPattern(),
      target: async (event) => {
        const detail = event.detail as { requestParameters: Json; responseElements: { tasks: Json[] } };
        for (const task of detail.responseElements.tasks) {
          launches.set(String(task.taskArn), detail.requestParameters);
        }
      },
    });
    bus.addRule({
      name: 'remediator',
      pattern: buildEniFailurePattern(),
      target: async (event: BusEvent) => {
        const detail = event.detail as Json;
        const taskArn = String(detail.taskArn);
        const launch = launches.get(taskArn);
        if (!launch) throw new Error(`no launch record for ${taskArn}`);
        const { clientToken: _original, overrides: _hidden, ...request } = launch;
        await ecs.send(
          new RunTaskCommand({
            ...(request as unknown as RunTaskCommandInput),
            overrides: detail.overrides as RunTaskCommandInput['overrides'],
            clientToken: `${taskArn.split('/').at(-1)}#1`,
          }),
        );
      },
    });
  });

  afterEach(async () => {
    ecs.destroy();
    await sim.stop();
  });

  it('relaunches an ENI failure once, at the simulated time of the failure, and absorbs a duplicate event', async () => {
    sim.failNextTasksWithEni(1);
    const first = await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: 'report:2',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111bbbb22223'] } },
        overrides: {
          containerOverrides: [{ name: 'app', environment: [{ name: 'TOKEN', value: 's3cr3t' }] }],
        },
      }),
    );
    const failedArn = String(first.tasks?.[0]?.taskArn);
    await settleSandbox(sim, bus);

    const [failed, relaunched] = sim.taskArns();
    expect(failed).toBe(failedArn);
    expect(relaunched).toBeDefined();
    expect(sim.describeTask(failedArn)?.stopCode).toBe('TaskFailedToStart');
    const replacement = sim.describeTask(String(relaunched));
    expect(replacement?.stopCode).toBe('EssentialContainerExited');
    // The relaunch happened when the failure was seen, not after the simulation ran to the end.
    expect(replacement?.createdAt).toBe(sim.describeTask(failedArn)?.stoppedAt);
    // Environment came back from the stopped task, not from CloudTrail (which hides it).
    expect(replacement?.overrides).toEqual({
      containerOverrides: [{ name: 'app', environment: [{ name: 'TOKEN', value: 's3cr3t' }] }],
    });
    expect(bus.deadLetters).toEqual([]);

    const stoppedEvent = sim.events.find(
      (e) => e.resources[0] === failedArn && (e.detail as Json).lastStatus === 'STOPPED',
    );
    bus.put({ ...(stoppedEvent as BusEvent), id: 'redelivered-copy' });
    await settleSandbox(sim, bus);
    expect(sim.taskArns()).toHaveLength(2);
    expect(sim.runTaskClientTokens()).toHaveLength(2);
    expect(bus.deliveriesFor('remediator').map((d) => d.ok)).toEqual([true, true]);
  });

  it('dead-letters the failure when the launch record is missing, after Lambda-style retries', async () => {
    sim.failNextTasksWithEni(1);
    launches.clear();
    bus.removeRule('launch-recorder');
    await ecs.send(
      new RunTaskCommand({
        cluster: 'jobs',
        taskDefinition: 'report:2',
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0aaa1111bbbb22223'] } },
      }),
    );
    await settleSandbox(sim, bus);
    expect(bus.deadLetters).toMatchObject([
      { rule: 'remediator', attempts: 3, error: expect.stringMatching(/no launch record/) },
    ]);
    expect(sim.taskArns()).toHaveLength(1);
  });
});
