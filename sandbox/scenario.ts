/**
 * The default sandbox scenario: a morning of scheduled and ad-hoc Fargate jobs, launched through
 * the real ECS SDK client the way schedulers do, some of which hit network interface failures
 * (once, repeatedly, or in an exhausted subnet), plus an ECS service task, near-misses, a lost
 * CloudTrail record, a tag-policy failure and an opted-out job.
 */
import { ECSClient, RunTaskCommand, type RunTaskCommandInput } from '@aws-sdk/client-ecs';
import type { EcsSimulator, TaskLaunchContext } from './ecs-simulator';

/** One scheduled job run. */
export interface ScenarioJob {
  /** Unique run id; carried in the overrides as JOB_RUN_ID so failures follow relaunches. */
  readonly id: string;
  /** What the operator would call it. */
  readonly name: string;
  readonly request: RunTaskCommandInput;
  /** stoppedReason of each consecutive start of this run that fails (root, then relaunches). */
  readonly failures: readonly string[];
  /** What a person should expect, shown in the summary. */
  readonly expect: string;
}

const E1 = 'Timeout waiting for network interface provisioning to complete.';
const E2 = 'network interface provision complete error timeout wait for network interface provision.';
const E4 = 'Rate limit exceeded while preparing network interface to be attached to instance';
const E7 = (subnet: string) =>
  `Unexpected EC2 error while attempting to Create Network Interface in subnet '${subnet}': InsufficientFreeAddressesInSubnet`;
const E9 = 'Unexpected EC2 error while attempting to tag the network interface: TagPolicyViolation';
const PULL =
  'CannotPullContainerError: The task cannot pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/thumbnailer:5 from the registry. There is a connection issue between the task and the registry. Check your task network configuration. : dial tcp 198.51.100.7:443: i/o timeout';

export const SCENARIO_SUBNETS = [
  { subnetId: 'subnet-0a11c0ffee0000001', availabilityZone: 'us-east-1a' },
  { subnetId: 'subnet-0b22c0ffee0000002', availabilityZone: 'us-east-1b' },
  { subnetId: 'subnet-0c33c0ffee0000003', availabilityZone: 'us-east-1c' },
] as const;
const SUBNETS = SCENARIO_SUBNETS.map((s) => s.subnetId);

const network = (securityGroup: string, assignPublicIp: 'ENABLED' | 'DISABLED' = 'DISABLED') => ({
  awsvpcConfiguration: { subnets: [...SUBNETS], securityGroups: [securityGroup], assignPublicIp },
});

const env = (container: string, runId: string, vars: Record<string, string>) => ({
  containerOverrides: [
    {
      name: container,
      environment: [
        { name: 'JOB_RUN_ID', value: runId },
        ...Object.entries(vars).map(([name, value]) => ({ name, value })),
      ],
    },
  ],
});

/** Registers the clusters, subnets and task definitions the scenario uses. */
export function prepareScenario(sim: EcsSimulator): void {
  sim.addSubnets(SCENARIO_SUBNETS);
  for (const cluster of ['batch-jobs', 'reports', 'ci-runners', 'billing', 'web-prod', 'media'])
    sim.addCluster(cluster);
  sim.registerTaskDefinition({ family: 'nightly-etl', revision: 7, containers: ['etl', 'log-router'] });
  sim.registerTaskDefinition({ family: 'report-render', revision: 14, containers: ['render'] });
  sim.registerTaskDefinition({ family: 'ci-build', revision: 3, containers: ['runner'] });
  sim.registerTaskDefinition({ family: 'invoice-mailer', revision: 3, containers: ['mailer'] });
  sim.registerTaskDefinition({ family: 'legacy-sync', revision: 2, containers: ['sync'] });
  sim.registerTaskDefinition({ family: 'checkout-api', revision: 88, containers: ['app'] });
  sim.registerTaskDefinition({ family: 'thumbnailer', revision: 5, containers: ['worker'] });
  sim.registerTaskDefinition({ family: 'ledger-export', revision: 9, containers: ['export'] });
}

const td = (family: string, revision: number) =>
  `arn:aws:ecs:us-east-1:111122223333:task-definition/${family}:${revision}`;

