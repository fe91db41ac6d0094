import { UsageError } from '../../../cli/cli-errors';
import { daysOf, parseTimePoint, resolveRange, sortKeyUpperBound } from '../../../cli/time-range';

const NOW = Date.parse('2025-03-10T12:00:00.000Z');

describe('time ranges', () => {
  it('reads ISO timestamps, with or without a zone (UTC)', () => {
    expect(parseTimePoint('2025-01-31T06:30:00Z', NOW, 'start')).toBe(Date.parse('2025-01-31T06:30:00Z'));
    expect(parseTimePoint('2025-01-31T06:30:00', NOW, 'start')).toBe(Date.parse('2025-01-31T06:30:00Z'));
    expect(parseTimePoint('2025-01-31T08:30:00+02:00', NOW, 'start')).toBe(
      Date.parse('2025-01-31T06:30:00Z'),
    );
  });

  it('reads a bare UTC day as its first millisecond for --since and its last for --until', () => {
    expect(new Date(parseTimePoint('2025-01-31', NOW, 'start')).toISOString()).toBe(
      '2025-01-31T00:00:00.000Z',
    );
    expect(new Date(parseTimePoint('2025-01-31', NOW, 'end')).toISOString()).toBe('2025-01-31T23:59:59.999Z');
  });

  it('reads relative times back from now', () => {
    expect(parseTimePoint('30m', NOW, 'start')).toBe(NOW - 30 * 60_000);
    expect(parseTimePoint('24h', NOW, 'start')).toBe(NOW - 86_400_000);
    expect(parseTimePoint('7d', NOW, 'start')).toBe(NOW - 7 * 86_400_000);
    expect(parseTimePoint('2w', NOW, 'start')).toBe(NOW - 14 * 86_400_000);
    expect(parseTimePoint('now', NOW, 'end')).toBe(NOW);
  });

  it.each(['yesterday', '2025-13-01', '2025-02-30', '7 days', '', 'T12:00'])(
    'rejects "%s" with the formats it accepts',
    (text) => {
      expect(() => parseTimePoint(text, NOW, 'start')).toThrow(UsageError);
      expect(() => parseTimePoint(text, NOW, 'start')).toThrow(/ISO timestamp.*UTC day.*relative/);
    },
  );

  it('defaults to the last 7 days up to now', () => {
    expect(resolveRange({}, NOW)).toEqual({
      since: '2025-03-03T12:00:00.000Z',
      until: '2025-03-10T12:00:00.000Z',
    });
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => resolveRange({ since: '2025-03-02', until: '2025-03-01' }, NOW)).toThrow(/after --until/);
  });

  it('lists the UTC days a range touches, and refuses ranges too long for per-day queries', () => {
    expect(daysOf({ since: '2025-02-27T23:00:00.000Z', until: '2025-03-01T00:10:00.000Z' })).toEqual([
      '2025-02-27',
      '2025-02-28',
      '2025-03-01',
    ]);
    expect(daysOf({ since: '2025-03-01T00:00:00.000Z', until: '2025-03-01T00:00:00.000Z' })).toEqual([
      '2025-03-01',
    ]);
    expect(() => daysOf({ since: '2020-01-01T00:00:00.000Z', until: '2025-01-01T00:00:00.000Z' })).toThrow(
      /--cluster/,
    );
  });

  it('bounds sort keys <time>#<arn> so that items stamped exactly at the end are included', () => {
    const until = '2025-03-01T00:00:00.000Z';
    const item = `${until}#arn:aws:ecs:eu-west-1:111122223333:task/jobs/abc`;
    expect(item > until).toBe(true);
    expect(item <= sortKeyUpperBound(until)).toBe(true);
    expect(`2025-03-01T00:00:00.001Z#x` > sortKeyUpperBound(until)).toBe(true);
  });
});
