/**
 * Reads the events people export, in the shapes they come in:
 * - one EventBridge envelope, an array of them, or JSON Lines (EventBridge archive replays and
 *   rule targets deliver envelopes as-is);
 * - CloudWatch Logs exports: lines `<timestamp> <message>` (S3 export), objects
 *   `{ "timestamp", "message" }`, `aws logs filter-log-events` / `get-log-events` output
 *   `{ "events": [{ "message": ... }] }`, and Logs Insights results (`@message` fields);
 *   the message is the JSON event, possibly after a log prefix;
 * - CloudTrail: `{ "Records": [...] }` files and `aws cloudtrail lookup-events` output
 *   (`{ "Events": [{ "CloudTrailEvent": "<json>" }] }`), for launch records.
 * Files may be gzipped (`.gz`). Bad JSON is reported with file and line numbers.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from './cli-errors';
import { type CliIo, readAll } from './cli-io';

/** One event read from the input, with where it came from (`file:line` or `file[index]`). */
export interface InputRecord {
  readonly source: string;
  readonly value: unknown;
}

/** File extensions read from a folder. */
export const INPUT_EXTENSIONS = ['.json', '.jsonl', '.ndjson', '.log', '.txt'] as const;

const MAX_REPORTED_PROBLEMS = 10;

/** Input that cannot be read as events (exit 2), with where. */
export class InputError extends UsageError {}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses JSON found in a log message, after an optional prefix (`2025-... INFO {...}`). */
function parseMessage(message: unknown, source: string): unknown {
  if (typeof message !== 'string') return message;
  const text = message.trim();
  const start = text.search(/[{[]/);
  if (start < 0) throw new InputError(`${source}: the log message is not JSON: ${text.slice(0, 80)}`);
  try {
    return JSON.parse(text.slice(start));
  } catch (err) {
    throw new InputError(`${source}: the log message is not valid JSON: ${(err as Error).message}`);
  }
}

/** Unwraps the export shapes down to the events they carry. */
export function unwrapExport(value: unknown, source: string): InputRecord[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => unwrapExport(v, `${source}[${i}]`));
  if (!isObject(value)) return [{ source, value }];
  // An EventBridge envelope (any detail-type) or a CloudTrail record: as is.
  if ('detail-type' in value || 'eventName' in value) return [{ source, value }];
  if (Array.isArray(value.events)) {
    return value.events.flatMap((e, i) => {
      const at = `${source} events[${i}]`;
      return unwrapExport(isObject(e) && 'message' in e ? parseMessage(e.message, at) : e, at);
    });
  }
  if (Array.isArray(value.results)) {
    // Logs Insights: rows of { field, value }.
    return value.results.flatMap((row, i) => {
      const at = `${source} results[${i}]`;
      const fields = Array.isArray(row) ? row.filter(isObject) : [];
      const message = fields.find((f) => f.field === '@message')?.value;
      if (message === undefined)
        throw new InputError(`${at}: no @message field (add "fields @message" to the query)`);
      return unwrapExport(parseMessage(message, at), at);
    });
  }
  if (Array.isArray(value.Records)) return unwrapExport(value.Records, `${source} Records`);
  if (Array.isArray(value.Events)) {
    return value.Events.flatMap((e, i) => {
      const at = `${source} Events[${i}]`;
      return unwrapExport(
        isObject(e) && 'CloudTrailEvent' in e ? parseMessage(e.CloudTrailEvent, at) : e,
        at,
      );
    });
  }
  if ('message' in value && ('timestamp' in value || 'ingestionTime' in value || 'logStreamName' in value)) {
    return unwrapExport(parseMessage(value.message, source), source);
  }
  // A structured log line that carries the event (Powertools `event` key).
  if (isObject(value.event) && 'detail-type' in value.event) return [{ source, value: value.event }];
  return [{ source, value }];
}

/** The 1-based line of a JSON.parse error in `text` (its message names the character position). */
function lineOfError(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message);
  if (!position) return undefined;
  return text.slice(0, Number(position[1])).split('\n').length;
}

/** Parses one input text (a JSON document, JSON Lines, or `timestamp message` lines). */
export function parseInputText(text: string, name: string): InputRecord[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const lines = text.split(/\r?\n/);
  const firstLine = lines.find((l) => l.trim() !== '')?.trim() ?? '';
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let whole: unknown;
    let wholeError: Error | undefined;
    try {
      whole = JSON.parse(trimmed);
    } catch (err) {
      wholeError = err as Error;
    }
    if (!wholeError) return unwrapExport(whole, name);
    let firstLineIsJson = true;
    try {
      JSON.parse(firstLine);
    } catch {
      firstLineIsJson = false;
    }
    if (!firstLineIsJson) {
      // A pretty-printed document with a syntax error, not JSON Lines.
      const inTrimmed = lineOfError(trimmed, wholeError.message);
      const leading = text.slice(0, text.indexOf(trimmed)).split('\n').length - 1;
      const line = inTrimmed === undefined ? '' : `:${inTrimmed + leading}`;
      throw new InputError(`${name}${line}: invalid JSON: ${wholeError.message}`);
    }
  }
  const records: InputRecord[] = [];
  const problems: string[] = [];
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const at = `${name}:${i + 1}`;
    try {
      if (line.startsWith('{') || line.startsWith('[')) {
        records.push(...unwrapExport(JSON.parse(line), at));
        return;
      }
      // `<timestamp> <message>` (CloudWatch Logs export to S3, `aws logs tail`).
      const space = line.search(/\s/);
      if (space < 0) throw new InputError(`${at}: neither JSON nor "<timestamp> <JSON message>"`);
      records.push(...unwrapExport(parseMessage(line.slice(space + 1), at), at));
    } catch (err) {
      const message = (err as Error).message;
      problems.push(message.startsWith(at) ? message : `${at}: invalid JSON: ${message}`);
    }
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
    const more = problems.length > shown.length ? `\n  ... and ${problems.length - shown.length} more` : '';
    throw new InputError(
      `${problems.length} unreadable line(s): fix or remove them, then run again\n  ${shown.join('\n  ')}${more}`,
    );
  }
  return records;
}

async function readText(path: string): Promise<string> {
  const bytes = await readFile(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

function readable(name: string): boolean {
  const plain = name.endsWith('.gz') ? name.slice(0, -3) : name;
  return INPUT_EXTENSIONS.some((ext) => plain.endsWith(ext));
}

/** Reads every record of a file, a folder (its .json/.jsonl/.ndjson/.log/.txt files, sorted) or `-` (stdin). */
export async function readInputs(paths: readonly string[], io: CliIo): Promise<InputRecord[]> {
  const records: InputRecord[] = [];
  for (const path of paths) {
    try {
      if (path === '-') {
        records.push(...parseInputText(await readAll(io.stdin), 'stdin'));
        continue;
      }
      const info = await stat(path);
      if (info.isDirectory()) {
        const names = (await readdir(path)).filter(readable).sort();
        if (names.length === 0) {
          throw new InputError(`folder ${path} holds no ${INPUT_EXTENSIONS.join('/')} files (.gz too)`);
        }
        for (const name of names)
          records.push(...parseInputText(await readText(join(path, name)), join(path, name)));
      } else {
        records.push(...parseInputText(await readText(path), path));
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = (err as { code?: unknown }).code;
      const what = typeof code === 'string' ? code : (err as Error).message;
      throw new InputError(`cannot read ${path === '-' ? 'stdin' : path}: ${what}: check the path`, {
        cause: err,
      });
    }
  }
  return records;
}
