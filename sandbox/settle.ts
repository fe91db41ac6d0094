/**
 * Drives the ECS simulator's clock and the event bus together until both are quiet, one
 * simulated instant at a time, so a target reacting to an event acts at the simulated time the
 * event happened (not after the whole simulation has been fast-forwarded).
 */

/** The part of the ECS simulator that {@link settleSandbox} drives. */
export interface SteppableClock {
  step(): boolean;
}

/** The part of the event bus that {@link settleSandbox} waits for. */
export interface DrainableBus {
  drain(): Promise<void>;
}

/**
 * Alternates `bus.drain()` and `simulator.step()` until the simulator has nothing scheduled
 * after the bus drained. Throws after `maxSteps` simulated instants (a loop that never ends is
 * a bug, e.g. a target that relaunches forever).
 */
export async function settleSandbox(
  simulator: SteppableClock,
  bus: DrainableBus,
  options: { readonly maxSteps?: number } = {},
): Promise<void> {
  const maxSteps = options.maxSteps ?? 10_000;
  for (let steps = 0; ; steps++) {
    await bus.drain();
    if (!simulator.step()) return;
    if (steps >= maxSteps) throw new Error(`settleSandbox: still busy after ${maxSteps} simulated steps`);
  }
}
