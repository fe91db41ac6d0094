/** `eni-remediator demo`: the main job on the embedded sandbox. Being written; see runDemo. */
import type { Writable } from 'node:stream';

export interface DemoOptions {
  /** A file or folder of exported events to run instead of the built-in scenario. */
  readonly events?: string;
  /** Machine-readable summary instead of tables. */
  readonly json?: boolean;
  readonly out: Writable;
  readonly err: Writable;
}

/** Runs the demo and returns the process exit code (non-zero when an invariant broke). */
export async function runDemo(options: DemoOptions): Promise<number> {
  options.err.write('demo: not available in this build\n');
  return 2;
}
