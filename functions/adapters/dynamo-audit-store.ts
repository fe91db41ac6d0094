/**
 * AuditStore on DynamoDB. Only single-item conditional writes (no transactions): each step is
 * idempotent on its own, so a crash between steps is repaired by the redelivered event.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type {
  AttemptItem,
  ChainSummaryItem,
  EventLogItem,
  FailureItem,
  LaunchRecordItem,
  RejectedEventItem,
  TaskPointerItem,
} from '../core/audit-items';
import { type Outcome, PK, SK } from '../core/audit-schema';
import type { AuditStore, ClaimRequest, ClaimResult } from '../core/ports';

/** Builds the document client the way every component uses it. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

function isConditionFailure(err: unknown): boolean {
  return (
    err instanceof ConditionalCheckFailedException ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { name?: string }).name === 'ConditionalCheckFailedException')
  );
}

export class DynamoAuditStore implements AuditStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient | DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {
    this.doc = client instanceof DynamoDBDocumentClient ? client : documentClient(client);
  }

  async claimTask(req: ClaimRequest): Promise<ClaimResult> {
    const cutoff = new Date(Date.parse(req.now) - req.leaseMs).toISOString();
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK.task(req.taskArn), sk: SK.pointer },
          UpdateExpression:
            'SET claimedAt = :now, claimedBy = :claimant, #type = :type, taskArn = :arn, ' +
            'rootTaskArn = if_not_exists(rootTaskArn, :arn), attempt = if_not_exists(attempt, :zero), ' +
            'expiresAt = if_not_exists(expiresAt, :exp)',
          ConditionExpression:
            'attribute_not_exists(claimedAt) OR (attribute_not_exists(doneAt) AND (claimedBy = :claimant OR claimedAt < :cutoff))',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':now': req.now,
            ':claimant': req.claimant,
            ':type': 'POINTER',
            ':arn': req.taskArn,
            ':zero': 0,
            ':exp': req.expiresAt,
            ':cutoff': cutoff,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = out.Attributes as Partial<TaskPointerItem> | undefined;
      const pointer: TaskPointerItem = {
        pk: PK.task(req.taskArn),
        sk: 'POINTER',
        type: 'POINTER',
        taskArn: req.taskArn,
        rootTaskArn: old?.rootTaskArn ?? req.taskArn,
        attempt: old?.attempt ?? 0,
        claimedAt: req.now,
        claimedBy: req.claimant,
        expiresAt: old?.expiresAt ?? req.expiresAt,
      };
      return { kind: 'claimed', pointer, reentered: old?.claimedAt !== undefined };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      const pointer = await this.getPointer(req.taskArn);
      if (!pointer) throw err;
      return pointer.doneAt ? { kind: 'done', pointer } : { kind: 'busy', pointer };
    }
  }

  async completeTask(taskArn: string, outcome: Outcome, now: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: PK.task(taskArn), sk: SK.pointer },
        UpdateExpression: 'SET doneAt = :now, outcome = :outcome',
        ExpressionAttributeValues: { ':now': now, ':outcome': outcome },
      }),
    );
  }

  async countDuplicate(taskArn: string): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: PK.task(taskArn), sk: SK.pointer },
        UpdateExpression: 'ADD duplicateDeliveries :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  async putPointer(pointer: TaskPointerItem): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: pointer,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      // Already there: written by an earlier, crashed run of the same attempt.
      if (!isConditionFailure(err)) throw err;
    }
  }

  async getPointer(taskArn: string): Promise<TaskPointerItem | undefined> {
    return this.get<TaskPointerItem>(PK.task(taskArn), SK.pointer);
  }

  async getChain(rootTaskArn: string): Promise<ChainSummaryItem | undefined> {
    return this.get<ChainSummaryItem>(PK.chain(rootTaskArn), SK.summary);
  }

  async putChain(summary: ChainSummaryItem): Promise<void> {
    await this.put(summary);
  }

  async getAttempts(rootTaskArn: string): Promise<AttemptItem[]> {
    const items: AttemptItem[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': PK.chain(rootTaskArn), ':prefix': 'ATTEMPT#' },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...((out.Items ?? []) as AttemptItem[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => a.attempt - b.attempt);
  }

  async putAttempt(attempt: AttemptItem): Promise<void> {
    await this.put(attempt);
  }

  async putFailure(failure: FailureItem): Promise<void> {
    await this.put(failure);
  }

  async putEventLog(entry: EventLogItem): Promise<void> {
    await this.put(entry);
  }

  async putRejected(entry: RejectedEventItem): Promise<void> {
    await this.put(entry);
  }

  async getLaunchRecord(taskArn: string): Promise<LaunchRecordItem | undefined> {
    return this.get<LaunchRecordItem>(PK.launch(taskArn), SK.launch);
  }

  async putLaunchRecord(record: LaunchRecordItem): Promise<void> {
    await this.put(record);
  }

  async takeStormToken(
    scope: string,
    windowStart: string,
    limit: number,
    expiresAt: number,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: PK.storm(scope), sk: windowStart },
          UpdateExpression: 'ADD relaunches :one SET expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(relaunches) OR relaunches < :limit',
          ExpressionAttributeValues: { ':one': 1, ':exp': expiresAt, ':limit': limit },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  private async get<T>(pk: string, sk: string): Promise<T | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk, sk }, ConsistentRead: true }),
    );
    return out.Item as T | undefined;
  }

  private async put(item: object): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item as Record<string, unknown> }));
  }
}
