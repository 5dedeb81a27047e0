import { pickUniform, SeededRandom } from './sampling.js';

/** An {@link AssociationSample} as plain data. */
export interface AssociationSampleState {
  rows: number;
  /** Per sampled row: each column's number (NaN when not one) and its value hash (0 when missing). */
  numbers: Float64Array[];
  hashes: Uint32Array[];
}

/** Spearman's rank correlation of two measures over the sampled rows where both are numbers. */
export interface RankCorrelation {
  a: number;
  b: number;
  spearman: number | null;
  rows: number;
}

/** Cramér's V between two categorical columns over the sampled rows where both have a value. */
export interface CategoricalAssociation {
  a: number;
  b: number;
  cramersV: number | null;
  rows: number;
}

/**
 * A uniform sample of rows (up to `size`, all of them in smaller tables), keeping of each row
 * only its numbers and the hashes of its values: what rank correlations (Spearman) and
 * associations between categories (Cramér's V) need, which a one-pass accumulator cannot give.
 * No value is decoded for it.
 */
export class AssociationSample {
  readonly size: number;
  #rows = 0;
  readonly #numbers: Float64Array[] = [];
  readonly #hashes: Uint32Array[] = [];
  readonly #random = new SeededRandom(0x1b873593);

  constructor(size: number) {
    this.size = size;
  }

  /** Offers one row (the arrays are copied when the row is kept). */
  add(numbers: Float64Array, hashes: Uint32Array): void {
    this.#rows += 1;
    if (this.#numbers.length < this.size) {
      this.#numbers.push(numbers.slice());
      this.#hashes.push(hashes.slice());
      return;
    }
    const slot = Math.floor(this.#random.next() * this.#rows);
    if (slot < this.size) {
      (this.#numbers[slot] as Float64Array).set(numbers);
      (this.#hashes[slot] as Uint32Array).set(hashes);
    }
  }

  /** Rows in the sample. */
  get kept(): number {
    return this.#numbers.length;
  }

  /** All rows are in the sample: figures from it are exact. */
  get complete(): boolean {
    return this.#numbers.length === this.#rows;
  }

  /** The state as plain data. */
  state(): AssociationSampleState {
    return {
      rows: this.#rows,
      numbers: this.#numbers.map((row) => row.slice()),
      hashes: this.#hashes.map((row) => row.slice()),
    };
  }

  /** Adds another sample of rows of the same table: a uniform sample of both, each in proportion to its rows. */
  merge(other: AssociationSampleState): void {
    const total = this.#rows + other.rows;
    const own = this.#numbers.map((numbers, index) => ({ numbers, hashes: this.#hashes[index] as Uint32Array }));
    const theirs = other.numbers.map((numbers, index) => ({ numbers, hashes: other.hashes[index] as Uint32Array }));
    let kept = [...own, ...theirs];
    if (kept.length > this.size) {
      const fromOwn = Math.min(own.length, Math.round((this.size * this.#rows) / Math.max(1, total)));
      kept = [
        ...pickUniform(own, fromOwn, this.#random),
        ...pickUniform(theirs, Math.min(theirs.length, this.size - fromOwn), this.#random),
      ];
    }
    this.#numbers.splice(0, this.#numbers.length, ...kept.map((row) => row.numbers));
    this.#hashes.splice(0, this.#hashes.length, ...kept.map((row) => row.hashes));
    this.#rows = total;
  }

  /** Spearman's rho between every two of `columns` (average ranks for ties). */
  spearman(columns: readonly number[]): RankCorrelation[] {
    const out: RankCorrelation[] = [];
    for (let i = 0; i < columns.length; i += 1) {
      for (let j = i + 1; j < columns.length; j += 1) {
        const a = columns[i] as number;
        const b = columns[j] as number;
        const xs: number[] = [];
        const ys: number[] = [];
        for (const row of this.#numbers) {
          const x = row[a] as number;
          const y = row[b] as number;
          if (!Number.isNaN(x) && !Number.isNaN(y)) {
            xs.push(x);
            ys.push(y);
          }
        }
        out.push({ a, b, spearman: xs.length >= 3 ? pearson(ranks(xs), ranks(ys)) : null, rows: xs.length });
      }
    }
    return out;
  }

  /** Cramér's V between every two of `columns`, from the contingency table of their values. */
  cramersV(columns: readonly number[]): CategoricalAssociation[] {
    const out: CategoricalAssociation[] = [];
    for (let i = 0; i < columns.length; i += 1) {
      for (let j = i + 1; j < columns.length; j += 1) {
        const a = columns[i] as number;
        const b = columns[j] as number;
        const cells = new Map<string, number>();
        const rowsOf = new Map<number, number>();
        const colsOf = new Map<number, number>();
        let n = 0;
        for (const row of this.#hashes) {
          const x = row[a] as number;
          const y = row[b] as number;
          if (x === 0 || y === 0) continue;
          n += 1;
          const key = `${x}:${y}`;
          cells.set(key, (cells.get(key) ?? 0) + 1);
          rowsOf.set(x, (rowsOf.get(x) ?? 0) + 1);
          colsOf.set(y, (colsOf.get(y) ?? 0) + 1);
        }
        const k = Math.min(rowsOf.size, colsOf.size);
        if (n < 2 || k < 2) {
          out.push({ a, b, cramersV: null, rows: n });
          continue;
        }
        let chi2 = 0;
        for (const [x, rowCount] of rowsOf) {
          for (const [y, colCount] of colsOf) {
            const expected = (rowCount * colCount) / n;
            const observed = cells.get(`${x}:${y}`) ?? 0;
            chi2 += ((observed - expected) * (observed - expected)) / expected;
          }
        }
        out.push({ a, b, cramersV: Math.min(1, Math.sqrt(chi2 / n / (k - 1))), rows: n });
      }
    }
    return out;
  }
}

// Ranks 1..n in value order, ties sharing their average rank.
function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((x, y) => x.value - y.value);
  const out = new Array<number>(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (
      end + 1 < order.length &&
      (order[end + 1] as { value: number }).value === (order[start] as { value: number }).value
    )
      end += 1;
    const rank = (start + end) / 2 + 1;
    for (let position = start; position <= end; position += 1) out[(order[position] as { index: number }).index] = rank;
    start = end + 1;
  }
  return out;
}

function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  let meanX = 0;
  let meanY = 0;
  for (let index = 0; index < n; index += 1) {
    meanX += (xs[index] as number) / n;
    meanY += (ys[index] as number) / n;
  }
  let cxy = 0;
  let vx = 0;
  let vy = 0;
  for (let index = 0; index < n; index += 1) {
    const dx = (xs[index] as number) - meanX;
    const dy = (ys[index] as number) - meanY;
    cxy += dx * dy;
    vx += dx * dx;
    vy += dy * dy;
  }
  const denominator = Math.sqrt(vx * vy);
  return denominator > 0 ? Math.max(-1, Math.min(1, cxy / denominator)) : null;
}
