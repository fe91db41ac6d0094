import { InvalidEventError } from '../../../functions/core/errors';
import {
  clusterNameOf,
  failedSubnetOf,
  familyOf,
  parseTaskStateChange,
} from '../../../functions/core/task-event';
import { fixtureEvent } from '../../support/core-rig';
import { eventFileNames } from '../../support/fixtures';

const FIXTURES = eventFileNames().map((f) => f.replace(/\.json$/, ''));

function parseError(input: unknown): InvalidEventError {
  try {
    parseTaskStateChange(input);
  } catch (err) {
    if (err instanceof InvalidEventError) return err;
    throw err;
  }
  throw new Error('expected parseTaskStateChange to reject the event');
}

describe('parseTaskStateChange', () => {
  it('finds all ten fixture events', () => {
    expect(FIXTURES).toHaveLength(10);
  });

  it.each(FIXTURES)('parses fixture %s and keeps its identity fields and unknown fields', (name) => {
    const raw = fixtureEvent(name);
    const event = parseTaskStateChange(raw);
    expect(event.id).toBe(raw.id);
    expect(event.detail.taskArn).toBe(raw.detail.taskArn);
    expect(event.detail.version).toBe(raw.detail.version);
    expect(event.detail.stoppedReason).toBe(raw.detail.stoppedReason);
    // AWS adds fields over time: they pass through.
    expect(event.detail.connectivity).toBe(raw.detail.connectivity);
  });

  it('rejects an event without detail.taskArn, naming the field', () => {
    const raw = fixtureEvent('eni-timeout-standalone');
    Reflect.deleteProperty(raw.detail, 'taskArn');
    const err = parseError(raw);
    expect(err.field).toBe('detail.taskArn');
    expect(err.message).toContain('detail.taskArn');
  });

  it('rejects another detail-type, naming the field', () => {
    const raw = {
      ...fixtureEvent('eni-timeout-standalone'),
      'detail-type': 'ECS Container Instance State Change',
    };
    expect(parseError(raw).field).toBe('detail-type');
  });

  it.each(['11112222333', 'abcdefghijkl', '1111222233334'])(
    'rejects account id %j, naming the field',
    (account) => {
      const raw = { ...fixtureEvent('eni-timeout-standalone'), account };
      const err = parseError(raw);
      expect(err.field).toBe('account');
      expect(err.message).toContain('12-digit');
    },
  );

  it.each([
    'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export',
    'arn:aws:ecs:us-east-1:111122223333:task-definition/invoice-export:latest',
    'invoice-export:7',
  ])('rejects the task definition %j (not an exact revision ARN), naming the field', (arn) => {
    const raw = fixtureEvent('eni-timeout-standalone');
    raw.detail.taskDefinitionArn = arn;
    expect(parseError(raw).field).toBe('detail.taskDefinitionArn');
  });

  it.each([
    ['a string', '4'],
    ['missing', undefined],
    ['negative', -1],
    ['fractional', 1.5],
  ])('rejects detail.version that is %s', (_label, version) => {
    const raw = fixtureEvent('eni-timeout-standalone') as unknown as { detail: Record<string, unknown> };
    raw.detail.version = version;
    expect(parseError(raw).field).toBe('detail.version');
  });

  it.each([null, 'text', 42, []])('rejects a non-object event %j without throwing anything else', (input) => {
    expect(parseError(input)).toBeInstanceOf(InvalidEventError);
  });
});

describe('task event helpers', () => {
  it('reads the cluster name, family and failed subnet of an event', () => {
    const event = parseTaskStateChange(fixtureEvent('eni-timeout-standalone'));
    expect(clusterNameOf(event.detail.clusterArn)).toBe('batch-jobs');
    expect(familyOf(event.detail.taskDefinitionArn)).toBe('invoice-export');
    expect(failedSubnetOf(event.detail)).toBe('subnet-8e3f981de48241322');
  });

  it('reads the subnet of an attachment that never got an ENI (subnetId only)', () => {
    const event = parseTaskStateChange(fixtureEvent('eni-provision-variant-events-rule'));
    expect(failedSubnetOf(event.detail)).toBe('subnet-d5e8be471e92c447d');
  });
});
