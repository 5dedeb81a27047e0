// Deterministic sampling shared by the profilers: the same file always gives the same profile.

/** xorshift32 from a seed: numbers in [0, 1), the same sequence for the same seed. */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed | 0 || 1;
  }

  next(): number {
    let state = this.#state;
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    this.#state = state;
    return (state >>> 0) / 0x100000000;
  }
}

/** `count` items of `list` drawn uniformly without replacement (a partial Fisher-Yates shuffle of a copy). */
export function pickUniform<T>(list: readonly T[], count: number, random: SeededRandom): T[] {
  const copy = [...list];
  const take = Math.min(count, copy.length);
  for (let index = 0; index < take; index += 1) {
    const swap = index + Math.floor(random.next() * (copy.length - index));
    [copy[index], copy[swap]] = [copy[swap] as T, copy[index] as T];
  }
  return copy.slice(0, take);
}
