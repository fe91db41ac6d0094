/**
 * An in-memory TaskLauncher for core tests. It records every RunTask request (a deep copy, so
 * later mutation by the caller cannot hide what was sent), answers from a script, and behaves
 * like ECS for idempotency: a clientToken that already produced a task returns that task again.
 */
import type { DescribedTask, RunTaskOutcome, RunTaskRequest, TaskLauncher } from '../../functions/core/ports';

/** One scripted RunTask answer: an outcome, an error to throw, or a function of the request. */
export type LaunchStep = RunTaskOutcome | Error | ((request: RunTaskRequest) => RunTaskOutcome);

export class FakeLauncher implements TaskLauncher {
  /** RunTask requests in the order they were received (retries of one attempt included). */
  readonly requests: RunTaskRequest[] = [];
  readonly describeCalls: { clusterArn: string; taskArn: string }[] = [];
  /** Answers for DescribeTasks by task ARN; `undefined` means ECS no longer knows the task. */
  readonly described = new Map<string, DescribedTask | undefined>();
  /** Task ARNs this launcher started, in order. */
  readonly startedTaskArns: string[] = [];
  private readonly script: LaunchStep[] = [];
  private readonly byToken = new Map<string, string>();
  private started = 0;

  /** Queues RunTask answers; when the queue is empty every call starts a new task. */
  willAnswer(...steps: LaunchStep[]): this {
    this.script.push(...steps);
    return this;
  }

  async runTask(request: RunTaskRequest): Promise<RunTaskOutcome> {
    this.requests.push(structuredClone(request));
    const bound = this.byToken.get(request.clientToken);
    if (bound) return { taskArn: bound, failures: [], apiCalls: 1 };
    const step = this.script.shift();
    if (step instanceof Error) throw step;
    const outcome =
      step === undefined
        ? this.startTask(request)
        : typeof step === 'function'
          ? step(request)
          : structuredClone(step);
    if (outcome.taskArn) this.byToken.set(request.clientToken, outcome.taskArn);
    return outcome;
  }

  async describeTask(clusterArn: string, taskArn: string): Promise<DescribedTask | undefined> {
    this.describeCalls.push({ clusterArn, taskArn });
    if (this.described.has(taskArn)) return structuredClone(this.described.get(taskArn));
    // By default ECS still knows the task and it never started.
    return { taskArn, lastStatus: 'STOPPED', containerExitCodes: [] };
  }

  /** A new task in the request's cluster (ARN built from the cluster ARN). */
  private startTask(request: RunTaskRequest): RunTaskOutcome {
    this.started += 1;
    const taskArn = newTaskArn(request.cluster, this.started);
    this.startedTaskArns.push(taskArn);
    return { taskArn, failures: [], apiCalls: 1 };
  }
}

/** A task ARN in the cluster of `clusterArn`, distinct per `n`. */
export function newTaskArn(clusterArn: string, n: number): string {
  const prefix = clusterArn.replace(':cluster/', ':task/');
  return `${prefix}/${n.toString(16).padStart(32, 'f')}`;
}
