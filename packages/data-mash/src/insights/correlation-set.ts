import type { PairMoments } from './relationships.js';

/** A {@link CorrelationSet} as plain data, to merge elsewhere. */
export interface CorrelationSetState {
  /** Table column indexes correlated, ascending. */
  members: number[];
  /** Co-moments of member pairs (i < j, by member position), at `j (j - 1) / 2 + i`. */
  pairs: PairMoments[];
  /** Columns that had a number. */
  numeric: number[];
}

const empty = (): PairMoments => ({ n: 0, meanX: 0, meanY: 0, cxy: 0, m2x: 0, m2y: 0 });

/**
 * Pearson co-moments between every pair of a table's numeric columns, in one pass. A column joins
 * when its first number arrives: a pair counts only rows where both values are numbers, so
 * nothing before that row is lost, whichever row it is. At most `cap` columns are correlated: the
 * first `cap` in column order among those with a number (a column with a lower index evicts
 * the last member; it had no number before, so again nothing is lost). The members therefore
 * depend only on which columns have numbers, not on the order rows come in: profiles of parts
 * of a file merge into exactly the whole file's.
 */
export class CorrelationSet {
  readonly cap: number;
  #members: number[] = [];
  // Table column index -> member position, or -1.
  #position: Int32Array;
  #pairs: PairMoments[] = [];
  readonly #numeric: Uint8Array;
  #values = new Float64Array(0);

  constructor(columns: number, cap: number) {
    this.cap = cap;
    this.#position = new Int32Array(columns).fill(-1);
    this.#numeric = new Uint8Array(columns);
  }

  /** Adds one row: `numbers[i]` is column i's number, NaN where the value is not one. */
  add(numbers: Float64Array): void {
    const numeric = this.#numeric;
    for (let index = 0; index < numbers.length; index += 1) {
      const value = numbers[index] as number;
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      if (value === value && numeric[index] === 0) {
        numeric[index] = 1;
        this.#join(index);
      }
    }
    const members = this.#members;
    const values = this.#values;
    for (let position = 0; position < members.length; position += 1)
      values[position] = numbers[members[position] as number] as number;
    let at = 0;
    for (let j = 1; j < members.length; j += 1) {
      const y = values[j] as number;
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      if (y !== y) {
        at += j;
        continue;
      }
      for (let i = 0; i < j; i += 1) {
        const x = values[i] as number;
        const pair = this.#pairs[at] as PairMoments;
        at += 1;
        // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
        if (x !== x) continue;
        addToPair(pair, x, y);
      }
    }
  }

  // A column with its first number joins the members, if within the cap in column order.
  #join(column: number): void {
    const members = this.#members;
    if (members.length >= this.cap) {
      const last = members[members.length - 1] as number;
      if (column > last) return;
      this.#rebuild([...members.slice(0, -1), column].sort((a, b) => a - b));
    } else this.#rebuild([...members, column].sort((a, b) => a - b));
  }

  // Re-lays the pairs for new members, keeping the co-moments of pairs that stay.
  #rebuild(members: number[]): void {
    const pairs: PairMoments[] = [];
    for (let j = 1; j < members.length; j += 1)
      for (let i = 0; i < j; i += 1) pairs.push(this.#pair(members[i] as number, members[j] as number) ?? empty());
    for (const column of this.#members) this.#position[column] = -1;
    members.forEach((column, position) => {
      this.#position[column] = position;
    });
    this.#members = members;
    this.#pairs = pairs;
    this.#values = new Float64Array(members.length);
  }

  // The co-moments of columns a < b, when both are members.
  #pair(a: number, b: number): PairMoments | undefined {
    const i = this.#position[a] as number;
    const j = this.#position[b] as number;
    if (i < 0 || j < 0) return undefined;
    return this.#pairs[(j * (j - 1)) / 2 + i];
  }

  /** The state as plain data. */
  state(): CorrelationSetState {
    const numeric: number[] = [];
    this.#numeric.forEach((flag, index) => {
      if (flag) numeric.push(index);
    });
    return { members: [...this.#members], pairs: this.#pairs.map((pair) => ({ ...pair })), numeric };
  }

  /** Adds the rows another set saw (of the same table's columns): co-moments merge by Chan's formula. */
  merge(other: CorrelationSetState): void {
    for (const column of other.numeric) {
      if (this.#numeric[column] === 1) continue;
      this.#numeric[column] = 1;
      this.#join(column);
    }
    for (let j = 1; j < other.members.length; j += 1) {
      for (let i = 0; i < j; i += 1) {
        const incoming = other.pairs[(j * (j - 1)) / 2 + i] as PairMoments;
        const own = this.#pair(other.members[i] as number, other.members[j] as number);
        if (own && incoming.n > 0) mergeMoments(own, incoming);
      }
    }
  }

  /** Columns with numbers left out by the cap. */
  leftOut(): number[] {
    const out: number[] = [];
    const last = this.#members[this.#members.length - 1] ?? -1;
    this.#numeric.forEach((flag, index) => {
      if (flag && index > last && this.#members.length >= this.cap) out.push(index);
    });
    return out;
  }

  /** Pearson's r of every member pair (null below 3 shared rows or when a column is constant over them), with the rows shared. */
  correlations(): Array<{ a: number; b: number; pearson: number | null; rows: number }> {
    const out: Array<{ a: number; b: number; pearson: number | null; rows: number }> = [];
    for (let i = 0; i < this.#members.length; i += 1) {
      for (let j = i + 1; j < this.#members.length; j += 1) {
        const pair = this.#pairs[(j * (j - 1)) / 2 + i] as PairMoments;
        const denominator = Math.sqrt(pair.m2x * pair.m2y);
        out.push({
          a: this.#members[i] as number,
          b: this.#members[j] as number,
          pearson: pair.n >= 3 && denominator > 0 ? Math.max(-1, Math.min(1, pair.cxy / denominator)) : null,
          rows: pair.n,
        });
      }
    }
    return out;
  }
}

/** Adds one row where both values are numbers to a pair's co-moments (the pairwise form of Welford's method). */
export function addToPair(pair: PairMoments, x: number, y: number): void {
  pair.n += 1;
  const dx = x - pair.meanX;
  pair.meanX += dx / pair.n;
  const dy = y - pair.meanY;
  pair.meanY += dy / pair.n;
  pair.cxy += dx * (y - pair.meanY);
  pair.m2x += dx * (x - pair.meanX);
  pair.m2y += dy * (y - pair.meanY);
}

/** Adds the co-moments of other rows of the same pair of columns (Chan's formulas). */
export function mergeMoments(pair: PairMoments, other: PairMoments): void {
  const n = pair.n + other.n;
  const dx = other.meanX - pair.meanX;
  const dy = other.meanY - pair.meanY;
  const weight = (pair.n * other.n) / n;
  pair.cxy += other.cxy + dx * dy * weight;
  pair.m2x += other.m2x + dx * dx * weight;
  pair.m2y += other.m2y + dy * dy * weight;
  pair.meanX += (dx * other.n) / n;
  pair.meanY += (dy * other.n) / n;
  pair.n = n;
}
