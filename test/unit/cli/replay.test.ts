import { colorsFor } from '../../../cli/output';
import {
  formatReplay,
  parseNetworkDefaults,
  REFUSING_LAUNCHER,
  replayEvents,
  seedLaunchRecords,
  stopTimeOf,
} from '../../../cli/replay';
import { InputError, type InputRecord } from '../../../cli/replay-input';
import { MemoryAuditStore } from '../../../functions/adapters/memory-audit-store';
import type { RecordedLaunch } from '../../../functions/core/audit-items';
import { cloudTrailRunTaskEvent } from '../../support/case-harness';
import { loadJson } from '../../support/fixtures';

type Envelope = { id: string; time: string; detail: { taskArn: string; stoppedAt?: string } };

const records = (events: unknown[], name = 'events.json'): InputRecord[] =>
  events.map((value, i) => ({ source: `${name}[${i}]`, value }));
const event = (name: string) => loadJson<Envelope>('cases', name, 'event.json');
const launchOf = (name: string) =>
  loadJson<{ originalLaunch: RecordedLaunch }>('cases', name, 'context.json').originalLaunch;

function cloudTrailFor(name: string): InputRecord {
  const e = event(name);
  return {
    source: 'trail.json[0]',
    value: cloudTrailRunTaskEvent(launchOf(name), e.detail.taskArn, Date.parse(e.time)),
  };
}

const NO_COLOR = colorsFor({ isTTY: false, env: {} } as never);

