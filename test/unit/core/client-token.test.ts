import { relaunchClientToken } from '../../../functions/core/client-token';

const ROOT = 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/e5e281705d76d0580d6cf8d429eca7db';
const OTHER_ROOT = 'arn:aws:ecs:us-east-1:111122223333:task/batch-jobs/0ca23f6c745584b52d286d9324bd15c8';
// A long ARN (long cluster name, partition prefix) must not make the token longer.
const LONG_ROOT = `arn:aws-us-gov:ecs:us-gov-west-1:111122223333:task/${'c'.repeat(255)}/${'f'.repeat(32)}`;

describe('relaunchClientToken', () => {
  it('is deterministic for the same root and attempt', () => {
    expect(relaunchClientToken(ROOT, 1)).toBe(relaunchClientToken(ROOT, 1));
  });

  it.each([ROOT, OTHER_ROOT, LONG_ROOT])('is at most 64 characters of ASCII 33-126 for %s', (root) => {
    for (const attempt of [1, 2, 3, 4, 10, 99]) {
      const token = relaunchClientToken(root, attempt);
      expect(token.length).toBeGreaterThan(0);
      expect(token.length).toBeLessThanOrEqual(64);
      expect(token).toMatch(/^[\x21-\x7e]+$/);
    }
  });

  it('differs by attempt', () => {
    const tokens = [1, 2, 3, 4, 10, 11].map((a) => relaunchClientToken(ROOT, a));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('differs by root task', () => {
    expect(relaunchClientToken(ROOT, 1)).not.toBe(relaunchClientToken(OTHER_ROOT, 1));
  });

  it('is never the root task id itself (the original token would return the dead task)', () => {
    const id = ROOT.slice(ROOT.lastIndexOf('/') + 1);
    expect(relaunchClientToken(ROOT, 1)).not.toContain(id);
  });
});
