/**
 * Every case folder under test/fixtures/cases (same format as shared/cases) runs through the real
 * remediator handler and must do what its expected.json says. Add a case by dropping in a folder.
 */

import { MemoryAuditStore } from '../../functions/adapters/memory-audit-store';
import { PK } from '../../functions/core/audit-schema';
import { auditMismatches, loadCase, partialMismatches, runCase } from '../support/case-harness';
import { caseNames } from '../support/fixtures';

const ACTION_OF_OUTCOME: Record<string, string> = {
  RELAUNCHED: 'retry',
  SKIPPED: 'skip',
  GAVE_UP: 'give-up',
  FAILED: 'error',
  UNRESOLVED: 'error',
};

function distinctTokens(requests: Record<string, unknown>[]): string[] {
  return [...new Set(requests.map((r) => String(r.clientToken)))];
}

describe.each(caseNames())('acceptance %s', (name) => {
  const files = loadCase(name);
  const expected = files.expected as {
    action: string;
    runTaskMustInclude?: Record<string, unknown>;
    runTaskMustNotInclude?: string[];
    expectedRunTaskAttempts?: number;
    perEvent?: string[];
    minRetryDelaySeconds?: number;
    auditMustRecord?: Record<string, unknown>;
  };

  it(`ends with action "${expected.action}" and records it`, async () => {
    const store = new MemoryAuditStore();
    const run = await runCase(files, store);
    const pointer = await store.getPointer(run.rootTaskArn);
    expect(pointer?.doneAt).toBeDefined();
    const chain = await store.getChain(pointer?.rootTaskArn ?? run.rootTaskArn);
    expect(chain).toBeDefined();
    expect(ACTION_OF_OUTCOME[chain?.outcome ?? '']).toBe(expected.action);

    if (expected.perEvent) expect(run.results.map((r) => r.action)).toEqual(expected.perEvent);

    const requests = run.ecs.runTaskRequests;
    if (expected.expectedRunTaskAttempts !== undefined) {
      expect(distinctTokens(requests)).toHaveLength(expected.expectedRunTaskAttempts);
    }
    for (const token of distinctTokens(requests)) {
      expect(token.length).toBeLessThanOrEqual(64);
      expect(token).toMatch(/^[\x21-\x7e]+$/);
    }
    if (expected.runTaskMustInclude) {
      expect(requests.length).toBeGreaterThan(0);
      for (const request of requests)
        expect(partialMismatches(expected.runTaskMustInclude, request)).toEqual([]);
    }
    for (const key of expected.runTaskMustNotInclude ?? []) {
      for (const request of requests) expect(request).not.toHaveProperty(key);
    }
    if (expected.minRetryDelaySeconds !== undefined) {
      const firstCallAt = new Map<string, number>();
      for (const call of run.ecs.calls.filter((c) => c.operation === 'RunTask')) {
        const token = String(call.body.clientToken);
        if (!firstCallAt.has(token)) firstCallAt.set(token, call.at);
      }
      const times = [...firstCallAt.values()];
      for (let i = 1; i < times.length; i++) {
        expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(
          expected.minRetryDelaySeconds * 1000,
        );
      }
    }
    if (expected.auditMustRecord) {
      const items = store.query(PK.chain(chain?.rootTaskArn ?? ''));
      expect(auditMismatches(expected.auditMustRecord, items)).toEqual([]);
    }
    if (['give-up', 'error'].includes(expected.action)) {
      expect(run.alerts.length).toBeGreaterThan(0);
    } else {
      expect(run.alerts).toEqual([]);
    }
    // Secrets never land in the audit trail in clear.
    const everything = JSON.stringify([...store.items.values()]);
    for (const e of files.events) {
      const overrides = (
        e as { detail?: { overrides?: { containerOverrides?: { environment?: { value: string }[] }[] } } }
      ).detail?.overrides;
      for (const c of overrides?.containerOverrides ?? []) {
        for (const env of c.environment ?? []) expect(everything).not.toContain(`"${env.value}"`);
      }
    }
  });

  it('does nothing more when the same events are delivered again', async () => {
    const store = new MemoryAuditStore();
    const run = await runCase(files, store);
    const tokensBefore = distinctTokens(run.ecs.runTaskRequests);
    const tasksBefore = (await store.getChain(run.rootTaskArn))?.newTaskArns;
    const again = await run.replay();
    expect(again.every((r) => r.action === 'skip')).toBe(true);
    expect(distinctTokens(run.ecs.runTaskRequests)).toEqual(tokensBefore);
    expect((await store.getChain(run.rootTaskArn))?.newTaskArns).toEqual(tasksBefore);
  });

  if (files.events.length > 1) {
    it('starts no extra task when the events arrive concurrently', async () => {
      const store = new MemoryAuditStore();
      const run = await runCase(files, store, { concurrent: true });
      const launches = run.ecs.calls.filter((c) => c.operation === 'RunTask' && c.answered === 'scripted');
      const chainTasks = new Set(run.results.map((r) => r.newTaskArn).filter(Boolean));
      expect(chainTasks.size).toBeLessThanOrEqual(launches.length);
      expect(distinctTokens(run.ecs.runTaskRequests).length).toBeLessThanOrEqual(
        expected.expectedRunTaskAttempts ?? 1,
      );
    });
  }
});
