import { parseOutcome, planQueries, rangeOf } from '../../../cli/audit-list';
import { computeStats, median } from '../../../cli/audit-stats';
import { UsageError } from '../../../cli/cli-errors';
import { AUDIT_TABLE, OUTCOMES } from '../../../functions/core/audit-schema';

const RANGE = { since: '2025-03-01T06:00:00.000Z', until: '2025-03-03T12:00:00.000Z' };

describe('audit list query plans (Query only, never a Scan)', () => {
  it('reads a cluster with one Query on byCluster between since and until~', () => {
    const plan = planQueries({ cluster: 'jobs' }, RANGE);
    expect(plan.queries).toEqual([
      {
        indexName: AUDIT_TABLE.indexes.byCluster.name,
        keyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
        values: { ':pk': 'CLUSTER#jobs', ':from': RANGE.since, ':to': `${RANGE.until}~` },
        newestFirst: true,
      },
    ]);
  });

  it('filters a cluster listing by family and outcome on top of the key condition', () => {
    const [query] = planQueries({ cluster: 'jobs', family: 'etl', outcome: 'GAVE_UP' }, RANGE).queries;
    expect(query?.filterExpression).toBe('#family = :family AND #outcome = :outcome');
    expect(query?.names).toEqual({ '#family': 'family', '#outcome': 'outcome' });
    expect(query?.values).toMatchObject({ ':family': 'etl', ':outcome': 'GAVE_UP', ':pk': 'CLUSTER#jobs' });
  });

  it('reads an outcome with one Query per UTC day on byOutcomeDay, newest day first', () => {
    const plan = planQueries({ outcome: 'GAVE_UP' }, RANGE);
    expect(plan.queries.map((q) => q.values[':pk'])).toEqual([
      'OUTCOME#GAVE_UP#2025-03-03',
      'OUTCOME#GAVE_UP#2025-03-02',
      'OUTCOME#GAVE_UP#2025-03-01',
    ]);
    for (const q of plan.queries) {
      expect(q.indexName).toBe('byOutcomeDay');
      expect(q.keyConditionExpression).toBe('gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to');
      expect(q.values[':from']).toBe(RANGE.since);
      expect(q.values[':to']).toBe(`${RANGE.until}~`);
    }
  });

  it('reads every outcome of every day when neither cluster nor outcome is given', () => {
    const plan = planQueries({ family: 'etl' }, RANGE);
    expect(plan.queries).toHaveLength(3 * OUTCOMES.length);
    expect(
      plan.queries.every(
        (q) => q.keyConditionExpression.length > 0 && q.filterExpression === '#family = :family',
      ),
    ).toBe(true);
  });

  it('counts a cluster as a filter on the outcome index for stats', () => {
    const plan = planQueries({ cluster: 'jobs' }, RANGE, false);
    expect(plan.queries).toHaveLength(3 * OUTCOMES.length);
    expect(plan.queries[0]?.filterExpression).toBe('#clusterName = :clusterName');
  });

  it('ties next-tokens to the filters, not to the time range', () => {
    expect(planQueries({ outcome: 'FAILED' }, RANGE).id).toBe(
      planQueries({ outcome: 'FAILED' }, { since: RANGE.since, until: '2025-03-04T00:00:00.000Z' }).id,
    );
    expect(planQueries({ outcome: 'FAILED' }, RANGE).id).not.toBe(
      planQueries({ outcome: 'GAVE_UP' }, RANGE).id,
    );
  });

  it('accepts outcomes in any case and with dashes', () => {
    expect(parseOutcome('gave-up')).toBe('GAVE_UP');
    expect(parseOutcome('Dry_Run')).toBe('DRY_RUN');
    expect(() => parseOutcome('LOST')).toThrow(/one of RELAUNCHED, SKIPPED/);
  });

  it('takes --day as one whole UTC day, exclusive of --since/--until', () => {
    expect(rangeOf({ day: '2025-03-02' }, Date.now())).toEqual({
      since: '2025-03-02T00:00:00.000Z',
      until: '2025-03-02T23:59:59.999Z',
    });
    expect(() => rangeOf({ day: '2025-03-02', since: '1d' }, Date.now())).toThrow(UsageError);
    expect(() => rangeOf({ day: 'monday' }, Date.now())).toThrow(/YYYY-MM-DD/);
  });
});

describe('audit stats', () => {
  const chain = (over: Record<string, unknown>) => ({
    type: 'CHAIN',
    outcome: 'RELAUNCHED',
    reasonCode: 'RELAUNCHED',
    clusterName: 'jobs',
    gsi2pk: 'OUTCOME#RELAUNCHED#2025-03-01',
    failedSubnets: ['subnet-a'],
    failedAvailabilityZones: ['eu-west-1a'],
    attempts: 1,
    recoveryLatencyMs: 4000,
    ...over,
  });

  it('counts by outcome, reason, cluster, day, subnet and AZ; recovery rate; median recovery', () => {
    const stats = computeStats(
      [
        chain({}),
        chain({ recoveryLatencyMs: 10_000, failedSubnets: ['subnet-a', 'subnet-b'] }),
        chain({
          outcome: 'GAVE_UP',
          reasonCode: 'MAX_ATTEMPTS_REACHED',
          attempts: 3,
          gsi2pk: 'OUTCOME#GAVE_UP#2025-03-02',
        }),
        chain({
          outcome: 'SKIPPED',
          reasonCode: 'ECS_SERVICE_TASK',
          clusterName: 'web',
          attempts: 0,
          failedSubnets: [],
        }),
        { type: 'REJECTED', reasonCode: 'INVALID_EVENT' },
      ],
      RANGE,
      {},
    );
    expect(stats.chains).toBe(4);
    expect(stats.rejectedEvents).toBe(1);
    expect(stats.byOutcome).toMatchObject({ RELAUNCHED: 2, GAVE_UP: 1, SKIPPED: 1, FAILED: 0 });
    expect(stats.byReason).toEqual({ RELAUNCHED: 2, MAX_ATTEMPTS_REACHED: 1, ECS_SERVICE_TASK: 1 });
    expect(stats.byCluster).toEqual({ jobs: 3, web: 1 });
    expect(stats.byDay).toEqual({ '2025-03-01': 3, '2025-03-02': 1 });
    expect(stats.byFailedSubnet).toEqual({ 'subnet-a': 3, 'subnet-b': 1 });
    expect(stats.byFailedAvailabilityZone).toEqual({ 'eu-west-1a': 4 });
    expect(stats.relaunchAttempts).toBe(5);
    expect(stats.recoveryRate).toBeCloseTo(2 / 3);
    expect(stats.medianRecoveryMs).toBe(7000);
  });

  it('has no recovery rate when nothing was acted on', () => {
    expect(computeStats([chain({ outcome: 'SKIPPED' })], RANGE, {}).recoveryRate).toBeNull();
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
  });
});
