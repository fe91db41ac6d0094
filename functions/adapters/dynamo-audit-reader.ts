/**
 * Read side of the audit table, for operators (CLI) and tests: the access patterns of
 * audit-schema.ts as DynamoDB queries. Never a Scan.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { TaskPointerItem } from '../core/audit-items';
import { PK, SK } from '../core/audit-schema';
import { documentClient } from './dynamo-audit-store';

export type Item = Record<string, unknown>;

/** One Query on the table or one of its indexes (key condition and values as in `aws dynamodb query`). */
export interface QuerySpec {
  /** GSI name; the table itself when absent. */
  readonly indexName?: string;
  readonly keyConditionExpression: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly filterExpression?: string;
  readonly names?: Readonly<Record<string, string>>;
  /** Descending sort key order (`--no-scan-index-forward`). */
  readonly newestFirst?: boolean;
}

/** One page of a Query. */
export interface QueryPage {
  readonly items: Item[];
  /** Present when DynamoDB has more items for the same query. */
  readonly lastEvaluatedKey?: Item;
}

export class DynamoAuditReader {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient | DynamoDBDocumentClient,
    readonly tableName: string,
  ) {
    this.doc = client instanceof DynamoDBDocumentClient ? client : documentClient(client);
  }

  /** The pointer of any task ARN the remediator saw or started. */
  async pointer(taskArn: string): Promise<TaskPointerItem | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: PK.task(taskArn), sk: SK.pointer } }),
    );
    return out.Item as TaskPointerItem | undefined;
  }

  /** Every item of a partition, all pages. */
  async partition(pk: string): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Access pattern 1: the whole chain of the task (root found through the pointer). */
  async chainOf(taskArn: string): Promise<{ rootTaskArn: string; items: Item[] } | undefined> {
    const pointer = await this.pointer(taskArn);
    if (!pointer) return undefined;
    return { rootTaskArn: pointer.rootTaskArn, items: await this.partition(PK.chain(pointer.rootTaskArn)) };
  }

  /** One page of a Query (table or GSI); callers page with `startKey`. */
  async queryPage(spec: QuerySpec, options: { limit?: number; startKey?: Item } = {}): Promise<QueryPage> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: spec.indexName,
        KeyConditionExpression: spec.keyConditionExpression,
        FilterExpression: spec.filterExpression,
        ExpressionAttributeNames:
          spec.names && Object.keys(spec.names).length > 0 ? { ...spec.names } : undefined,
        ExpressionAttributeValues: { ...spec.values },
        ScanIndexForward: spec.newestFirst ? false : undefined,
        Limit: options.limit,
        ExclusiveStartKey: options.startKey,
      }),
    );
    return { items: (out.Items ?? []) as Item[], lastEvaluatedKey: out.LastEvaluatedKey };
  }

  /** Every item a Query returns, all pages. */
  async queryAll(spec: QuerySpec): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.queryPage(spec, { startKey });
      items.push(...page.items);
      startKey = page.lastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
