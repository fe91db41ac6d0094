/**
 * Output formats: readable tables on a terminal (colour only on a TTY), JSON and CSV for scripts.
 */
import type { Writable } from 'node:stream';
import Table from 'cli-table3';
import pc from 'picocolors';
import { UsageError } from './cli-errors';
import type { CliIo } from './cli-io';

/** How a command prints its result. */
export type OutputFormat = 'table' | 'json' | 'csv';

/** Colour functions; identity functions when colour is off. */
export type Colors = ReturnType<typeof pc.createColors>;

/** Colour only on a terminal, and never when NO_COLOR is set. */
export function colorsFor(io: CliIo): Colors {
  return pc.createColors(io.isTTY && !io.env.NO_COLOR);
}

/** `--json` / `--csv` flags to a format; both at once is a usage error. */
export function formatOf(options: { json?: boolean; csv?: boolean }, csvAllowed = true): OutputFormat {
  if (options.json && options.csv) throw new UsageError('--json and --csv exclude each other: pick one');
  if (options.csv && !csvAllowed) throw new UsageError('--csv is not available here: use --json');
  if (options.json) return 'json';
  if (options.csv) return 'csv';
  return 'table';
}

/**
 * Text from events and files made safe for a terminal: control characters (escape sequences
 * that retitle or reset the terminal, bells, stray carriage returns) become U+FFFD, and line
 * breaks become spaces so one value cannot forge extra rows.
 */
export function printable(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  const flat = options.keepLineBreaks ? text.replace(/[\r\t]+/g, ' ') : text.replace(/[\r\n\t]+/g, ' ');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  return flat.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '\ufffd');
}

/** A cell value as text ('' for nothing). */
export function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return printable(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A text table (cli-table3) with bold headers on a terminal. */
export function renderTable(
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
  c: Colors,
): string {
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    // cli-table3 colours headers red by default; colour is ours to decide (TTY only).
    style: { head: [], border: [], compact: false },
  });
  for (const row of rows) table.push(row.map(cell));
  return table.toString();
}

/** RFC 4180 CSV with a header line. */
export function renderCsv(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const quote = (v: unknown) => {
    const text = cell(v);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[head, ...rows].map((r) => r.map(quote).join(',')).join('\n')}\n`;
}

/** Pretty JSON with a trailing newline. */
export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes text, adding a newline when missing. */
export function writeLine(stream: Writable, text = ''): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A duration for humans: 850 ms, 12.3 s, 4.2 min, 3.1 h. */
export function humanDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** Colours an outcome: green relaunched, red failures, yellow give-ups. */
export function paintOutcome(outcome: string, c: Colors): string {
  switch (outcome) {
    case 'RELAUNCHED':
      return c.green(outcome);
    case 'FAILED':
    case 'UNRESOLVED':
      return c.red(outcome);
    case 'GAVE_UP':
      return c.yellow(outcome);
    case 'DRY_RUN':
      return c.cyan(outcome);
    default:
      return c.dim(outcome);
  }
}

/** The last segment of a task ARN (`<cluster>/<id>` → `<id>`). */
export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}
