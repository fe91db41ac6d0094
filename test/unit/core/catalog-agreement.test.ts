/**
 * The rule pattern and the Lambda's classifier are generated from one catalog; this proves they
 * agree on every catalog example, every near-miss, every bundled event and every case event,
 * using the sandbox's EventBridge matcher.
 */
import {
  buildEniFailurePattern,
  classifyReason,
  EVENT_PATTERN_MAX_LENGTH,
  FAILURE_CATALOG,
  NEAR_MISS_REASONS,
} from '../../../functions/core/catalog';
import { matchesPattern } from '../../../sandbox/event-pattern';
import { caseNames, eventFileNames, fixtureExists, loadJson } from '../../support/fixtures';

type Envelope = { detail: Record<string, unknown> };
const pattern = buildEniFailurePattern();

/** What the Lambda would treat as an ENI start failure of a non-service task. */
function classifierSays(event: Envelope): boolean {
  const d = event.detail;
  return (
    d.lastStatus === 'STOPPED' &&
    d.stopCode === 'TaskFailedToStart' &&
    !String(d.group ?? '').startsWith('service:') &&
    classifyReason(d.stoppedReason as string | undefined).matched
  );
}

function withReason(reason: string): Envelope {
  const event = loadJson<Envelope>('events', 'eni-timeout-standalone.json');
  event.detail.stoppedReason = reason;
  return event;
}

describe('rule pattern and classifier', () => {
  it('stay under the EventBridge pattern length limit', () => {
    expect(JSON.stringify(pattern).length).toBeLessThan(EVENT_PATTERN_MAX_LENGTH);
  });

  it.each(FAILURE_CATALOG.flatMap((e) => e.examples.map((x) => [e.id, x] as const)))(
    'both match catalog example %s: %s',
    (id, reason) => {
      const c = classifyReason(reason);
      expect(c.matched && c.entry.id).toBe(id);
      expect(matchesPattern(pattern, withReason(reason))).toBe(true);
    },
  );

  it.each(NEAR_MISS_REASONS.map((r) => [r]))('both reject near-miss "%s"', (reason) => {
    expect(classifyReason(reason).matched).toBe(false);
    expect(matchesPattern(pattern, withReason(reason))).toBe(false);
  });

  it.each(eventFileNames().map((f) => [f]))('agree on bundled event %s', (file) => {
    const event = loadJson<Envelope>('events', file);
    expect(matchesPattern(pattern, event)).toBe(classifierSays(event));
  });

  it('agree on a DEPROVISIONING copy (neither acts on it)', () => {
    const event = loadJson<Envelope>('events', 'eni-timeout-standalone.json');
    event.detail.lastStatus = 'DEPROVISIONING';
    expect(matchesPattern(pattern, event)).toBe(false);
    expect(classifierSays(event)).toBe(false);
  });

  const caseEvents = caseNames().flatMap((name) => {
    const events = fixtureExists('cases', name, 'events.json')
      ? loadJson<Envelope[]>('cases', name, 'events.json')
      : [loadJson<Envelope>('cases', name, 'event.json')];
    return events.map((e, i) => [`${name}#${i}`, e] as const);
  });
  it.each(caseEvents)('agree on case event %s', (_name, event) => {
    expect(matchesPattern(pattern, event)).toBe(classifierSays(event));
  });

  it('match the case-03 event that the naive wildcard pattern misses', () => {
    const event = loadJson<Envelope>('cases', 'case-03', 'event.json');
    const naive = loadJson<Record<string, unknown>>('cases', 'case-03', 'counterexample-pattern.json');
    delete naive._comment;
    expect(matchesPattern(naive, event)).toBe(false);
    expect(matchesPattern(pattern, event)).toBe(true);
  });
});
