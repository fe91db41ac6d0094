/**
 * `audit list/show/stats` against dynalite seeded by the real remediator running every acceptance
 * case (RELAUNCHED, SKIPPED, GAVE_UP and FAILED chains), in-process with captured output.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PK, SK } from '../../../functions/core/audit-schema';
import { type CliRun, runCliCaptured, type SeededTable, seedAuditTable } from './seeded-audit-table';

let table: SeededTable;
let cli: (...argv: string[]) => Promise<CliRun>;

const root = (name: string) => table.runs.get(name)?.rootTaskArn ?? `missing ${name}`;

beforeAll(async () => {
  table = await seedAuditTable();
  cli = (...argv) => runCliCaptured(['--endpoint', table.db.endpoint, '--table', table.tableName, ...argv]);
});

afterAll(async () => {
  await table.stop();
});

interface ListJson {
  range: { since: string; until: string };
  items: Record<string, unknown>[];
  nextToken: string | null;
}

const listJson = (run: CliRun) => JSON.parse(run.out) as ListJson;

describe('audit list', () => {
  it('lists a cluster over a range (byCluster index)', async () => {
    const run = await cli(
      'audit',
      'list',
      '--cluster',
      'ingest',
      '--since',
      '2022-01-01',
      '--until',
      '2022-12-31',
    );
    expect(run.code).toBe(0);
    expect(run.out).toContain(root('case-07'));
    expect(run.out).toContain('GAVE_UP');
    expect(run.out).toContain('MAX_ATTEMPTS_REACHED');
    expect(run.out).toContain('feed-puller');
  });

  it('lists what gave up on a day (byOutcomeDay index), as JSON', async () => {
    const run = await cli('audit', 'list', '--outcome', 'GAVE_UP', '--day', '2022-03-04', '--json');
    expect(run.code).toBe(0);
    const { items, nextToken } = listJson(run);
    expect(items.map((i) => i.rootTaskArn)).toEqual([root('case-07')]);
    expect(items[0]).toMatchObject({ type: 'CHAIN', outcome: 'GAVE_UP', attempts: 3, clusterName: 'ingest' });
    expect(nextToken).toBeNull();
  });

  it('finds the FAILED chain, and nothing outside the range', async () => {
    const failed = listJson(
      await cli('audit', 'list', '--outcome', 'failed', '--day', '2020-12-15', '--json'),
    );
    expect(failed.items.map((i) => i.rootTaskArn)).toEqual([root('case-12')]);
    const before = listJson(
      await cli('audit', 'list', '--outcome', 'FAILED', '--day', '2020-12-14', '--json'),
    );
    expect(before.items).toEqual([]);
  });

  it('lists every outcome of a range, newest day first, and pages through it with --next-token', async () => {
    const range = ['--since', '2025-02-17', '--until', '2025-03-20'];
    const all = listJson(await cli('audit', 'list', ...range, '--json'));
    expect(all.items.map((i) => i.rootTaskArn)).toEqual([root('case-10'), root('case-02'), root('case-01')]);
    expect(all.items.map((i) => i.outcome)).toEqual(['RELAUNCHED', 'RELAUNCHED', 'RELAUNCHED']);
    const skipped = listJson(await cli('audit', 'list', '--day', '2025-05-06', '--json'));
    expect(skipped.items.map((i) => [i.rootTaskArn, i.outcome])).toEqual([[root('case-05'), 'SKIPPED']]);

    const paged: unknown[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const run = await cli(
        'audit',
        'list',
        ...range,
        '--limit',
        '1',
        '--json',
        ...(token ? ['--next-token', token] : []),
      );
      expect(run.code).toBe(0);
      const page = listJson(run);
      expect(page.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.items.map((i) => i.rootTaskArn));
      token = page.nextToken;
      pages += 1;
    } while (token && pages < 50);
    expect(paged).toEqual(all.items.map((i) => i.rootTaskArn));
  });

  it('refuses a next-token with other filters', async () => {
    const first = listJson(
      await cli('audit', 'list', '--since', '2025-02-17', '--until', '2025-03-01', '--limit', '1', '--json'),
    );
    expect(first.nextToken).toEqual(expect.any(String));
    const run = await cli('audit', 'list', '--outcome', 'GAVE_UP', '--next-token', String(first.nextToken));
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/another listing/);
  });

  it('filters by family on top of the index', async () => {
    const run = await cli(
      'audit',
      'list',
      '--family',
      'invoice-etl',
      '--since',
      '2025-02-28',
      '--until',
      '2025-03-02',
      '--json',
    );
    expect(listJson(run).items.map((i) => i.rootTaskArn)).toEqual([root('case-02')]);
  });

  it('prints CSV for scripts', async () => {
    const run = await cli(
      'audit',
      'list',
      '--cluster',
      'ingest',
      '--since',
      '2022-03-04',
      '--until',
      '2022-03-05',
      '--csv',
    );
    const lines = run.out.trim().split('\n');
    expect(lines[0]).toBe(
      'time,type,outcome,reasonCode,clusterName,family,attempts,recoveryLatencyMs,rootTaskArn,reasonMessage,eventId',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`,CHAIN,GAVE_UP,MAX_ATTEMPTS_REACHED,ingest,feed-puller,3,`);
  });

  it('says so when the range holds nothing', async () => {
    const run = await cli('audit', 'list', '--since', '2019-01-01', '--until', '2019-01-02');
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/nothing recorded from 2019-01-01/);
  });
});

describe('audit show', () => {
  it('shows a chain that gave up as a timeline: failures, attempts, events, outcome', async () => {
    const run = await cli('audit', 'show', root('case-07'));
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Chain ${root('case-07')}`);
    expect(run.out).toMatch(/outcome\s+GAVE_UP \(MAX_ATTEMPTS_REACHED\)/);
    for (const n of [1, 2, 3]) expect(run.out).toContain(`attempt ${n} LAUNCHED`);
    expect(run.out).toContain('Timeout waiting for network interface provisioning to complete.');
    expect(run.out).toContain('clientToken eni-r0');
    expect(run.out).toMatch(/latency [\d.]+ s after the stop/);
  });

  it('finds the same chain from a replacement task, ordered by time', async () => {
    const byRoot = JSON.parse((await cli('audit', 'show', root('case-07'), '--json')).out) as {
      rootTaskArn: string;
      chain: { newTaskArns: string[] };
      failures: unknown[];
      attempts: unknown[];
      timeline: { time: string; step: string }[];
    };
    expect(byRoot.failures).toHaveLength(4);
    expect(byRoot.attempts).toHaveLength(3);
    const replacement = byRoot.chain.newTaskArns[1] ?? '';
    const run = await cli('audit', 'show', replacement, '--json');
    expect(run.code).toBe(0);
    const byReplacement = JSON.parse(run.out) as typeof byRoot & { taskArn: string };
    expect(byReplacement.taskArn).toBe(replacement);
    expect(byReplacement.rootTaskArn).toBe(root('case-07'));
    const times = byReplacement.timeline.map((e) => e.time);
    expect([...times].sort()).toEqual(times);
    expect(byReplacement.timeline.at(-1)?.step).toBe('OUTCOME');
  });

  it('shows duplicate deliveries in the event log', async () => {
    const run = await cli('audit', 'show', root('case-06'));
    expect(run.code).toBe(0);
    expect(run.out).toContain('DUPLICATE (DUPLICATE_EVENT) (duplicate delivery)');
    expect(run.out).toContain('IGNORED (NOT_STOPPED)');
    expect(run.out).toMatch(/duplicates\s+1 duplicate deliver/);
  });

  it('shows a skipped chain with its reason', async () => {
    const run = await cli('audit', 'show', root('case-05'));
    expect(run.out).toMatch(/outcome\s+SKIPPED \(ECS_SERVICE_TASK\)/);
  });

  it('shows the events of a task that was never claimed', async () => {
    const taskArn = 'arn:aws:ecs:us-east-1:111122223333:task/jobs/00000000000000000000000000000001';
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: PK.task(taskArn) },
          sk: { S: SK.event(2, 'evt-1', '2025-01-01T00:00:00.000Z') },
          type: { S: 'EVENT' },
          taskArn: { S: taskArn },
          eventId: { S: 'evt-1' },
          detailVersion: { N: '2' },
          lastStatus: { S: 'DEPROVISIONING' },
          decision: { S: 'IGNORED' },
          reasonCode: { S: 'NOT_STOPPED' },
          receivedAt: { S: '2025-01-01T00:00:00.000Z' },
        },
      }),
    );
    const run = await cli('audit', 'show', taskArn);
    expect(run.code).toBe(0);
    expect(run.out).toContain('none was its final STOPPED event');
    expect(run.out).toContain('evt-1');
  });

  it('exits 3 for an unknown task and says what to check', async () => {
    const run = await cli(
      'audit',
      'show',
      'arn:aws:ecs:us-east-1:111122223333:task/jobs/ffffffffffffffffffffffffffffffff',
    );
    expect(run.code).toBe(3);
    expect(run.err).toMatch(/is not in audit table eni-remediator-audit/);
    expect(run.err).toMatch(/--region\/--profile and --table\/--stack/);
  });

  it('exits 3 when the table does not exist', async () => {
    const run = await runCliCaptured([
      '--endpoint',
      table.db.endpoint,
      '--table',
      'no-such-table',
      'audit',
      'list',
    ]);
    expect(run.code).toBe(3);
    expect(run.err).toMatch(/audit table not found \(table no-such-table/);
  });
});

describe('audit stats', () => {
  it('counts a range by outcome, reason, cluster, day and failed subnet/AZ', async () => {
    const run = await cli('audit', 'stats', '--since', '2025-02-17', '--until', '2025-03-20', '--json');
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.out) as Record<string, unknown> & {
      byOutcome: Record<string, number>;
      byDay: Record<string, number>;
      byFailedSubnet: Record<string, number>;
      medianRecoveryMs: number;
    };
    expect(stats.chains).toBe(3);
    expect(stats.byOutcome).toMatchObject({ RELAUNCHED: 3, SKIPPED: 0, GAVE_UP: 0, FAILED: 0 });
    expect(stats.byReason).toEqual({ RELAUNCHED: 3 });
    expect(stats.byCluster).toEqual({ loadgen: 1, 'etl-batch': 1, media: 1 });
    expect(Object.keys(stats.byDay)).toEqual(['2025-02-17', '2025-03-01', '2025-03-20']);
    expect(Object.values(stats.byFailedSubnet).reduce((a, b) => a + b, 0)).toBe(3);
    expect(stats.recoveryRate).toBe(1);
    expect(stats.medianRecoveryMs).toBeGreaterThan(0);
  });

  it('counts skips without counting them against the recovery rate', async () => {
    const stats = JSON.parse((await cli('audit', 'stats', '--day', '2025-05-06', '--json')).out) as Record<
      string,
      unknown
    >;
    expect(stats).toMatchObject({ chains: 1, byReason: { ECS_SERVICE_TASK: 1 }, recoveryRate: null });
  });

  it('computes the recovery rate over give-ups and failures', async () => {
    const run = await cli('audit', 'stats', '--since', '2022-03-01', '--until', '2022-03-31', '--json');
    const stats = JSON.parse(run.out) as { chains: number; recoveryRate: number; relaunchAttempts: number };
    expect(stats).toMatchObject({ chains: 1, recoveryRate: 0, relaunchAttempts: 3 });
  });

  it('prints tables on a terminal and CSV for scripts', async () => {
    const range = ['--since', '2025-03-15', '--until', '2025-03-25', '--cluster', 'media'];
    const text = await cli('audit', 'stats', ...range);
    expect(text.out).toContain('recovery rate');
    expect(text.out).toContain('100.0%');
    const csv = (await cli('audit', 'stats', ...range, '--csv')).out.trim().split('\n');
    expect(csv[0]).toBe('dimension,key,count');
    expect(csv).toContain('summary,chains,1');
    expect(csv).toContain('byCluster,media,1');
  });
});
