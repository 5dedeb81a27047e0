/** A {@link NumberSummary} as plain data, to merge elsewhere. */
export interface NumberSummaryState {
  count: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
  min: number;
  max: number;
  sum: number;
  sumError: number;
  zeros: number;
  negatives: number;
  integers: number;
  infinite: number;
  /** Integers written beyond +-2^53, exactly, as decimal text: the smallest and largest seen. */
  bigMin: string | null;
  bigMax: string | null;
  /** The smallest and largest of the other values: within +-2^53, or not written as integers (`1e20`). */
  otherMin: number;
  otherMax: number;
  sample: number[];
  units: Array<[string, number]>;
}

const SAFE = 2 ** 53;
const INTEGER_TEXT = /^[+-]?\d+$/;

/**
 * The numbers of one column in one pass: central moments to the fourth (Pébay's one-pass and
 * pairwise formulas, so parts merge exactly), min and max (integers beyond 2^53 kept exactly as
 * text), a compensated sum (Neumaier), zeros, negatives, integers, the units numbers were
 * written with, and a uniform reservoir sample for quantiles.
 */
export class NumberSummary {
  count = 0;
  mean = 0;
  m2 = 0;
  m3 = 0;
  m4 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  #sum = 0;
  #sumError = 0;
  zeros = 0;
  negatives = 0;
  integers = 0;
  /** Infinite values (`inf`, `-Infinity`, `1e400`): numbers, but outside every other figure. */
  infinite = 0;
  #bigMin: bigint | undefined;
  #bigMax: bigint | undefined;
  #otherMin = Number.POSITIVE_INFINITY;
  #otherMax = Number.NEGATIVE_INFINITY;
  readonly sample: number[] = [];
  readonly units = new Map<string, number>();
  readonly #sampleSize: number;
  #seed = 0x7f4a7c15;

  constructor(sampleSize: number) {
    this.#sampleSize = sampleSize;
  }

