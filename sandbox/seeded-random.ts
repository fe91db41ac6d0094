/**
 * A small seedable pseudo-random generator (mulberry32), so every id, subnet choice and injected
 * failure in the sandbox is reproducible from a seed. Not for anything security-related.
 */

/** A deterministic random source; `next()` is uniform in [0, 1). */
export interface SeededRandom {
  next(): number;
  /** Integer in [0, bound). */
  int(bound: number): number;
  /** `length` lowercase hex digits. */
  hex(length: number): string;
  /** A random (version 4 format) UUID. */
  uuid(): string;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
}

/** Creates a generator; the same seed always yields the same sequence. */
export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (bound: number): number => Math.floor(next() * bound);
  const hex = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += int(16).toString(16);
    return out;
  };
  return {
    next,
    int,
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'.charAt(int(4))}${hex(3)}-${hex(12)}`,
    pick<T>(items: readonly T[]): T {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick() needs a non-empty list');
      return item;
    },
  };
}
