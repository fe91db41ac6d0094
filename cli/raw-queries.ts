/**
 * The audit table's access patterns as plain DynamoDB queries: key condition, index and values.
 * One data module used by the CLI (which runs them), the README (which prints each as an
 * `aws dynamodb query` command, generated from here) and a test (which runs them against the
 * sandbox table and checks the README prints exactly these), so the documentation cannot drift
 * from the schema.
 */

import type { QuerySpec } from '../functions/adapters/dynamo-audit-reader';
import { AUDIT_TABLE, GSI_KEYS, type Outcome, PK, SK } from '../functions/core/audit-schema';
import { AUDIT_TABLE_OUTPUT_KEY, DEFAULT_STACK_NAME } from './table-discovery';

/** One access pattern. */
export interface RawQuery<A> {
  /** Stable id (used by tests and the README generator). */
  readonly id: string;
  /** The operator's question it answers. */
  readonly question: string;
  /** GSI name; the table itself when absent. */
  readonly indexName?: string;
  readonly keyConditionExpression: string;
  /** Newest first (`--no-scan-index-forward`). */
  readonly newestFirst: boolean;
  /** The expression values for the given arguments. */
  readonly values: (args: A) => Record<string, string>;
  /** Arguments of the README example. */
  readonly example: A;
  /** `values(example)`. */
  readonly exampleValues: Readonly<Record<string, string>>;
  /** The Query to run for the given arguments. */
  readonly spec: (args: A) => QuerySpec;
}

function defineQuery<A>(q: Omit<RawQuery<A>, 'exampleValues' | 'spec'>): RawQuery<A> {
  return Object.freeze({
    ...q,
    exampleValues: Object.freeze(q.values(q.example)),
    spec: (args: A): QuerySpec => ({
      indexName: q.indexName,
      keyConditionExpression: q.keyConditionExpression,
      values: q.values(args),
      newestFirst: q.newestFirst,
    }),
  });
}

const { partitionKey: pk, sortKey: sk } = AUDIT_TABLE;
const byCluster = AUDIT_TABLE.indexes.byCluster;
const byOutcomeDay = AUDIT_TABLE.indexes.byOutcomeDay;

const EXAMPLE_TASK = 'arn:aws:ecs:eu-west-1:111122223333:task/jobs/0123456789abcdef0123456789abcdef';
const EXAMPLE_DAY = '2025-01-31';

