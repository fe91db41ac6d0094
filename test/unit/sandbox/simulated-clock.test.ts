import { createSeededRandom } from '../../../sandbox/seeded-random';
import { SimulatedClock } from '../../../sandbox/simulated-clock';

describe('SimulatedClock', () => {
  it('runs steps in time order, same-time steps in scheduling order, only when driven', () => {
    const clock = new SimulatedClock(1_000);
    const log: string[] = [];
    clock.schedule(1_500, () => log.push(`b@${clock.now()}`));
    clock.schedule(1_200, () => log.push(`a@${clock.now()}`));
    clock.schedule(1_500, () => log.push(`c@${clock.now()}`));
    expect(log).toEqual([]);
    clock.advance(300);
    expect(log).toEqual(['a@1200']);
    expect(clock.now()).toBe(1_300);
    clock.advance(1_000);
    expect(log).toEqual(['a@1200', 'b@1500', 'c@1500']);
    expect(clock.now()).toBe(2_300);
  });

  it('step() jumps to the next instant and also runs steps scheduled for that same instant', () => {
    const clock = new SimulatedClock(0);
    const log: number[] = [];
    clock.schedule(10, () => {
      log.push(1);
      clock.schedule(clock.now(), () => log.push(2));
      clock.schedule(clock.now() + 5, () => log.push(3));
    });
    expect(clock.step()).toBe(true);
    expect(log).toEqual([1, 2]);
    expect(clock.now()).toBe(10);
    expect(clock.step()).toBe(true);
    expect(clock.now()).toBe(15);
    expect(clock.step()).toBe(false);
  });

  it('cancelled steps never run; past times run at the current time', () => {
    const clock = new SimulatedClock(100);
    const log: string[] = [];
    clock.schedule(150, () => log.push('cancelled')).cancel();
    clock.schedule(50, () => log.push(`late@${clock.now()}`));
    expect(clock.pending).toBe(1);
    clock.runUntilIdle();
    expect(log).toEqual(['late@100']);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('runUntilIdle refuses to loop forever', () => {
    const clock = new SimulatedClock(0);
    const again = (): void => {
      clock.schedule(clock.now() + 1, again);
    };
    again();
    expect(() => clock.runUntilIdle(50)).toThrow(/still busy/);
  });
});

describe('createSeededRandom', () => {
  it('is reproducible per seed and produces well-formed ids', () => {
    const a = createSeededRandom(5);
    const b = createSeededRandom(5);
    const seqA = [a.next(), a.hex(8), a.uuid(), a.int(10), a.pick(['x', 'y', 'z'])];
    const seqB = [b.next(), b.hex(8), b.uuid(), b.int(10), b.pick(['x', 'y', 'z'])];
    expect(seqA).toEqual(seqB);
    expect(createSeededRandom(6).next()).not.toBe(seqA[0]);
    expect(a.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(() => a.pick([])).toThrow();
  });
});
