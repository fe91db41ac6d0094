import {
  buildEniFailurePattern,
  catalogEntry,
  classifyReason,
  EVENT_PATTERN_MAX_LENGTH,
  FAILURE_CATALOG,
  NEAR_MISS_REASONS,
} from '../../../functions/core/catalog';
import { loadJson } from '../../support/fixtures';

const NEAR_MISS_FIXTURES = [
  'near-miss-cannot-pull-container',
  'near-miss-essential-container-exited',
  'near-miss-resourceinit-secrets-network',
];

function fixtureReason(name: string): string {
  const event = loadJson<{ detail: { stoppedReason: string } }>('events', `${name}.json`);
  return event.detail.stoppedReason;
}

const examples = FAILURE_CATALOG.flatMap((entry) => entry.examples.map((text) => ({ id: entry.id, text })));

describe('failure catalog', () => {
  it('has unique ids and at least one example per entry', () => {
    const ids = FAILURE_CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of FAILURE_CATALOG) expect(entry.examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('classifies the $id example "$text" to entry $id', ({ id, text }) => {
    const result = classifyReason(text);
    expect(result.matched).toBe(true);
    if (result.matched) expect(result.entry.id).toBe(id);
  });

  it.each([...NEAR_MISS_REASONS])('does not match the near-miss reason %j', (reason) => {
    expect(classifyReason(reason)).toEqual({ matched: false });
  });

  it.each(NEAR_MISS_FIXTURES)('does not match the stoppedReason of fixture %s', (name) => {
    expect(classifyReason(fixtureReason(name))).toEqual({ matched: false });
  });

  it('never matches a missing reason', () => {
    expect(classifyReason(undefined)).toEqual({ matched: false });
  });

  it.each([
    'NETWORK INTERFACE PROVISION COMPLETE ERROR timeout wait for network interface provision.',
    'network Interface Provision Complete Error',
    'Network interface provision complete error timeout wait for network interface provision',
  ])('matches the E2 wording regardless of case: %j', (text) => {
    const result = classifyReason(text);
    expect(result.matched && result.entry.id).toBe('E2');
  });

  it('matches E1 case-sensitively, like the EventBridge prefix it is generated into', () => {
    expect(classifyReason('timeout waiting for network interface provisioning to complete.').matched).toBe(
      false,
    );
  });

  it('classes the ENI families as the reference does (E7 subnet capacity, E9 permanent)', () => {
    expect(catalogEntry('E1')?.class).toBe('TRANSIENT');
    expect(catalogEntry('E2')?.class).toBe('TRANSIENT');
    expect(catalogEntry('E6')?.class).toBe('SUBNET_CAPACITY');
    expect(catalogEntry('E7')?.class).toBe('SUBNET_CAPACITY');
    expect(catalogEntry('E9')?.class).toBe('PERMANENT');
    expect(catalogEntry('E404')).toBeUndefined();
  });

  it('does not treat the secrets/logging ResourceInitializationError texts as the ENI one (E5)', () => {
    const secrets =
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed';
    expect(classifyReason(secrets).matched).toBe(false);
    const eni = classifyReason(
      'ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message',
    );
    expect(eni.matched && eni.entry.id).toBe('E5');
  });
});

describe('buildEniFailurePattern', () => {
  const pattern = buildEniFailurePattern() as {
    source: string[];
    'detail-type': string[];
    detail: {
      lastStatus: string[];
      stopCode: string[];
      group: unknown[];
      stoppedReason: { prefix: string | { 'equals-ignore-case': string } }[];
    };
  };

  it(`fits EventBridge's pattern limit (${EVENT_PATTERN_MAX_LENGTH} characters minified)`, () => {
    expect(JSON.stringify(pattern).length).toBeLessThan(EVENT_PATTERN_MAX_LENGTH);
    expect(EVENT_PATTERN_MAX_LENGTH).toBe(4096);
  });

  it('requires an ECS task state change with lastStatus STOPPED and stopCode TaskFailedToStart', () => {
    expect(pattern.source).toEqual(['aws.ecs']);
    expect(pattern['detail-type']).toEqual(['ECS Task State Change']);
    expect(pattern.detail.lastStatus).toEqual(['STOPPED']);
    expect(pattern.detail.stopCode).toEqual(['TaskFailedToStart']);
  });

  it('excludes ECS service tasks with anything-but prefix service:', () => {
    expect(pattern.detail.group).toEqual([{ 'anything-but': { prefix: 'service:' } }]);
  });

  it('has exactly one stoppedReason entry per catalog entry, in catalog order, with the same matcher', () => {
    expect(pattern.detail.stoppedReason).toHaveLength(FAILURE_CATALOG.length);
    FAILURE_CATALOG.forEach((entry, i) => {
      const expected =
        entry.matcher.kind === 'prefix'
          ? { prefix: entry.matcher.value }
          : { prefix: { 'equals-ignore-case': entry.matcher.value } };
      expect(pattern.detail.stoppedReason[i]).toEqual(expected);
    });
  });

  it('uses a case-insensitive prefix for E2 only where the catalog says casing varies', () => {
    const ignoreCase = pattern.detail.stoppedReason.filter((r) => typeof r.prefix === 'object');
    expect(ignoreCase).toEqual([
      { prefix: { 'equals-ignore-case': 'network interface provision complete error' } },
    ]);
  });
});
