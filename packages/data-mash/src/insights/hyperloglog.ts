/**
 * HyperLogLog (Flajolet et al. 2007) with 2^14 registers: distinct counts of any size in 16 KiB,
 * with a standard error of about 0.8 %. Used once a column has more distinct values than the
 * profiler counts exactly.
 */
export class HyperLogLog {
  static readonly PRECISION = 14;
  readonly #registers = new Uint8Array(1 << HyperLogLog.PRECISION);

  /** Adds a value (any string). */
  add(value: string): void {
    this.addHash(hash32(value));
  }

  /** Adds a value by its {@link hash32} (when the caller has hashed it already). */
  addHash(hash: number): void {
    const index = hash >>> (32 - HyperLogLog.PRECISION);
    // Rank: leading zeros of the remaining 18 bits, plus one (enough up to billions of values).
    const rest = (hash << HyperLogLog.PRECISION) >>> 0;
    const rank = rest === 0 ? 32 - HyperLogLog.PRECISION + 1 : Math.clz32(rest) + 1;
    if (rank > (this.#registers[index] as number)) this.#registers[index] = rank;
  }

  /** A copy of the registers, to send elsewhere and merge. */
  registers(): Uint8Array {
    return new Uint8Array(this.#registers);
  }

  /** Merges another sketch's registers: the union of both value sets. */
  mergeRegisters(registers: Uint8Array): void {
    for (let index = 0; index < this.#registers.length; index += 1) {
      const other = registers[index] as number;
      if (other > (this.#registers[index] as number)) this.#registers[index] = other;
    }
  }

  /**
   * The estimated number of distinct values added: Ertl's improved estimator ("New cardinality
   * estimation algorithms for HyperLogLog sketches", 2017), unbiased across the whole range
   * without the empirical tables of HLL++: the raw estimate of Flajolet et al. is biased by up to
   * about 2 % between 2.5 and 5 times the register count, where it hands over to linear counting.
   */
  estimate(): number {
    const m = this.#registers.length;
    const q = 32 - HyperLogLog.PRECISION;
    const histogram = new Float64Array(q + 2);
    for (const register of this.#registers) histogram[register] = (histogram[register] as number) + 1;
    let z = m * tau(1 - (histogram[q + 1] as number) / m);
    for (let rank = q; rank >= 1; rank -= 1) z = 0.5 * (z + (histogram[rank] as number));
    z += m * sigma((histogram[0] as number) / m);
    return Math.round((m * m) / (2 * Math.LN2) / z);
  }
}

// Ertl's sigma: the sum x + x^2 + 2 x^4 + 4 x^8 + ..., to convergence.
function sigma(start: number): number {
  if (start === 1) return Number.POSITIVE_INFINITY;
  let x = start;
  let y = 1;
  let z = x;
  let previous: number;
  do {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  } while (z !== previous);
  return z;
}

// Ertl's tau, for registers at the largest rank.
function tau(start: number): number {
  if (start === 0 || start === 1) return 0;
  let x = start;
  let y = 1;
  let z = 1 - x;
  let previous: number;
  do {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  } while (z !== previous);
  return z / 3;
}

/** A well-mixed 32-bit hash of a string: FNV-1a over its UTF-16 code units, then murmur3's finaliser. */
export function hash32(value: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index += 1) hash = Math.imul(hash ^ value.charCodeAt(index), 0x01000193);
  return mix(hash) >>> 0;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
export function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
