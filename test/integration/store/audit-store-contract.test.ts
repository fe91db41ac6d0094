/**
 * One AuditStore contract, run against MemoryAuditStore and against DynamoAuditStore on dynalite
 * (real DynamoDBClient over HTTP), so the in-memory store used by replay and unit tests cannot
 * drift from the table. Then every acceptance case runs through the real handler on dynalite:
 * the cases must pass unchanged on a DynamoDB-compatible endpoint.
 */
import { DynamoAuditReader } from '../../../functions/adapters/dynamo-audit-reader';
import { DynamoAuditStore } from '../../../functions/adapters/dynamo-audit-store';
import { MemoryAuditStore } from '../../../functions/adapters/memory-audit-store';
import type {
  AttemptItem,
  ChainSummaryItem,
  LaunchRecordItem,
  TaskPointerItem,
} from '../../../functions/core/audit-items';
import { GSI_KEYS, PK, SK } from '../../../functions/core/audit-schema';
import type { AuditStore, ClaimResult } from '../../../functions/core/ports';
import { auditMismatches, loadCase, partialMismatches, runCase } from '../../support/case-harness';
import { createAuditTable, type LocalDynamo, startLocalDynamo } from '../../support/dynalite-table';
import { caseNames } from '../../support/fixtures';

const CONTRACT_TABLE = 'contract-audit';
const CASES_TABLE = 'cases-audit';
const LEASE_MS = 15 * 60_000;
const T0 = Date.parse('2025-03-04T02:04:10.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  await createAuditTable(dynamo.client, CONTRACT_TABLE);
  await createAuditTable(dynamo.client, CASES_TABLE);
});

afterAll(async () => {
  await dynamo?.stop();
});

let counter = 0;
/** A task ARN no other test uses (the DynamoDB table is shared by the whole file). */
function freshArn(): string {
  counter += 1;
  return `arn:aws:ecs:us-east-1:111122223333:task/contract/${counter.toString(16).padStart(32, '0')}`;
}

function claim(store: AuditStore, taskArn: string, claimant: string, nowMs: number): Promise<ClaimResult> {
  return store.claimTask({ taskArn, claimant, now: iso(nowMs), leaseMs: LEASE_MS, expiresAt: 2_000_000_000 });
}

function pointer(taskArn: string, rootTaskArn: string, attempt: number): TaskPointerItem {
  return {
    pk: PK.task(taskArn),
    sk: 'POINTER',
    type: 'POINTER',
    taskArn,
    rootTaskArn,
    attempt,
    expiresAt: 2_000_000_000,
  };
}

function attempt(rootTaskArn: string, n: number): AttemptItem {
  return {
    pk: PK.chain(rootTaskArn),
    sk: SK.attempt(n),
    type: 'ATTEMPT',
    rootTaskArn,
    originalTaskArn: rootTaskArn,
    attempt: n,
    clientToken: `token-${n}`,
    status: 'LAUNCH_FAILED',
    launchSource: 'LAUNCH_RECORD',
    request: { cluster: 'c', taskDefinition: 't:1', count: 1 },
    newTaskArn: null,
    requestedAt: iso(T0 + n),
    expiresAt: 2_000_000_000,
  };
}

function chain(rootTaskArn: string): ChainSummaryItem {
  const now = iso(T0);
  return {
    pk: PK.chain(rootTaskArn),
    sk: 'SUMMARY',
    type: 'CHAIN',
    rootTaskArn,
    clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/contract',
    clusterName: 'contract',
    family: 'job',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/job:3',
    group: 'family:job',
    outcome: 'RELAUNCHED',
    finalStatus: 'RELAUNCHED',
    reasonCode: 'RELAUNCHED',
    reasonMessage: 'relaunched',
    catalogId: 'E1',
    failureClass: 'TRANSIENT',
    firstStoppedReason: 'Timeout waiting for network interface provisioning to complete.',
    lastStoppedReason: 'Timeout waiting for network interface provisioning to complete.',
    attempts: 1,
    newTaskArns: ['arn:aws:ecs:us-east-1:111122223333:task/contract/new'],
    failedTaskArns: [rootTaskArn],
    failedSubnets: ['subnet-a'],
    failedAvailabilityZones: ['us-east-1b'],
    rootStoppedAt: now,
    createdAt: now,
    updatedAt: now,
    gsi1pk: GSI_KEYS.cluster('contract'),
    gsi1sk: GSI_KEYS.clusterSort(now, rootTaskArn),
    gsi2pk: GSI_KEYS.outcomeDay('RELAUNCHED', '2025-03-04'),
    gsi2sk: GSI_KEYS.outcomeSort(now, rootTaskArn),
    expiresAt: 2_000_000_000,
  };
}

const STORES: [string, () => AuditStore][] = [
  ['MemoryAuditStore', () => new MemoryAuditStore()],
  ['DynamoAuditStore on dynalite', () => new DynamoAuditStore(dynamo.client, CONTRACT_TABLE)],
];