describe('replay', () => {
  it('prints the RunTask request it would send, environment values as digests, and sends nothing', async () => {
    const store = new MemoryAuditStore();
    const [row] = await replayEvents(records([event('case-01')]), store, {
      launchRecords: [cloudTrailFor('case-01')],
    });
    expect(row).toMatchObject({
      decision: 'would relaunch',
      action: 'dry-run',
      outcome: 'DRY_RUN',
      reasonCode: 'DRY_RUN',
      attempt: 1,
      launchSource: 'LAUNCH_RECORD',
      eventId: event('case-01').id,
      taskArn: event('case-01').detail.taskArn,
      alert: false,
    });
    const request = row?.request as {
      cluster: string;
      count: number;
      networkConfiguration: { awsvpcConfiguration: { subnets: string[]; securityGroups: string[] } };
      overrides: { containerOverrides: { environment?: { name: string; value: string }[] }[] };
    };
    expect(request.cluster).toBe('arn:aws:ecs:us-east-1:111122223333:cluster/loadgen');
    expect(request.count).toBe(1);
    expect(request.networkConfiguration.awsvpcConfiguration.securityGroups).toEqual(['sg-2aebeb27396c0ec57']);
    const env = request.overrides.containerOverrides.flatMap((c) => c.environment ?? []);
    expect(env.map((e) => e.name)).toEqual(['TEST_ID', 'WORKER_INDEX']);
    for (const e of env) expect(e.value).toMatch(/^\[redacted, \d+ chars\]$/);
    expect(JSON.stringify(row)).not.toContain('lt-8e7d023f');
    const text = formatReplay(
      [row].filter((r) => r !== undefined),
      'table',
      NO_COLOR,
    );
    expect(text).toContain('would relaunch (attempt 1, parameters from LAUNCH_RECORD)');
    expect(text).toContain('"clientToken"');
  });

  it('says unresolved (and would alert) without a launch record, as production would', async () => {
    const [row] = await replayEvents(records([event('case-01')]), new MemoryAuditStore());
    expect(row).toMatchObject({ decision: 'unresolved', reasonCode: 'NO_LAUNCH_RECORD', alert: true });
    expect(row?.request).toBeUndefined();
  });

  it('uses --network-defaults when no launch record exists', async () => {
    const networkDefaults = parseNetworkDefaults(
      '{"*": {"subnets": ["subnet-a", "subnet-b"], "securityGroups": ["sg-x"]}}',
    );
    const [row] = await replayEvents(records([event('case-01')]), new MemoryAuditStore(), {
      networkDefaults,
    });
    expect(row).toMatchObject({ decision: 'would relaunch', launchSource: 'NETWORK_DEFAULTS' });
    expect(JSON.stringify(row?.request)).toContain('"securityGroups":["sg-x"]');
  });

  it('decides a sequence with its duplicates like the remediator does', async () => {
    const events = loadJson<Envelope[]>('cases', 'case-06', 'events.json');
    const trail = cloudTrailRunTaskEvent(
      launchOf('case-06'),
      events[0]?.detail.taskArn ?? '',
      Date.parse(events[0]?.time ?? ''),
    );
    const rows = await replayEvents(records(events), new MemoryAuditStore(), {
      launchRecords: [{ source: 'trail', value: trail }],
    });
    expect(rows.map((r) => [r.decision, r.reasonCode])).toEqual([
      ['would relaunch', 'DRY_RUN'],
      ['skip', 'NOT_STOPPED'],
      ['skip', 'DUPLICATE_EVENT'],
    ]);
  });

  it('skips what is not ours with the reason, and rejects what is not a task state change', async () => {
    const rows = await replayEvents(records([event('case-05'), { hello: 'world' }]), new MemoryAuditStore());
    expect(rows[0]).toMatchObject({ decision: 'skip', reasonCode: 'ECS_SERVICE_TASK' });
    expect(rows[1]).toMatchObject({ decision: 'skip', reasonCode: 'INVALID_EVENT' });
    expect(rows[1]?.message).toMatch(/detail-type|id/);
  });

  it('judges old exports at their stop time, or against the real time with --now', async () => {
    const e = event('case-01');
    expect(stopTimeOf(e)).toBe(Date.parse(e.detail.stoppedAt ?? ''));
    const [late] = await replayEvents(records([e]), new MemoryAuditStore(), {
      launchRecords: [cloudTrailFor('case-01')],
      now: () => Date.parse('2030-01-01T00:00:00Z'),
    });
    expect(late).toMatchObject({ decision: 'give up', reasonCode: 'TOO_LATE', alert: true });
  });

  it('seeds launch records from trail records and from launch record items', async () => {
    const store = new MemoryAuditStore();
    const envelope = cloudTrailFor('case-01').value as { detail: Record<string, unknown> };
    const item = { taskArn: event('case-02').detail.taskArn, launch: launchOf('case-02') };
    const seeded = await seedLaunchRecords(
      store,
      [
        {
          source: 'trail.json Records[0]',
          value: { ...envelope.detail, recipientAccountId: '111122223333' },
        },
        { source: 'records.json[0]', value: item },
      ],
      Date.now(),
    );
    expect(seeded).toBe(2);
    expect(await store.getLaunchRecord(event('case-01').detail.taskArn)).toBeDefined();
    expect(await store.getLaunchRecord(event('case-02').detail.taskArn)).toBeDefined();
    await expect(
      seedLaunchRecords(store, [{ source: 'x.json', value: { foo: 1 } }], Date.now()),
    ).rejects.toThrow(/x\.json: not a launch record/);
  });

  it('refuses bad --network-defaults with the rule it broke', () => {
    expect(() => parseNetworkDefaults('{"*": {"subnets": []}}')).toThrow(InputError);
    expect(() => parseNetworkDefaults('not json')).toThrow(/--network-defaults: expected JSON/);
  });

  it('has a launcher that refuses every call', async () => {
    await expect(REFUSING_LAUNCHER.runTask({} as never)).rejects.toThrow(/never call RunTask/);
  });

  it('prints CSV and JSON for scripts', async () => {
    const rows = await replayEvents(records([event('case-01'), event('case-05')]), new MemoryAuditStore(), {
      launchRecords: [cloudTrailFor('case-01')],
    });
    const csv = formatReplay(rows, 'csv', NO_COLOR).trim().split('\n');
    expect(csv[0]).toBe(
      'index,source,eventId,taskArn,decision,outcome,reasonCode,message,attempt,alert,launchSource,request',
    );
    expect(csv).toHaveLength(3);
    const json = JSON.parse(formatReplay(rows, 'json', NO_COLOR)) as { decision: string }[];
    expect(json.map((r) => r.decision)).toEqual(['would relaunch', 'skip']);
  });
});
