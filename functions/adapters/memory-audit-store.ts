/**
 * AuditStore in memory, with the same conditional semantics as the DynamoDB store (a contract
 * test runs both). Used by `replay` (dry-run decisions without any table) and by unit tests.
 */
import type {
  AttemptItem,
  AuditItem,
  ChainSummaryItem,
  EventLogItem,
  FailureItem,
  LaunchRecordItem,
  RejectedEventItem,
  TaskPointerItem,
} from '../core/audit-items';
import { type Outcome, PK, SK } from '../core/audit-schema';
import type { AuditStore, ClaimRequest, ClaimResult } from '../core/ports';

export class MemoryAuditStore implements AuditStore {
  /** Every item by `pk|sk`, as the table would hold it. */
  readonly items = new Map<string, Record<string, unknown>>();

  private key(pk: string, sk: string): string {
    return `${pk}|${sk}`;
  }

  private getItem<T>(pk: string, sk: string): T | undefined {
    const item = this.items.get(this.key(pk, sk));
    return item ? (structuredClone(item) as T) : undefined;
  }

  private putItem(item: AuditItem | Record<string, unknown>): void {
    const record = structuredClone(item) as Record<string, unknown>;
    this.items.set(this.key(String(record.pk), String(record.sk)), record);
  }

  /** All items of a partition, sorted by sort key (a Query). */
  query(pk: string, skPrefix = ''): Record<string, unknown>[] {
    return [...this.items.values()]
      .filter((i) => i.pk === pk && String(i.sk).startsWith(skPrefix))
      .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
      .map((i) => structuredClone(i));
  }

  async claimTask(req: ClaimRequest): Promise<ClaimResult> {
    const existing = this.getItem<TaskPointerItem>(PK.task(req.taskArn), SK.pointer);
    const cutoff = new Date(Date.parse(req.now) - req.leaseMs).toISOString();
    const free =
      !existing?.claimedAt ||
      (!existing.doneAt && (existing.claimedBy === req.claimant || existing.claimedAt < cutoff));
    if (!free && existing)
      return existing.doneAt ? { kind: 'done', pointer: existing } : { kind: 'busy', pointer: existing };
    const pointer: TaskPointerItem = {
      pk: PK.task(req.taskArn),
      sk: 'POINTER',
      type: 'POINTER',
      taskArn: req.taskArn,
      rootTaskArn: existing?.rootTaskArn ?? req.taskArn,
      attempt: existing?.attempt ?? 0,
      claimedAt: req.now,
      claimedBy: req.claimant,
      expiresAt: existing?.expiresAt ?? req.expiresAt,
      ...(existing?.duplicateDeliveries ? { duplicateDeliveries: existing.duplicateDeliveries } : {}),
    };
    this.putItem(pointer);
    return { kind: 'claimed', pointer, reentered: existing?.claimedAt !== undefined };
  }

  async completeTask(taskArn: string, outcome: Outcome, now: string): Promise<void> {
    const p = this.getItem<TaskPointerItem>(PK.task(taskArn), SK.pointer);
    if (p) this.putItem({ ...p, doneAt: now, outcome });
  }

  async countDuplicate(taskArn: string): Promise<void> {
    const p = this.getItem<TaskPointerItem>(PK.task(taskArn), SK.pointer);
    if (p) this.putItem({ ...p, duplicateDeliveries: (p.duplicateDeliveries ?? 0) + 1 });
  }

  async putPointer(pointer: TaskPointerItem): Promise<void> {
    if (!this.items.has(this.key(pointer.pk, pointer.sk))) this.putItem(pointer);
  }

  async getPointer(taskArn: string): Promise<TaskPointerItem | undefined> {
    return this.getItem(PK.task(taskArn), SK.pointer);
  }

  async getChain(rootTaskArn: string): Promise<ChainSummaryItem | undefined> {
    return this.getItem(PK.chain(rootTaskArn), SK.summary);
  }

  async putChain(summary: ChainSummaryItem): Promise<void> {
    this.putItem(summary);
  }

  async getAttempts(rootTaskArn: string): Promise<AttemptItem[]> {
    return (this.query(PK.chain(rootTaskArn), 'ATTEMPT#') as unknown as AttemptItem[]).sort(
      (a, b) => a.attempt - b.attempt,
    );
  }

  async putAttempt(attempt: AttemptItem): Promise<void> {
    this.putItem(attempt);
  }

  async putFailure(failure: FailureItem): Promise<void> {
    this.putItem(failure);
  }

  async putEventLog(entry: EventLogItem): Promise<void> {
    this.putItem(entry);
  }

  async putRejected(entry: RejectedEventItem): Promise<void> {
    this.putItem(entry);
  }

  async getLaunchRecord(taskArn: string): Promise<LaunchRecordItem | undefined> {
    return this.getItem(PK.launch(taskArn), SK.launch);
  }

  async putLaunchRecord(record: LaunchRecordItem): Promise<void> {
    this.putItem(record);
  }

  async takeStormToken(
    scope: string,
    windowStart: string,
    limit: number,
    expiresAt: number,
  ): Promise<boolean> {
    const item = this.getItem<{ relaunches?: number }>(PK.storm(scope), windowStart);
    const count = item?.relaunches ?? 0;
    if (count >= limit) return false;
    this.putItem({ pk: PK.storm(scope), sk: windowStart, relaunches: count + 1, expiresAt });
    return true;
  }
}