describe.each(STORES)('AuditStore contract: %s', (_name, makeStore) => {
  let store: AuditStore;

  beforeEach(() => {
    store = makeStore();
  });

  describe('claimTask', () => {
    it('claims an unknown task as the root of a new chain', async () => {
      const arn = freshArn();
      const result = await claim(store, arn, 'event-a', T0);
      expect(result.kind).toBe('claimed');
      if (result.kind !== 'claimed') return;
      expect(result.reentered).toBe(false);
      expect(result.pointer).toMatchObject({
        taskArn: arn,
        rootTaskArn: arn,
        attempt: 0,
        claimedBy: 'event-a',
      });
      expect(await store.getPointer(arn)).toMatchObject({
        rootTaskArn: arn,
        attempt: 0,
        claimedBy: 'event-a',
        claimedAt: iso(T0),
      });
    });

    it('lets the same claimant re-enter its own claim (a retried invocation)', async () => {
      const arn = freshArn();
      await claim(store, arn, 'event-a', T0);
      const again = await claim(store, arn, 'event-a', T0 + 60_000);
      expect(again).toMatchObject({ kind: 'claimed', reentered: true });
    });

    it('answers busy to another claimant while the lease runs, up to and including its end', async () => {
      const arn = freshArn();
      await claim(store, arn, 'event-a', T0);
      expect((await claim(store, arn, 'event-b', T0 + 1)).kind).toBe('busy');
      const atEnd = await claim(store, arn, 'event-b', T0 + LEASE_MS);
      expect(atEnd.kind).toBe('busy');
      expect(atEnd.pointer.claimedBy).toBe('event-a');
    });

    it('lets another claimant take over once the lease expired', async () => {
      const arn = freshArn();
      await claim(store, arn, 'event-a', T0);
      const takeover = await claim(store, arn, 'event-b', T0 + LEASE_MS + 1);
      expect(takeover).toMatchObject({ kind: 'claimed', reentered: true });
      expect((await store.getPointer(arn))?.claimedBy).toBe('event-b');
      expect((await claim(store, arn, 'event-a', T0 + LEASE_MS + 2)).kind).toBe('busy');
    });

    it('answers done to everyone after completeTask, lease or not', async () => {
      const arn = freshArn();
      await claim(store, arn, 'event-a', T0);
      await store.completeTask(arn, 'RELAUNCHED', iso(T0 + 1_000));
      for (const [claimant, at] of [
        ['event-a', T0 + 2_000],
        ['event-b', T0 + 2_000],
        ['event-c', T0 + 10 * LEASE_MS],
      ] as const) {
        const result = await claim(store, arn, claimant, at);
        expect(result.kind).toBe('done');
        expect(result.pointer).toMatchObject({ outcome: 'RELAUNCHED', doneAt: iso(T0 + 1_000) });
      }
    });

    it("keeps a replacement's root and attempt when its failure is claimed", async () => {
      const root = freshArn();
      const replacement = freshArn();
      await store.putPointer(pointer(replacement, root, 2));
      const result = await claim(store, replacement, 'event-r', T0);
      expect(result).toMatchObject({ kind: 'claimed', reentered: false });
      expect(result.pointer).toMatchObject({ taskArn: replacement, rootTaskArn: root, attempt: 2 });
      expect(await store.getPointer(replacement)).toMatchObject({
        rootTaskArn: root,
        attempt: 2,
        claimedBy: 'event-r',
      });
    });
  });

  it('putPointer never overwrites an existing pointer', async () => {
    const arn = freshArn();
    const firstRoot = freshArn();
    await store.putPointer(pointer(arn, firstRoot, 1));
    await store.putPointer(pointer(arn, freshArn(), 3));
    expect(await store.getPointer(arn)).toMatchObject({ rootTaskArn: firstRoot, attempt: 1 });

    const claimed = freshArn();
    await claim(store, claimed, 'event-a', T0);
    await store.putPointer(pointer(claimed, freshArn(), 1));
    expect(await store.getPointer(claimed)).toMatchObject({ rootTaskArn: claimed, claimedBy: 'event-a' });
  });

  it('counts duplicate deliveries', async () => {
    const arn = freshArn();
    await claim(store, arn, 'event-a', T0);
    await store.completeTask(arn, 'SKIPPED', iso(T0));
    await store.countDuplicate(arn);
    await store.countDuplicate(arn);
    expect((await store.getPointer(arn))?.duplicateDeliveries).toBe(2);
  });

  it('hands out storm tokens up to the limit per scope and window', async () => {
    const scope = `scope-${freshArn().slice(-6)}`;
    const window = iso(T0);
    const taken: boolean[] = [];
    for (let i = 0; i < 5; i++) taken.push(await store.takeStormToken(scope, window, 3, 2_000_000_000));
    expect(taken).toEqual([true, true, true, false, false]);
    expect(await store.takeStormToken(scope, iso(T0 + 300_000), 3, 2_000_000_000)).toBe(true);
    expect(await store.takeStormToken(`${scope}-other`, window, 3, 2_000_000_000)).toBe(true);
  });

  it('returns the attempts of a chain sorted by attempt number, and only them', async () => {
    const root = freshArn();
    for (const n of [3, 1, 10, 2]) await store.putAttempt(attempt(root, n));
    await store.putAttempt(attempt(freshArn(), 4));
    await store.putChain(chain(root));
    await store.putFailure({
      pk: PK.chain(root),
      sk: SK.failure(0, root),
      type: 'FAILURE',
      rootTaskArn: root,
      originalTaskArn: root,
      attempt: 0,
      eventId: 'e',
      detailVersion: 4,
      stoppedReason: 'x',
      decision: 'RELAUNCH',
      reasonCode: 'RELAUNCHED',
      receivedAt: iso(T0),
      expiresAt: 2_000_000_000,
    });
    const attempts = await store.getAttempts(root);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 10]);
    expect(attempts[0]).toEqual(attempt(root, 1));
    expect(await store.getAttempts(freshArn())).toEqual([]);
  });

  it('overwrites an attempt with the same number (PENDING then LAUNCHED)', async () => {
    const root = freshArn();
    await store.putAttempt({ ...attempt(root, 1), status: 'PENDING' });
    await store.putAttempt({ ...attempt(root, 1), status: 'LAUNCHED', newTaskArn: 'arn:new' });
    const attempts = await store.getAttempts(root);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status: 'LAUNCHED', newTaskArn: 'arn:new' });
  });

  it('round-trips launch records', async () => {
    const arn = freshArn();
    const record: LaunchRecordItem = {
      pk: PK.launch(arn),
      sk: 'LAUNCH',
      type: 'LAUNCH',
      taskArn: arn,
      clusterArn: 'arn:aws:ecs:us-east-1:111122223333:cluster/contract',
      launch: {
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
          { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        ],
        platformVersion: 'LATEST',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-a', 'subnet-b'],
            securityGroups: ['sg-a'],
            assignPublicIp: 'ENABLED',
          },
        },
        tags: [{ key: 'team', value: '' }],
        propagateTags: 'TASK_DEFINITION',
        enableECSManagedTags: false,
        count: 3,
      },
      cloudTrailEventId: 'ct-1',
      callerArn: 'arn:aws:sts::111122223333:assumed-role/r/s',
      recordedAt: iso(T0),
      expiresAt: 2_000_000_000,
    };
    await store.putLaunchRecord(record);
    expect(await store.getLaunchRecord(arn)).toEqual(record);
    expect(await store.getLaunchRecord(freshArn())).toBeUndefined();
  });

  it('round-trips the chain summary and knows nothing of unknown chains', async () => {
    const root = freshArn();
    await store.putChain(chain(root));
    expect(await store.getChain(root)).toEqual(chain(root));
    expect(await store.getChain(freshArn())).toBeUndefined();
    expect(await store.getPointer(freshArn())).toBeUndefined();
  });
});

