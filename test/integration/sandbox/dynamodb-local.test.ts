import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { AUDIT_TABLE, GSI_KEYS, PK, SK } from '../../../functions/core/audit-schema';
import { createAuditTable, type LocalDynamoDb, startDynamoDb } from '../../../sandbox/dynamodb-local';

const CREDENTIALS = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const TABLE = 'eni-remediator-audit';

describe('local DynamoDB (dynalite) with the audit table', () => {
  let db: LocalDynamoDb;
  let client: DynamoDBClient;

  beforeAll(async () => {
    db = await startDynamoDb();
    client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
    await createAuditTable(client, TABLE);
  });

  afterAll(async () => {
    client.destroy();
    await db.stop();
  });

  it('listens on 127.0.0.1 and creates the table from AUDIT_TABLE, ACTIVE, on demand, GSIs projecting ALL', async () => {
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: AUDIT_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: AUDIT_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    const gsis = (Table?.GlobalSecondaryIndexes ?? []).map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`),
      projection: i.Projection?.ProjectionType,
      status: i.IndexStatus,
    }));
    expect(gsis).toEqual(
      expect.arrayContaining([
        { name: 'byCluster', keys: ['gsi1pk:HASH', 'gsi1sk:RANGE'], projection: 'ALL', status: 'ACTIVE' },
        { name: 'byOutcomeDay', keys: ['gsi2pk:HASH', 'gsi2sk:RANGE'], projection: 'ALL', status: 'ACTIVE' },
      ]),
    );
    expect(gsis).toHaveLength(2);
  });

  it('is idempotent: creating the table again only waits for it', async () => {
    await expect(createAuditTable(client, TABLE)).resolves.toBeUndefined();
  });

  it('supports conditional single-item writes and queries on both GSIs', async () => {
    const root = 'arn:aws:ecs:us-east-1:111122223333:task/jobs/0123456789abcdef0123456789abcdef';
    const item = {
      pk: { S: PK.chain(root) },
      sk: { S: SK.summary },
      gsi1pk: { S: GSI_KEYS.cluster('jobs') },
      gsi1sk: { S: GSI_KEYS.clusterSort('2025-01-01T00:00:00.000Z', root) },
      gsi2pk: { S: GSI_KEYS.outcomeDay('RELAUNCHED', '2025-01-01') },
      gsi2sk: { S: GSI_KEYS.outcomeSort('2025-01-01T00:00:00.000Z', root) },
    };
    const claim = new PutItemCommand({
      TableName: TABLE,
      Item: item,
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    await client.send(claim);
    await expect(client.send(claim)).rejects.toBeInstanceOf(ConditionalCheckFailedException);

    const got = await client.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }),
    );
    expect(got.Item?.gsi1pk).toEqual(item.gsi1pk);

    const byCluster = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'byCluster',
        KeyConditionExpression: 'gsi1pk = :c AND gsi1sk BETWEEN :a AND :b',
        ExpressionAttributeValues: {
          ':c': item.gsi1pk,
          ':a': { S: '2025-01-01' },
          ':b': { S: '2025-01-02' },
        },
      }),
    );
    expect(byCluster.Items).toHaveLength(1);
    const byOutcome = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: 'byOutcomeDay',
        KeyConditionExpression: 'gsi2pk = :o',
        ExpressionAttributeValues: { ':o': item.gsi2pk },
      }),
    );
    expect(byOutcome.Items?.[0]?.pk).toEqual(item.pk);
  });

  it('is reachable through AWS_ENDPOINT_URL_DYNAMODB with no endpoint in code', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
    const envClient = new DynamoDBClient({ region: 'us-east-1', credentials: CREDENTIALS });
    try {
      const { TableNames } = await envClient.send(new ListTablesCommand({}));
      expect(TableNames).toContain(TABLE);
    } finally {
      envClient.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
    }
  });

  it('stop() is idempotent and closes the port', async () => {
    const other = await startDynamoDb();
    await other.stop();
    await other.stop();
    await expect(fetch(`${other.endpoint}/`, { method: 'POST' })).rejects.toThrow();
  });
});
