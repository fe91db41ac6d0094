/**
 * The CLI's window on the process: streams, environment, terminal detection and the confirmation
 * prompt. `main()` builds it from `process`; tests build their own and capture the output.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Clients } from '../functions/remediator/app';

/** Streams and environment the commands use; nothing reads `process` directly. */
export interface CliIo {
  readonly out: Writable;
  readonly err: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: Readable;
  /** Is stdout a terminal (colour, tables)? */
  readonly isTTY: boolean;
  /**
   * Is stderr a terminal (progress lines)?
   * @default isTTY
   */
  readonly errIsTTY?: boolean;
  /**
   * Is stdin a terminal (a confirmation can be asked)?
   * @default isTTY
   */
  readonly stdinIsTTY?: boolean;
  /**
   * Asks a yes/no question; resolves true on yes.
   * @default a readline prompt on stdin/stderr
   */
  readonly confirm?: (question: string) => Promise<boolean>;
  /**
   * The current time (epoch ms) for relative dates and default ranges.
   * @default Date.now
   */
  readonly now?: () => number;
  /**
   * SDK clients to use instead of those built from the flags (tests point ECS, SNS and EventBridge
   * at fakes this way).
   * @default - clients from --region, --profile, --endpoint and the standard chain
   */
  readonly clients?: Partial<Clients>;
}

/** The io of a real process. */
export function processIo(): CliIo {
  return {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    stdin: process.stdin,
    isTTY: process.stdout.isTTY === true,
    errIsTTY: process.stderr.isTTY === true,
    stdinIsTTY: process.stdin.isTTY === true,
  };
}

/** Asks on stderr, reads one line from stdin: yes/y means yes. */
export async function promptConfirm(io: CliIo, question: string): Promise<boolean> {
  if (io.confirm) return io.confirm(question);
  const rl = createInterface({ input: io.stdin, output: io.err, terminal: io.stdinIsTTY ?? io.isTTY });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(`${question} [y/N] `, resolve);
      rl.once('close', () => resolve(''));
    });
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Reads a whole stream as UTF-8 text. */
export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
