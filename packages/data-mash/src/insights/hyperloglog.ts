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
    const [high, low] = hash64(value);
    this.addHash(high, low);
  }

  /** Adds a value by its {@link hash64} halves (when the caller has hashed it already). */
  addHash(high: number, low: number): void {
    const index = high >>> (32 - HyperLogLog.PRECISION);
    // Leading zeros of the remaining 50 bits, plus one.
    const rest = ((high << HyperLogLog.PRECISION) | (low >>> (32 - HyperLogLog.PRECISION))) >>> 0;
    const rank =
      rest === 0 ? 32 - HyperLogLog.PRECISION + Math.clz32(low << HyperLogLog.PRECISION) + 1 : Math.clz32(rest) + 1;
    if (rank > (this.#registers[index] as number)) this.#registers[index] = rank;
  }

  /** The estimated number of distinct values added. */
  estimate(): number {
    const m = this.#registers.length;
    let sum = 0;
    let zeros = 0;
    for (const register of this.#registers) {
      sum += 2 ** -register;
      if (register === 0) zeros += 1;
    }
    const alpha = 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    // Small ranges: linear counting is more accurate while registers are still empty.
    return Math.round(raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw);
  }
}

/** 64 bits of hash as two 32-bit halves (two seeded FNV-1a passes with a final mix). */
export function hash64(value: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return [mix(a ^ Math.imul(b, 0x27d4eb2d)) >>> 0, mix(b ^ Math.imul(a, 0x165667b1)) >>> 0];
}

function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
