/**
 * The README's `aws dynamodb query` commands: the key conditions of cli/raw-queries.ts run against
 * the sandbox table seeded by the real remediator, with the values in DynamoDB JSON exactly as
 * the README passes them; and the README prints exactly these commands.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  dynamoJsonValues,
  RAW_QUERIES,
  RAW_QUERY_LIST,
  type RawQuery,
  renderRawQueriesMarkdown,
} from '../../../cli/raw-queries';
import { type SeededTable, seedAuditTable } from './seeded-audit-table';

let table: SeededTable;

beforeAll(async () => {
  table = await seedAuditTable(['case-06', 'case-07', 'case-12']);
});

afterAll(async () => {
  await table.stop();
});

const root = (name: string) => table.runs.get(name)?.rootTaskArn ?? `missing ${name}`;

/** Runs an access pattern the way `aws dynamodb query` does: low-level client, DynamoDB JSON values. */
async function rawQuery<A>(q: RawQuery<A>, args: NoInfer<A>): Promise<Record<string, unknown>[]> {
  const out = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: q.indexName,
      KeyConditionExpression: q.keyConditionExpression,
      ExpressionAttributeValues: JSON.parse(dynamoJsonValues(q.values(args))),
      ScanIndexForward: q.newestFirst ? false : undefined,
    }),
  );
  return (out.Items ?? []).map((i) => unmarshall(i));
}

describe('raw queries against the sandbox table', () => {
  it('task pointer: any task of a chain names its root', async () => {
    const chainItems = await rawQuery(RAW_QUERIES.chain, { rootTaskArn: root('case-07') });
    const newTaskArns = (chainItems.find((i) => i.type === 'CHAIN')?.newTaskArns ?? []) as string[];
    const replacement = newTaskArns[1];
    const items = await rawQuery(RAW_QUERIES.taskPointer, { taskArn: replacement ?? '' });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ type: 'POINTER', rootTaskArn: root('case-07'), attempt: 2 });
  });

  it('chain: the summary, every failure and every attempt', async () => {
    const items = await rawQuery(RAW_QUERIES.chain, { rootTaskArn: root('case-07') });
    const count = (type: string) => items.filter((i) => i.type === type).length;
    expect([count('CHAIN'), count('FAILURE'), count('ATTEMPT')]).toEqual([1, 4, 3]);
    expect(items.find((i) => i.type === 'CHAIN')).toMatchObject({ outcome: 'GAVE_UP' });
  });

  it('task events: every delivery, duplicates included', async () => {
    const items = await rawQuery(RAW_QUERIES.taskEvents, { taskArn: root('case-06') });
    expect(items.every((i) => i.type === 'EVENT')).toBe(true);
    expect(items.map((i) => i.decision)).toEqual(expect.arrayContaining(['DUPLICATE', 'IGNORED']));
  });

  it('cluster range: chains first seen in the cluster between two times', async () => {
    const day = { from: '2022-03-04T00:00:00.000Z', to: '2022-03-04T23:59:59.999Z~' };
    const items = await rawQuery(RAW_QUERIES.clusterRange, { cluster: 'ingest', ...day });
    expect(items.map((i) => i.rootTaskArn)).toEqual([root('case-07')]);
    const before = { from: '2022-03-03T00:00:00.000Z', to: '2022-03-03T23:59:59.999Z~' };
    expect(await rawQuery(RAW_QUERIES.clusterRange, { cluster: 'ingest', ...before })).toEqual([]);
  });

  it('outcome day: what gave up, and what failed, on a UTC day', async () => {
    const gaveUp = await rawQuery(RAW_QUERIES.outcomeDay, { outcome: 'GAVE_UP', day: '2022-03-04' });
    expect(gaveUp.map((i) => i.rootTaskArn)).toEqual([root('case-07')]);
    const failed = await rawQuery(RAW_QUERIES.outcomeDay, { outcome: 'FAILED', day: '2020-12-15' });
    expect(failed.map((i) => i.rootTaskArn)).toEqual([root('case-12')]);
  });

  it('outcome range: the same within hours of the day', async () => {
    const args = { outcome: 'GAVE_UP' as const, day: '2022-03-04' };
    const within = await rawQuery(RAW_QUERIES.outcomeRange, {
      ...args,
      from: '2022-03-04T10:00:00.000Z',
      to: '2022-03-04T11:00:00.000Z~',
    });
    expect(within.map((i) => i.rootTaskArn)).toEqual([root('case-07')]);
    const after = await rawQuery(RAW_QUERIES.outcomeRange, {
      ...args,
      from: '2022-03-04T11:00:00.000Z',
      to: '2022-03-04T12:00:00.000Z~',
    });
    expect(after).toEqual([]);
  });

  it('accepts every README example as written (index and expression valid on the table)', async () => {
    for (const q of RAW_QUERY_LIST) {
      const out = await table.client.send(
        new QueryCommand({
          TableName: table.tableName,
          IndexName: q.indexName,
          KeyConditionExpression: q.keyConditionExpression,
          ExpressionAttributeValues: JSON.parse(dynamoJsonValues(q.exampleValues)),
        }),
      );
      expect(out.Items).toEqual([]);
    }
  });
});

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('<!-- section:cli -->'),
    readme.indexOf('<!-- /section:cli -->'),
  );

  it('prints exactly the generated raw-query block inside the CLI section', () => {
    const begin = '<!-- raw-queries:begin -->\n';
    const start = section.indexOf(begin);
    const end = section.indexOf('<!-- raw-queries:end -->');
    expect(start).toBeGreaterThan(0);
    // On a mismatch, paste renderRawQueriesMarkdown() (cli/raw-queries.ts) between the markers.
    expect(section.slice(start + begin.length, end)).toBe(renderRawQueriesMarkdown());
  });

  it('contains exactly the key condition expressions the CLI runs', () => {
    const inReadme = [...readme.matchAll(/--key-condition-expression '([^']+)'/g)].map((m) => m[1]);
    expect(new Set(inReadme)).toEqual(new Set(RAW_QUERY_LIST.map((q) => q.keyConditionExpression)));
    expect(inReadme).toHaveLength(RAW_QUERY_LIST.length);
  });
});
