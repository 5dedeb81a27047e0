import { pickUniform, SeededRandom } from './sampling.js';
import { detach } from './values.js';

/** What a table's rows look like: the first few, and which values are missing in a sample of rows. */
export interface RowSampleResult {
  /** The first rows as read (values as text as written; `null` for a null of a JSON table), in column order. */
  firstRows: Array<Array<string | null>>;
  /**
   * Missing values in a uniform sample of rows, in row order: `row` (1-based data row) and a
   * string with one character a column, `1` where the value is missing.
   */
  missing: Array<{ row: number; pattern: string }>;
  /** The row number of `firstRows[0]` (rows as a spreadsheet shows the file: 2 below a header). */
  firstRowNumber: number;
}

/** A {@link RowSample} as plain data. */
export interface RowSampleState {
  rows: number;
  firstRows: Array<Array<string | null>>;
  missing: Array<{ row: number; pattern: string }>;
}

/**
 * Keeps the first `first` rows and a uniform reservoir of `size` rows' missing-value patterns, in
 * bounded memory: what a report's sample table and missing-values matrix need.
 */
export class RowSample {
  readonly #first: number;
  readonly #size: number;
  #rows = 0;
  readonly #firstRows: Array<Array<string | null>> = [];
  readonly #missing: Array<{ row: number; pattern: string }> = [];
  readonly #random = new SeededRandom(0x6c078965);

  constructor(first = 10, size = 200) {
    this.#first = first;
    this.#size = size;
  }

  /** True when the next row's values are kept (the caller then hands them to {@link keepValues}). */
  wantsValues(): boolean {
    return this.#firstRows.length < this.#first;
  }

  /** Keeps the values of the row about to be added. */
  keepValues(values: Array<string | null>): void {
    this.#firstRows.push(values.map((value) => (value === null ? null : detach(value))));
  }

  /** Adds a row by its missing values (`missing[i]` is 1 where column i is missing). */
  add(missing: Uint8Array): void {
    this.#rows += 1;
    if (this.#missing.length < this.#size) this.#missing.push({ row: this.#rows, pattern: patternOf(missing) });
    else {
      const slot = Math.floor(this.#random.next() * this.#rows);
      if (slot < this.#size) this.#missing[slot] = { row: this.#rows, pattern: patternOf(missing) };
    }
  }

  /** The state as plain data. */
  state(): RowSampleState {
    return { rows: this.#rows, firstRows: [...this.#firstRows], missing: [...this.#missing] };
  }

  /** Adds the rows that follow these (another part of the same table): its rows are numbered after these. */
  merge(other: RowSampleState): void {
    for (const row of other.firstRows) if (this.#firstRows.length < this.#first) this.#firstRows.push(row);
    const shifted = other.missing.map((entry) => ({ row: entry.row + this.#rows, pattern: entry.pattern }));
    const total = this.#rows + other.rows;
    if (this.#missing.length + shifted.length <= this.#size) this.#missing.push(...shifted);
    else {
      // A uniform sample of both parts: each part's share in proportion to its rows.
      const fromOwn = Math.min(this.#missing.length, Math.round((this.#size * this.#rows) / Math.max(1, total)));
      const fromOther = Math.min(shifted.length, this.#size - fromOwn);
      const own = pickUniform(this.#missing, fromOwn, this.#random);
      const theirs = pickUniform(shifted, fromOther, this.#random);
      this.#missing.splice(0, this.#missing.length, ...own, ...theirs);
    }
    this.#rows = total;
  }

  /** The first rows and the missing-value sample in row order. */
  result(): RowSampleResult {
    return {
      firstRows: [...this.#firstRows],
      missing: [...this.#missing].sort((a, b) => a.row - b.row),
      firstRowNumber: 1,
    };
  }
}

function patternOf(missing: Uint8Array): string {
  let pattern = '';
  for (const flag of missing) pattern += flag ? '1' : '0';
  return pattern;
}