/** The jobs of the default scenario, in launch order. */
export function scenarioJobs(): ScenarioJob[] {
  const jobs: ScenarioJob[] = [];
  const etlFailures: Record<number, string[]> = { 2: [E1], 5: [E2], 7: [E1, E1] };
  for (let i = 1; i <= 8; i++) {
    const id = `etl-${String(i).padStart(2, '0')}`;
    jobs.push({
      id,
      name: `nightly-etl tenant-${String(i).padStart(2, '0')}`,
      request: {
        cluster: 'batch-jobs',
        taskDefinition: td('nightly-etl', 7),
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        networkConfiguration: network('sg-0e7100000000000e1'),
        overrides: env('etl', id, {
          TENANT: `tenant-${String(i).padStart(2, '0')}`,
          DB_PASSWORD: `s3cret-${i}`,
        }),
        startedBy: 'chronos-schedule/nightly-etl-prod',
      },
      failures: etlFailures[i] ?? [],
      expect: i === 7 ? 'relaunched twice, then ran' : etlFailures[i] ? 'relaunched once, then ran' : 'ran',
    });
  }
  const reportFailures: Record<number, string[]> = { 3: [E1, E1, E1, E1], 4: [E7(SUBNETS[0] ?? '')] };
  for (let i = 1; i <= 6; i++) {
    const id = `rpt-${String(i).padStart(2, '0')}`;
    jobs.push({
      id,
      name: `report-render #${i}`,
      request: {
        cluster: 'reports',
        taskDefinition: td('report-render', 14),
        launchType: 'FARGATE',
        platformVersion: '1.4.0',
        networkConfiguration: network('sg-0a5e00000000000a5'),
        overrides: env('render', id, { REPORT_ID: `r-${1000 + i}` }),
        startedBy: 'report-queue-worker',
        tags: [{ key: 'cost-center', value: 'cc-4410' }],
        propagateTags: 'TASK_DEFINITION',
      },
      failures: reportFailures[i] ?? [],
      expect:
        i === 3 ? 'gives up after 3 relaunches' : i === 4 ? 'relaunched outside the full subnet' : 'ran',
    });
  }
  const ciFailures: Record<number, string[]> = { 1: [E1], 4: [E4] };
  for (let i = 1; i <= 6; i++) {
    const id = `ci-${String(i).padStart(2, '0')}`;
    jobs.push({
      id,
      name: `ci-build pipeline ${4200 + i}`,
      request: {
        cluster: 'ci-runners',
        taskDefinition: td('ci-build', 3),
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
          { capacityProvider: 'FARGATE', weight: 1, base: 0 },
        ],
        networkConfiguration: network('sg-0c1000000000000c1'),
        overrides: env('runner', id, { PIPELINE: String(4200 + i) }),
        startedBy: 'ci-dispatcher',
        tags: [{ key: 'pipeline', value: String(4200 + i) }],
        enableECSManagedTags: true,
      },
      failures: ciFailures[i] ?? [],
      expect: ciFailures[i] ? 'relaunched with the same capacity provider strategy' : 'ran',
    });
  }
  jobs.push({
    id: 'mail-01',
    name: 'invoice-mailer month-end',
    request: {
      cluster: 'billing',
      taskDefinition: td('invoice-mailer', 3),
      launchType: 'FARGATE',
      networkConfiguration: network('sg-0b1100000000000b1'),
      overrides: env('mailer', 'mail-01', { RUN_ID: 'run-efca92e1bf5a' }),
      startedBy: 'billing-close',
    },
    failures: [E1],
    expect: 'relaunched once (RunTask throttled and retried with the same token)',
  });
  jobs.push({
    id: 'legacy-01',
    name: 'legacy-sync (CloudTrail record lost)',
    request: {
      cluster: 'batch-jobs',
      taskDefinition: td('legacy-sync', 2),
      launchType: 'FARGATE',
      networkConfiguration: network('sg-0e7100000000000e1'),
      overrides: env('sync', 'legacy-01', {}),
      startedBy: 'legacy-cron',
    },
    failures: [E1],
    expect: 'unresolved: security groups unknown, nothing guessed, alert',
  });
  jobs.push({
    id: 'ledger-01',
    name: 'ledger-export (tag policy)',
    request: {
      cluster: 'billing',
      taskDefinition: td('ledger-export', 9),
      launchType: 'FARGATE',
      networkConfiguration: network('sg-0b1100000000000b1'),
      overrides: env('export', 'ledger-01', {}),
      startedBy: 'ledger-scheduler',
    },
    failures: [E9],
    expect: 'gives up at once: tag policy needs a human',
  });
  jobs.push({
    id: 'optout-01',
    name: 'report-render (opted out)',
    request: {
      cluster: 'reports',
      taskDefinition: td('report-render', 14),
      launchType: 'FARGATE',
      networkConfiguration: network('sg-0a5e00000000000a5'),
      overrides: env('render', 'optout-01', {}),
      startedBy: 'report-adhoc',
      tags: [{ key: 'eni-remediator:opt-out', value: 'true' }],
    },
    failures: [E1],
    expect: 'skipped: the job opted out',
  });
  jobs.push({
    id: 'svc-01',
    name: 'checkout-api (ECS service task)',
    request: {
      cluster: 'web-prod',
      taskDefinition: td('checkout-api', 88),
      launchType: 'FARGATE',
      networkConfiguration: network('sg-0f0000000000000f0'),
      overrides: env('app', 'svc-01', {}),
      startedBy: 'ecs-svc/0619680232620291120',
      group: 'service:checkout-api',
    },
    failures: [E1],
    expect: 'not delivered: the service scheduler replaces it',
  });
  jobs.push({
    id: 'thumb-01',
    name: 'thumbnailer (image pull failure)',
    request: {
      cluster: 'media',
      taskDefinition: td('thumbnailer', 5),
      launchType: 'FARGATE',
      networkConfiguration: network('sg-0d0000000000000d0'),
      overrides: env('worker', 'thumb-01', {}),
      startedBy: 'thumb-queue',
    },
    failures: [PULL],
    expect: 'not delivered: not a network interface failure',
  });
  return jobs;
}

