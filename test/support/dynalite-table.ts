/**
 * A throwaway DynamoDB-compatible endpoint for integration tests: dynalite in memory on a free
 * port of 127.0.0.1, and the audit table created from functions/core/audit-schema.ts (the same
 * keys and indexes the CDK stack deploys). Talk to it with the real DynamoDBClient.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE } from '../../functions/core/audit-schema';

type DynaliteFactory = (options: {
  createTableMs: number;
  deleteTableMs: number;
  updateTableMs: number;
}) => Server;

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

/** Starts dynalite (tables become ACTIVE at once) and a client pointed at it. */
export async function startLocalDynamo(): Promise<LocalDynamo> {
  // dynalite ships no types and no ES module entry point.
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** Creates the audit table: pk/sk, GSIs byCluster and byOutcomeDay projecting ALL, on demand. */
export async function createAuditTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { byCluster, byOutcomeDay } = AUDIT_TABLE.indexes;
  const attributes = [
    AUDIT_TABLE.partitionKey,
    AUDIT_TABLE.sortKey,
    byCluster.partitionKey,
    byCluster.sortKey,
    byOutcomeDay.partitionKey,
    byOutcomeDay.sortKey,
  ];
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [byCluster, byOutcomeDay].map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
}
