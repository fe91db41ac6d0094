/**
 * A dynalite audit table seeded by the real remediator: every acceptance case under
 * test/fixtures/cases runs through the real handler (test/support/case-harness.ts) with a
 * DynamoAuditStore on the local table, so the CLI reads what production writes.
 */
import { Readable, Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CliIo } from '../../../cli/cli-io';
import { runCli } from '../../../cli/main';
import { DynamoAuditStore } from '../../../functions/adapters/dynamo-audit-store';
import { createAuditTable, type LocalDynamoDb, startDynamoDb } from '../../../sandbox/dynamodb-local';
import { type CaseRun, loadCase, runCase } from '../../support/case-harness';
import { caseNames } from '../../support/fixtures';

/** Credentials for the local endpoint (dynalite checks no signature). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A seeded local table and what each case did. */
export interface SeededTable {
  readonly db: LocalDynamoDb;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Case name → run (results, root task ARN, scripted ECS calls). */
  readonly runs: ReadonlyMap<string, CaseRun>;
  stop(): Promise<void>;
}

/** Starts dynalite, creates the audit table and runs the cases (default: every case) into it. */
export async function seedAuditTable(
  cases: readonly string[] = caseNames(),
  tableName = 'eni-remediator-audit',
): Promise<SeededTable> {
  const db = await startDynamoDb();
  const client = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  await createAuditTable(client, tableName);
  const store = new DynamoAuditStore(client, tableName);
  const runs = new Map<string, CaseRun>();
  for (const name of cases) runs.set(name, await runCase(loadCase(name), store));
  return {
    db,
    client,
    tableName,
    runs,
    async stop() {
      client.destroy();
      await db.stop();
    },
  };
}

/** What an in-process CLI run printed, and its exit code. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** Runs the CLI in-process with captured output, no terminal, and only the given environment. */
export async function runCliCaptured(
  argv: readonly string[],
  options: { env?: Record<string, string>; stdin?: string; io?: Partial<CliIo> } = {},
): Promise<CliRun> {
  const out = new Capture();
  const err = new Capture();
  const io: CliIo = {
    out,
    err,
    env: options.env ?? {},
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    isTTY: false,
    ...options.io,
  };
  const code = await runCli(argv, io);
  return { code, out: out.text, err: err.text };
}