function jobRunIdOf(request: Readonly<Record<string, unknown>>): string | undefined {
  const overrides = request.overrides as
    | { containerOverrides?: { environment?: { name?: string; value?: string }[] }[] }
    | undefined;
  for (const c of overrides?.containerOverrides ?? []) {
    const v = c.environment?.find((e) => e.name === 'JOB_RUN_ID')?.value;
    if (v) return v;
  }
  return undefined;
}

/**
 * Makes the simulator fail each job's starts as scripted: the n-th start of a run (the root,
 * then each relaunch, recognised by JOB_RUN_ID in the overrides) fails with failures[n].
 */
export function installFailureScript(sim: EcsSimulator, jobs: readonly ScenarioJob[]): void {
  const script = new Map(jobs.map((j) => [j.id, [...j.failures]]));
  sim.setEniFailurePolicy((task: TaskLaunchContext) => {
    const id = jobRunIdOf(task.request);
    const queue = id ? script.get(id) : undefined;
    const next = queue?.shift();
    if (!next) return null;
    // Subnet exhaustion names the subnet the simulator picked.
    return next.includes('InsufficientFreeAddressesInSubnet') ? E7(task.subnetId) : next;
  });
}

export interface LaunchedJob {
  readonly job: ScenarioJob;
  readonly taskArn: string;
}

/**
 * Launches every job through the real ECS SDK client, 20 simulated seconds apart, the way a
 * scheduler does, letting the bus deliver what each launch emits.
 */
export async function launchJobs(
  sim: EcsSimulator,
  drain: () => Promise<void>,
  jobs: readonly ScenarioJob[],
  onLaunch?: (done: number, total: number) => void,
): Promise<LaunchedJob[]> {
  const scheduler = new ECSClient({});
  const launched: LaunchedJob[] = [];
  try {
    for (const job of jobs) {
      const out = await scheduler.send(new RunTaskCommand({ count: 1, ...job.request }));
      const taskArn = out.tasks?.[0]?.taskArn;
      if (!taskArn) throw new Error(`scenario job ${job.id} did not start: ${JSON.stringify(out.failures)}`);
      launched.push({ job, taskArn });
      onLaunch?.(launched.length, jobs.length);
      sim.advance(20_000);
      await drain();
    }
  } finally {
    scheduler.destroy();
  }
  return launched;
}