const ACTION_OF_OUTCOME: Record<string, string> = {
  RELAUNCHED: 'retry',
  SKIPPED: 'skip',
  GAVE_UP: 'give-up',
  FAILED: 'error',
  UNRESOLVED: 'error',
};

describe('acceptance cases on a DynamoDB-compatible endpoint (dynalite)', () => {
  it.each(caseNames())('%s ends as expected.json says', async (name) => {
    const files = loadCase(name);
    const expected = files.expected as {
      action: string;
      perEvent?: string[];
      expectedRunTaskAttempts?: number;
      runTaskMustInclude?: Record<string, unknown>;
      runTaskMustNotInclude?: string[];
      auditMustRecord?: Record<string, unknown>;
    };
    const store = new DynamoAuditStore(dynamo.client, CASES_TABLE);
    const run = await runCase(files, store);

    const reader = new DynamoAuditReader(dynamo.client, CASES_TABLE);
    const found = await reader.chainOf(run.rootTaskArn);
    expect(found).toBeDefined();
    const items = found?.items ?? [];
    const summary = items.find((i) => i.type === 'CHAIN');
    expect(ACTION_OF_OUTCOME[String(summary?.outcome)]).toBe(expected.action);
    expect((await reader.pointer(run.rootTaskArn))?.doneAt).toBeDefined();

    if (expected.perEvent) expect(run.results.map((r) => r.action)).toEqual(expected.perEvent);
    const requests = run.ecs.runTaskRequests;
    if (expected.expectedRunTaskAttempts !== undefined) {
      expect(new Set(requests.map((r) => r.clientToken)).size).toBe(expected.expectedRunTaskAttempts);
    }
    if (expected.runTaskMustInclude) {
      for (const request of requests)
        expect(partialMismatches(expected.runTaskMustInclude, request)).toEqual([]);
    }
    for (const key of expected.runTaskMustNotInclude ?? []) {
      for (const request of requests) expect(request).not.toHaveProperty(key);
    }
    if (expected.auditMustRecord) expect(auditMismatches(expected.auditMustRecord, items)).toEqual([]);
    expect(run.alerts.length > 0).toBe(['give-up', 'error'].includes(expected.action));
  });
});