/** Every access pattern, in the order the README shows them. */
export const RAW_QUERIES = Object.freeze({
  taskPointer: defineQuery<{ taskArn: string }>({
    id: 'task-pointer',
    question: 'Which chain is task X in? (its pointer item; `rootTaskArn` names the chain)',
    keyConditionExpression: `${pk} = :pk AND ${sk} = :sk`,
    newestFirst: false,
    values: ({ taskArn }) => ({ ':pk': PK.task(taskArn), ':sk': SK.pointer }),
    example: { taskArn: EXAMPLE_TASK },
  }),
  chain: defineQuery<{ rootTaskArn: string }>({
    id: 'chain',
    question: 'What happened to task X? (the whole chain: summary, failures, attempts)',
    keyConditionExpression: `${pk} = :pk`,
    newestFirst: false,
    values: ({ rootTaskArn }) => ({ ':pk': PK.chain(rootTaskArn) }),
    example: { rootTaskArn: EXAMPLE_TASK },
  }),
  taskEvents: defineQuery<{ taskArn: string }>({
    id: 'task-events',
    question: 'Which events arrived for task X? (duplicates included)',
    keyConditionExpression: `${pk} = :pk AND begins_with(${sk}, :prefix)`,
    newestFirst: false,
    values: ({ taskArn }) => ({ ':pk': PK.task(taskArn), ':prefix': 'EVENT#' }),
    example: { taskArn: EXAMPLE_TASK },
  }),
  clusterRange: defineQuery<{ cluster: string; from: string; to: string }>({
    id: 'cluster-range',
    question: 'What did it do in cluster Y this week? (chains by first sighting, newest first)',
    indexName: byCluster.name,
    keyConditionExpression: `${byCluster.partitionKey} = :pk AND ${byCluster.sortKey} BETWEEN :from AND :to`,
    newestFirst: true,
    values: ({ cluster, from, to }) => ({ ':pk': GSI_KEYS.cluster(cluster), ':from': from, ':to': to }),
    example: { cluster: 'jobs', from: '2025-01-25T00:00:00.000Z', to: '2025-01-31T23:59:59.999Z~' },
  }),
  outcomeDay: defineQuery<{ outcome: Outcome; day: string }>({
    id: 'outcome-day',
    question: 'What gave up last night? (every chain with an outcome on a UTC day, newest first)',
    indexName: byOutcomeDay.name,
    keyConditionExpression: `${byOutcomeDay.partitionKey} = :pk`,
    newestFirst: true,
    values: ({ outcome, day }) => ({ ':pk': GSI_KEYS.outcomeDay(outcome, day) }),
    example: { outcome: 'GAVE_UP', day: EXAMPLE_DAY },
  }),
  outcomeRange: defineQuery<{ outcome: Outcome; day: string; from: string; to: string }>({
    id: 'outcome-range',
    question: 'The same within hours of that day (what the CLI runs for each day of --since/--until)',
    indexName: byOutcomeDay.name,
    keyConditionExpression: `${byOutcomeDay.partitionKey} = :pk AND ${byOutcomeDay.sortKey} BETWEEN :from AND :to`,
    newestFirst: true,
    values: ({ outcome, day, from, to }) => ({
      ':pk': GSI_KEYS.outcomeDay(outcome, day),
      ':from': from,
      ':to': to,
    }),
    example: {
      outcome: 'GAVE_UP',
      day: EXAMPLE_DAY,
      from: `${EXAMPLE_DAY}T00:00:00.000Z`,
      to: `${EXAMPLE_DAY}T06:00:00.000Z~`,
    },
  }),
});

/** What every access pattern has, whatever its arguments. */
export type RawQueryInfo = Pick<
  RawQuery<unknown>,
  'id' | 'question' | 'indexName' | 'keyConditionExpression' | 'newestFirst' | 'exampleValues'
>;

/** The access patterns as a list, in README order. */
export const RAW_QUERY_LIST: readonly RawQueryInfo[] = Object.values(RAW_QUERIES);

/** Values in DynamoDB JSON, as `--expression-attribute-values` takes them. */
export function dynamoJsonValues(values: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { S: v }])));
}

/** The `aws dynamodb query` command of an access pattern with its example values. */
export function renderAwsCliQuery(q: RawQueryInfo, table = '"$TABLE"'): string {
  const lines = [
    `aws dynamodb query --table-name ${table}`,
    ...(q.indexName ? [`--index-name ${q.indexName}`] : []),
    `--key-condition-expression '${q.keyConditionExpression}'`,
    `--expression-attribute-values '${dynamoJsonValues(q.exampleValues)}'`,
    ...(q.newestFirst ? ['--no-scan-index-forward'] : []),
  ];
  return lines.join(' \\\n  ');
}

/** The command that reads the table name from the stack output. */
export function renderTableLookup(): string {
  return (
    `TABLE=$(aws cloudformation describe-stacks --stack-name ${DEFAULT_STACK_NAME} \\\n` +
    `  --query "Stacks[0].Outputs[?OutputKey=='${AUDIT_TABLE_OUTPUT_KEY}'].OutputValue" --output text)`
  );
}

/** The README's raw-query block: each access pattern as an `aws dynamodb query` command. */
export function renderRawQueriesMarkdown(): string {
  const parts = ['```sh', renderTableLookup(), '```', ''];
  for (const q of RAW_QUERY_LIST) {
    parts.push(`${q.question}:`, '', '```sh', renderAwsCliQuery(q), '```', '');
  }
  return parts.join('\n');
}
