import { UsageError } from '../../../cli/cli-errors';
import { decodeNextToken, encodeNextToken } from '../../../cli/next-token';

const RANGE = { since: '2025-03-01T00:00:00.000Z', until: '2025-03-08T00:00:00.000Z' };

describe('next tokens', () => {
  it('round-trips the query index, the LastEvaluatedKey and the range', () => {
    const key = { pk: 'CHAIN#arn', sk: 'SUMMARY', gsi2pk: 'OUTCOME#RELAUNCHED#2025-03-01', gsi2sk: 'x#y' };
    const token = encodeNextToken({ plan: 'abc', query: 4, key, range: RANGE });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeNextToken(token, 'abc')).toEqual({ plan: 'abc', query: 4, key, range: RANGE });
  });

  it('round-trips a cursor at the start of the next query (no key)', () => {
    const token = encodeNextToken({ plan: 'abc', query: 2, range: RANGE });
    expect(decodeNextToken(token, 'abc')).toEqual({ plan: 'abc', query: 2, key: undefined, range: RANGE });
  });

  it('refuses a token of another listing', () => {
    const token = encodeNextToken({ plan: 'abc', query: 0, range: RANGE });
    expect(() => decodeNextToken(token, 'def')).toThrow(/another listing/);
  });

  it.each([
    'not a token',
    Buffer.from('{"v":2}').toString('base64url'),
    Buffer.from('[1]').toString('base64url'),
  ])('refuses garbage (%s) with a usage error', (token) => {
    expect(() => decodeNextToken(token, 'abc')).toThrow(UsageError);
  });
});
