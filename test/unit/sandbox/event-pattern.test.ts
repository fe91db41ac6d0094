import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildEniFailurePattern, buildRunTaskCloudTrailPattern } from '../../../functions/core/catalog';
import {
  type EventPattern,
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../../sandbox/event-pattern';

const ROOT = resolve(__dirname, '../../..');
const EVENTS_DIR = join(ROOT, 'test/fixtures/events');
/** Copied from shared/cases into the fixtures. */
const CASE_03_DIR = resolve(ROOT, 'test/fixtures/cases/case-03');

type Json = Record<string, unknown>;

function loadJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function loadEvent(name: string): Json {
  return loadJson(join(EVENTS_DIR, `${name}.json`));
}

function detailOf(event: Json): Json {
  return event.detail as Json;
}

/** Pattern A of shared/reference/eventbridge-patterns.md, verbatim. */
const PATTERN_A: EventPattern = {
  source: ['aws.ecs'],
  'detail-type': ['ECS Task State Change'],
  detail: {
    lastStatus: ['STOPPED'],
    stopCode: ['TaskFailedToStart'],
    group: [{ 'anything-but': { prefix: 'service:' } }],
    stoppedReason: [
      { prefix: 'Timeout waiting for network interface provisioning' },
      { prefix: { 'equals-ignore-case': 'network interface provision complete error' } },
      { prefix: 'Unexpected EC2 error while attempting to attach network interface' },
      { prefix: 'Unexpected EC2 error while attempting to Create Network Interface' },
      { prefix: 'Unexpected EC2 error while attempting to tag the network interface' },
      { prefix: 'Rate limit exceeded while preparing network interface' },
      { prefix: 'ResourceInitializationError: failed to configure ENI' },
      { prefix: 'Unable to attach network interface' },
    ],
  },
};

/** [LOCAL] results for Pattern A against every sample event (eventbridge-patterns.md section 4). */
const PATTERN_A_EXPECTED: Record<string, boolean> = {
  'eni-timeout-standalone': true,
  'eni-provision-variant-events-rule': true,
  'eni-timeout-eventbridge-scheduler': true,
  'eni-timeout-step-functions': true,
  'eni-timeout-fargate-spot': true,
  'eni-timeout-rich-overrides': true,
  'eni-timeout-service-task': false,
  'near-miss-cannot-pull-container': false,
  'near-miss-essential-container-exited': false,
  'near-miss-resourceinit-secrets-network': false,
};

describe('Pattern A against the sample events', () => {
  it('has an expectation for every fixture file and nothing else', () => {
    const files = readdirSync(EVENTS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(PATTERN_A_EXPECTED).sort());
  });

  it.each(Object.entries(PATTERN_A_EXPECTED))('%s -> match %s', (name, expected) => {
    expect(matchesPattern(PATTERN_A, loadEvent(name))).toBe(expected);
  });

  it.each(Object.entries(PATTERN_A_EXPECTED))('catalog-built pattern agrees on %s', (name, expected) => {
    expect(matchesPattern(buildEniFailurePattern(), loadEvent(name))).toBe(expected);
  });

  const variants: Array<[string, boolean]> = [
    ['Timeout waiting for network interface provisioning to complete.', true],
    ['Timeout waiting for network interface provisioning to complete', true],
    ['Network interface provision complete error timeout wait for network interface provision.', true],
    ['network interface provision complete error timeout wait for network interface provision.', true],
    ['Unexpected EC2 error while attempting to attach network interface to instance', true],
    ['Rate limit exceeded while preparing network interface to be attached to instance', true],
    ['ResourceInitializationError: failed to configure ENI: failed to setup regular eni', true],
    ["Unexpected EC2 error while attempting to Create Network Interface in subnet 'subnet-1': X", true],
    ['Unexpected EC2 error while attempting to tag the network interface: TagPolicyViolation', true],
    ['Unable to attach network interface to unused device index', true],
    ['InternalError: an internal error occurred', false],
    ['Timeout waiting for EphemeralStorage provisioning to complete.', false],
    ['Task failed to start', false],
    ['ResourceInitializationError: unable to pull secrets or registry auth: ...', false],
    ['CannotPullContainerError: pull image manifest has been retried 5 time(s)', false],
  ];
  it.each(variants)('single-field variant %j -> %s', (reason, expected) => {
    const event = loadEvent('eni-timeout-standalone');
    detailOf(event).stoppedReason = reason;
    expect(matchesPattern(PATTERN_A, event)).toBe(expected);
  });

  it('ignores the DEPROVISIONING copy of an ENI failure', () => {
    const event = loadEvent('eni-timeout-standalone');
    detailOf(event).lastStatus = 'DEPROVISIONING';
    expect(matchesPattern(PATTERN_A, event)).toBe(false);
  });
});

describe('case-03 counterexample', () => {
  it('the naive wildcard pattern does not match the ENI timeout event, Pattern A does', () => {
    const { _comment, ...pattern } = loadJson(join(CASE_03_DIR, 'counterexample-pattern.json'));
    expect(typeof _comment).toBe('string');
    const event = loadJson(join(CASE_03_DIR, 'event.json'));
    expect(matchesPattern(pattern, event)).toBe(false);
    expect(matchesPattern(PATTERN_A, event)).toBe(true);
  });
});

describe('matching semantics', () => {
  const event = {
    source: 'aws.ecs',
    detail: {
      name: 'Alpha-Job',
      count: 7,
      ratio: 0.5,
      flag: true,
      nothing: null,
      tags: ['blue', 'green'],
      ip: '10.0.3.17',
      ip6: '2001:db8::1',
      containers: [
        { name: 'app', lastStatus: 'STOPPED', exitCode: 1 },
        { name: 'sidecar', lastStatus: 'RUNNING' },
      ],
      nested: { inner: { leaf: 'x' } },
      empty: [],
    },
  };
  const m = (detail: Json) => matchesPattern({ detail }, event);

  it('ANDs fields and ORs array entries', () => {
    expect(m({ name: ['Alpha-Job'], count: [7] })).toBe(true);
    expect(m({ name: ['Alpha-Job'], count: [8] })).toBe(false);
    expect(m({ name: ['nope', 'Alpha-Job'] })).toBe(true);
  });

  it('matches exact strings case-sensitively, numbers, booleans and null by type', () => {
    expect(m({ name: ['alpha-job'] })).toBe(false);
    expect(m({ count: ['7'] })).toBe(false);
    expect(m({ ratio: [0.5] })).toBe(true);
    expect(m({ flag: [true] })).toBe(true);
    expect(m({ flag: ['true'] })).toBe(false);
    expect(m({ nothing: [null] })).toBe(true);
    expect(m({ name: [null] })).toBe(false);
    expect(m({ name: [{ exact: 'Alpha-Job' }] })).toBe(true);
  });

  it('fails when a pattern field is absent from the event', () => {
    expect(m({ missing: ['x'] })).toBe(false);
    expect(matchesPattern({ other: { a: ['x'] } }, event)).toBe(false);
  });

  it('matches array values if any element matches', () => {
    expect(m({ tags: ['green'] })).toBe(true);
    expect(m({ tags: ['red'] })).toBe(false);
  });

  it('requires one array element to satisfy a whole nested sub-pattern', () => {
    expect(m({ containers: { name: ['app'], lastStatus: ['STOPPED'] } })).toBe(true);
    expect(m({ containers: { name: ['app'], lastStatus: ['RUNNING'] } })).toBe(false);
  });

  it('descends into nested objects', () => {
    expect(m({ nested: { inner: { leaf: ['x'] } } })).toBe(true);
    expect(m({ nested: { inner: { leaf: ['y'] } } })).toBe(false);
    // A leaf matcher never matches an object value.
    expect(m({ nested: ['x'] })).toBe(false);
  });

  it('prefix and suffix, plain and ignoring case, only on strings', () => {
    expect(m({ name: [{ prefix: 'Alpha' }] })).toBe(true);
    expect(m({ name: [{ prefix: 'alpha' }] })).toBe(false);
    expect(m({ name: [{ prefix: { 'equals-ignore-case': 'ALPHA-' } }] })).toBe(true);
    expect(m({ name: [{ suffix: '-Job' }] })).toBe(true);
    expect(m({ name: [{ suffix: '-JOB' }] })).toBe(false);
    expect(m({ name: [{ suffix: { 'equals-ignore-case': '-JOB' } }] })).toBe(true);
    expect(m({ count: [{ prefix: '7' }] })).toBe(false);
  });

  it('equals-ignore-case compares the whole value', () => {
    expect(m({ name: [{ 'equals-ignore-case': 'ALPHA-JOB' }] })).toBe(true);
    expect(m({ name: [{ 'equals-ignore-case': 'ALPHA' }] })).toBe(false);
  });

  it('anything-but: single value, list, prefix, suffix, equals-ignore-case, wildcard', () => {
    expect(m({ name: [{ 'anything-but': 'Alpha-Job' }] })).toBe(false);
    expect(m({ name: [{ 'anything-but': 'Beta' }] })).toBe(true);
    expect(m({ count: [{ 'anything-but': 7 }] })).toBe(false);
    expect(m({ count: [{ 'anything-but': [1, 2] }] })).toBe(true);
    expect(m({ name: [{ 'anything-but': ['x', 'Alpha-Job'] }] })).toBe(false);
    expect(m({ name: [{ 'anything-but': { prefix: 'Alpha' } }] })).toBe(false);
    expect(m({ name: [{ 'anything-but': { prefix: 'Beta' } }] })).toBe(true);
    expect(m({ name: [{ 'anything-but': { suffix: 'Job' } }] })).toBe(false);
    expect(m({ name: [{ 'anything-but': { 'equals-ignore-case': 'alpha-job' } }] })).toBe(false);
    expect(m({ name: [{ 'anything-but': { 'equals-ignore-case': ['x', 'y'] } }] })).toBe(true);
    expect(m({ name: [{ 'anything-but': { wildcard: 'Alpha*' } }] })).toBe(false);
    expect(m({ name: [{ 'anything-but': { wildcard: 'Beta*' } }] })).toBe(true);
  });

  it('anything-but does not match an absent field; exists:false OR anything-but does', () => {
    expect(m({ startedBy: [{ 'anything-but': 'AWS Step Functions' }] })).toBe(false);
    expect(m({ startedBy: [{ exists: false }, { 'anything-but': ['AWS Step Functions'] }] })).toBe(true);
  });

  it('anything-but on an array value matches if any element is not excluded', () => {
    expect(m({ tags: [{ 'anything-but': 'blue' }] })).toBe(true);
    expect(m({ tags: [{ 'anything-but': ['blue', 'green'] }] })).toBe(false);
  });

  it('exists true/false on leaves, null counts as present, empty arrays and objects as absent', () => {
    expect(m({ name: [{ exists: true }] })).toBe(true);
    expect(m({ name: [{ exists: false }] })).toBe(false);
    expect(m({ missing: [{ exists: false }] })).toBe(true);
    expect(m({ missing: [{ exists: true }] })).toBe(false);
    expect(m({ nothing: [{ exists: true }] })).toBe(true);
    expect(m({ empty: [{ exists: false }] })).toBe(true);
    expect(m({ nested: [{ exists: true }] })).toBe(false);
    expect(matchesPattern({ nope: { deeper: [{ exists: false }] } }, event)).toBe(true);
  });

  it('wildcard with escapes', () => {
    expect(m({ name: [{ wildcard: 'Al*Job' }] })).toBe(true);
    expect(m({ name: [{ wildcard: '*' }] })).toBe(true);
    expect(m({ name: [{ wildcard: 'al*' }] })).toBe(false);
    expect(matchesPattern({ a: [{ wildcard: 'x\\*y' }] }, { a: 'x*y' })).toBe(true);
    expect(matchesPattern({ a: [{ wildcard: 'x\\*y' }] }, { a: 'xzy' })).toBe(false);
    expect(matchesPattern({ a: [{ wildcard: 'x\\\\y*' }] }, { a: 'x\\yz' })).toBe(true);
    expect(matchesPattern({ a: [{ wildcard: 'a.b(c)*' }] }, { a: 'a.b(c)d' })).toBe(true);
    expect(matchesPattern({ a: [{ wildcard: 'a.b' }] }, { a: 'axb' })).toBe(false);
  });

  it('numeric ranges and equality', () => {
    expect(m({ count: [{ numeric: ['>', 0, '<=', 7] }] })).toBe(true);
    expect(m({ count: [{ numeric: ['>', 0, '<', 7] }] })).toBe(false);
    expect(m({ count: [{ numeric: ['>=', 7] }] })).toBe(true);
    expect(m({ count: [{ numeric: ['<', 7] }] })).toBe(false);
    expect(m({ count: [{ numeric: ['=', 7] }] })).toBe(true);
    expect(m({ ratio: [{ numeric: ['>', 0.25, '<', 0.75] }] })).toBe(true);
    expect(m({ name: [{ numeric: ['>', 0] }] })).toBe(false);
  });

  it('cidr for IPv4 and IPv6', () => {
    expect(m({ ip: [{ cidr: '10.0.0.0/16' }] })).toBe(true);
    expect(m({ ip: [{ cidr: '10.1.0.0/16' }] })).toBe(false);
    expect(m({ ip6: [{ cidr: '2001:db8::/32' }] })).toBe(true);
    expect(m({ ip6: [{ cidr: '2001:db9::/32' }] })).toBe(false);
    expect(m({ name: [{ cidr: '10.0.0.0/8' }] })).toBe(false);
  });

  it('$or across different fields, nested in objects', () => {
    expect(m({ $or: [{ name: ['nope'] }, { count: [7] }] })).toBe(true);
    expect(m({ $or: [{ name: ['nope'] }, { count: [8] }] })).toBe(false);
    expect(m({ flag: [true], $or: [{ name: ['Alpha-Job'] }, { count: [8] }] })).toBe(true);
    expect(m({ flag: [false], $or: [{ name: ['Alpha-Job'] }, { count: [8] }] })).toBe(false);
    expect(
      matchesPattern(
        { source: ['aws.ecs'], $or: [{ detail: { count: [1] } }, { detail: { flag: [true] } }] },
        event,
      ),
    ).toBe(true);
  });
});

describe('validatePattern', () => {
  const invalid: Array<[string, unknown]> = [
    ['a non-object pattern', ['x']],
    ['an empty pattern', {}],
    ['a scalar field value', { source: 'aws.ecs' }],
    ['an empty array', { source: [] }],
    ['an empty nested object', { detail: {} }],
    ['an unknown operator', { a: [{ regex: 'x' }] }],
    ['two operators in one element', { a: [{ prefix: 'x', suffix: 'y' }] }],
    ['a non-string prefix', { a: [{ prefix: 5 }] }],
    ['a bad prefix ignore-case form', { a: [{ prefix: { 'ignore-case': 'x' } }] }],
    ['a non-string equals-ignore-case', { a: [{ 'equals-ignore-case': ['x'] }] }],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }],
    ['an invalid wildcard escape', { a: [{ wildcard: 'a\\nb' }] }],
    ['a trailing backslash in a wildcard', { a: [{ wildcard: 'a\\' }] }],
    ['a wildcard ignore-case form', { a: [{ wildcard: { 'equals-ignore-case': '*x*' } }] }],
    ['a non-boolean exists', { a: [{ exists: 'yes' }] }],
    ['a mixed anything-but list', { a: [{ 'anything-but': ['x', 1] }] }],
    ['anything-but null', { a: [{ 'anything-but': null }] }],
    ['anything-but with an unsupported operator', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }],
    ['anything-but with an empty prefix', { a: [{ 'anything-but': { prefix: '' } }] }],
    ['a numeric range with bottom above top', { a: [{ numeric: ['>', 5, '<', 1] }] }],
    ['a numeric range with an unknown operator', { a: [{ numeric: ['!=', 5] }] }],
    ['a numeric value out of range', { a: [{ numeric: ['>', 6e9] }] }],
    ['a numeric with too many terms', { a: [{ numeric: ['>', 1, '<', 5, '<', 6] }] }],
    ['a malformed cidr', { a: [{ cidr: '10.0.0.0' }] }],
    ['a cidr prefix too long', { a: [{ cidr: '10.0.0.0/33' }] }],
    ['$or with a single branch', { $or: [{ a: ['x'] }] }],
    ['$or with a non-object branch', { $or: [{ a: ['x'] }, ['y']] }],
    ['a nested array in a leaf', { a: [['x']] }],
  ];
  it.each(invalid)('rejects %s', (_label, pattern) => {
    expect(() => validatePattern(pattern)).toThrow(InvalidEventPatternError);
  });

  it('names the offending path', () => {
    expect(() =>
      validatePattern({ detail: { stoppedReason: [{ prefix: 'ok' }, { wildcard: 'x**' }] } }),
    ).toThrow(/detail\.stoppedReason\[1\]\.wildcard/);
  });

  it('rejects patterns over 4096 characters', () => {
    expect(() => validatePattern({ a: [{ prefix: 'x'.repeat(5000) }] })).toThrow(/4096/);
  });

  it('rejects more than 1000 $or combinations', () => {
    const branches = Array.from({ length: 11 }, (_, i) => ({ [`f${i}`]: ['x'] }));
    expect(() =>
      validatePattern({ a: { $or: branches }, b: { $or: branches }, c: { $or: branches } }),
    ).toThrow(/combinations/);
    expect(() => validatePattern({ a: { $or: branches }, b: { $or: branches } })).not.toThrow();
  });

  it('matchesPattern throws on an invalid pattern instead of answering', () => {
    expect(() => matchesPattern({ a: [{ wildcard: '**' }] }, { a: 'x' })).toThrow(InvalidEventPatternError);
  });

  it('accepts Pattern A, the catalog pattern and the CloudTrail recorder pattern', () => {
    expect(() => validatePattern(PATTERN_A)).not.toThrow();
    expect(() => validatePattern(buildEniFailurePattern())).not.toThrow();
    expect(() => validatePattern(buildRunTaskCloudTrailPattern())).not.toThrow();
  });
});