  /** Adds one number (-0 counts as 0, so min and max do not depend on the order values come in). */
  add(value: number): void {
    const x = value === 0 ? 0 : value;
    const n = this.count + 1;
    this.count = n;
    const delta = x - this.mean;
    const deltaN = delta / n;
    const deltaN2 = deltaN * deltaN;
    const term = delta * deltaN * (n - 1);
    this.mean += deltaN;
    this.m4 += term * deltaN2 * (n * n - 3 * n + 3) + 6 * deltaN2 * this.m2 - 4 * deltaN * this.m3;
    this.m3 += term * deltaN * (n - 2) - 3 * deltaN * this.m2;
    this.m2 += term;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    if (x > -SAFE && x < SAFE) {
      if (x < this.#otherMin) this.#otherMin = x;
      if (x > this.#otherMax) this.#otherMax = x;
    }
    const total = this.#sum + x;
    this.#sumError += Math.abs(this.#sum) >= Math.abs(x) ? this.#sum - total + x : x - total + this.#sum;
    this.#sum = total;
    if (x === 0) this.zeros += 1;
    else if (x < 0) this.negatives += 1;
    if (Number.isInteger(x)) this.integers += 1;
    if (this.sample.length < this.#sampleSize) this.sample.push(x);
    else {
      // xorshift32 inline (a deterministic sample; no call a value on this path).
      let seed = this.#seed;
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      this.#seed = seed;
      const slot = Math.floor(((seed >>> 0) / 0x100000000) * n);
      if (slot < this.#sampleSize) this.sample[slot] = x;
    }
  }

  /**
   * Notes the text of a number beyond +-2^53 (once a distinct value is enough), so min and max
   * stay exact: an integer is kept as a bigint; any other (`1e20`) as its double, which is exact.
   */
  addBig(text: string): void {
    const trimmed = text.trim();
    if (!INTEGER_TEXT.test(trimmed)) {
      const value = Number(trimmed);
      if (value < this.#otherMin) this.#otherMin = value;
      if (value > this.#otherMax) this.#otherMax = value;
      return;
    }
    const value = BigInt(trimmed);
    if (this.#bigMin === undefined || value < this.#bigMin) this.#bigMin = value;
    if (this.#bigMax === undefined || value > this.#bigMax) this.#bigMax = value;
  }

  /** Notes the unit a number was written with (`''` for none). */
  addUnit(unit: string): void {
    this.units.set(unit, (this.units.get(unit) ?? 0) + 1);
  }

  /** The sum, compensated. */
  get sum(): number {
    return this.#sum + this.#sumError;
  }

  /**
   * The exact smallest and largest values as decimal text, when one of them is an integer beyond
   * +-2^53 (where doubles skip integers); undefined otherwise.
   */
  exactRange(): { min: string; max: string } | undefined {
    if (this.#bigMin === undefined || this.#bigMax === undefined) return undefined;
    // Comparing a bigint with a double is exact in JavaScript; a double's own decimal is exact too.
    const text = (double: number) => (Number.isInteger(double) ? BigInt(double).toString() : String(double));
    const min = this.#otherMin < this.#bigMin ? text(this.#otherMin) : this.#bigMin.toString();
    const max = this.#otherMax > this.#bigMax ? text(this.#otherMax) : this.#bigMax.toString();
    return { min, max };
  }

  /** The unit most numbers were written with, when at least 90 % share it; undefined for plain numbers. */
  unit(): string | undefined {
    let best: [string, number] | undefined;
    for (const entry of this.units) if (!best || entry[1] > best[1]) best = entry;
    if (!best || best[0] === '' || best[1] < this.count * 0.9) return undefined;
    return best[0];
  }

  /** The state as plain data. */
  state(): NumberSummaryState {
    return {
      count: this.count,
      mean: this.mean,
      m2: this.m2,
      m3: this.m3,
      m4: this.m4,
      min: this.min,
      max: this.max,
      sum: this.#sum,
      sumError: this.#sumError,
      zeros: this.zeros,
      negatives: this.negatives,
      integers: this.integers,
      infinite: this.infinite,
      bigMin: this.#bigMin?.toString() ?? null,
      bigMax: this.#bigMax?.toString() ?? null,
      otherMin: this.#otherMin,
      otherMax: this.#otherMax,
      sample: [...this.sample],
      units: [...this.units],
    };
  }

  /** Adds the numbers another summary saw; `mix` draws a uniform sample of the union of two samples. */
  merge(
    other: NumberSummaryState,
    mix: (a: readonly number[], sizeA: number, b: readonly number[], sizeB: number, limit: number) => number[],
  ): void {
    const na = this.count;
    const nb = other.count;
    this.infinite += other.infinite;
    if (nb === 0) return;
    const n = na + nb;
    const delta = other.mean - this.mean;
    const delta2 = delta * delta;
    const m2 = this.m2 + other.m2 + (delta2 * na * nb) / n;
    const m3 =
      this.m3 +
      other.m3 +
      (delta2 * delta * na * nb * (na - nb)) / (n * n) +
      (3 * delta * (na * other.m2 - nb * this.m2)) / n;
    const m4 =
      this.m4 +
      other.m4 +
      (delta2 * delta2 * na * nb * (na * na - na * nb + nb * nb)) / (n * n * n) +
      (6 * delta2 * (na * na * other.m2 + nb * nb * this.m2)) / (n * n) +
      (4 * delta * (na * other.m3 - nb * this.m3)) / n;
    const sample = mix(this.sample, na, other.sample, nb, this.#sampleSize);
    this.sample.splice(0, this.sample.length, ...sample);
    this.mean += (delta * nb) / n;
    this.m2 = m2;
    this.m3 = m3;
    this.m4 = m4;
    this.count = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    const total = this.#sum + other.sum;
    this.#sumError +=
      other.sumError +
      (Math.abs(this.#sum) >= Math.abs(other.sum) ? this.#sum - total + other.sum : other.sum - total + this.#sum);
    this.#sum = total;
    this.zeros += other.zeros;
    this.negatives += other.negatives;
    this.integers += other.integers;
    for (const text of [other.bigMin, other.bigMax]) if (text !== null) this.addBig(text);
    this.#otherMin = Math.min(this.#otherMin, other.otherMin);
    this.#otherMax = Math.max(this.#otherMax, other.otherMax);
    for (const [unit, count] of other.units) this.units.set(unit, (this.units.get(unit) ?? 0) + count);
  }

  /** Sample variance (n - 1). */
  variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : 0;
  }

  /** Sample skewness, adjusted Fisher-Pearson (G1: DuckDB's `skewness`, pandas' `skew`); null below 3 values or with no spread. */
  skewness(): number | null {
    const n = this.count;
    if (n < 3 || this.m2 === 0) return null;
    const g1 = (Math.sqrt(n) * this.m3) / this.m2 ** 1.5;
    return (g1 * Math.sqrt(n * (n - 1))) / (n - 2);
  }

  /** Sample excess kurtosis (G2: DuckDB's `kurtosis`, pandas' `kurt`); null below 4 values or with no spread. */
  kurtosis(): number | null {
    const n = this.count;
    if (n < 4 || this.m2 === 0) return null;
    const g2 = (n * this.m4) / (this.m2 * this.m2) - 3;
    return ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * g2 + 6);
  }
}
