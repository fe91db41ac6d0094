/**
 * A manual clock with a queue of scheduled steps. The ECS simulator runs task lifecycles on it
 * instead of real timers, so a test decides when time passes and every run is identical.
 */

/** Handle of a scheduled step. */
export interface ScheduledStep {
  cancel(): void;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** Simulated time in epoch milliseconds plus a queue of steps due at given times. */
export class SimulatedClock {
  private current: number;
  private seq = 0;
  private queue: Entry[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  /** Current simulated time (epoch milliseconds). */
  now(): number {
    return this.current;
  }

  /** Runs `run` when the clock reaches `at` (immediately due if `at` is not in the future). */
  schedule(at: number, run: () => void): ScheduledStep {
    const entry: Entry = { at: Math.max(at, this.current), seq: this.seq++, run, cancelled: false };
    // Keep the queue ordered by time, then by scheduling order, so same-time steps run FIFO.
    let i = this.queue.length;
    while (i > 0) {
      const before = this.queue[i - 1];
      if (before === undefined || before.at <= entry.at) break;
      i--;
    }
    this.queue.splice(i, 0, entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Steps still due (cancelled ones excluded). */
  get pending(): number {
    return this.queue.filter((e) => !e.cancelled).length;
  }

  /** Moves time forward by `ms`, running every step due up to the new time, in order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`advance() needs a non-negative duration, got ${ms}`);
    const target = this.current + ms;
    for (;;) {
      const next = this.nextEntry();
      if (next === undefined || next.at > target) break;
      this.runDue(next.at);
    }
    this.current = target;
  }

  /**
   * Jumps to the next due time and runs every step due then (including steps those steps
   * schedule for the same instant). Returns false when nothing is scheduled.
   */
  step(): boolean {
    const next = this.nextEntry();
    if (next === undefined) return false;
    this.runDue(next.at);
    return true;
  }

  /** Runs steps until none is left. Throws after `maxSteps` (a lifecycle that never ends is a bug). */
  runUntilIdle(maxSteps = 100_000): void {
    let steps = 0;
    while (this.step()) {
      if (++steps > maxSteps) throw new Error(`runUntilIdle: still busy after ${maxSteps} steps`);
    }
  }

  private nextEntry(): Entry | undefined {
    while (this.queue[0]?.cancelled) this.queue.shift();
    return this.queue[0];
  }

  private runDue(at: number): void {
    this.current = at;
    for (;;) {
      const next = this.nextEntry();
      if (next === undefined || next.at > at) return;
      this.queue.shift();
      next.run();
    }
  }
}
