/**
 * Local DynamoDB for the sandbox and the integration tests: dynalite 4, in memory, on 127.0.0.1.
 *
 * dynalite lacks transactions, UpdateTimeToLive (and TTL expiry), PITR, PartiQL and Streams
 * (shared/reference/toolchain-notes.md). The product uses only single-item conditional writes,
 * and the table's TTL and PITR settings are asserted on the synthesized CDK template instead,
 * so nothing here calls those APIs.
 */

import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { AUDIT_TABLE } from '../functions/core/audit-schema';

/** A running local DynamoDB. */
export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  /** Closes the server and every open connection; safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startDynamoDb}. */
export interface StartDynamoDbOptions {
  /**
   * TCP port on 127.0.0.1.
   * @default 0 (a free port chosen by the OS)
   */
  readonly port?: number;
}

/** Starts dynalite in memory on 127.0.0.1; tables become ACTIVE immediately. */
export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  // 0 ms state transitions: CREATING/UPDATING/DELETING would only slow the tests down.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // SDK clients keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/** The CreateTable request for the audit table, built from the shared schema module. */
export function auditTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, indexes } = AUDIT_TABLE;
  const gsis = [indexes.byCluster, indexes.byOutcomeDay];
  const keyNames = [partitionKey, sortKey, ...gsis.flatMap((i) => [i.partitionKey, i.sortKey])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: gsis.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/** Options of {@link createAuditTable}. */
export interface CreateAuditTableOptions {
  /**
   * How long to wait for the table and its indexes to become ACTIVE.
   * @default 10000
   */
  readonly timeoutMs?: number;
}

/**
 * Creates the audit table (if it does not exist yet) and waits until it and its GSIs are ACTIVE.
 * Works against any DynamoDB-compatible endpoint; TTL and PITR are deliberately not configured.
 */
export async function createAuditTable(
  client: DynamoDBClient,
  tableName: string,
  options: CreateAuditTableOptions = {},
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(auditTableDefinition(tableName)));
  } catch (error) {
    // An existing table is fine: callers may share one engine between test files.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is not ACTIVE after ${options.timeoutMs ?? 10_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
