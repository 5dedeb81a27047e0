/**
 * The `limit` largest (or smallest) values of a column with the rows they are on, kept sorted in
 * typed arrays: offering a value allocates nothing, which matters for columns (like ids) where
 * every row is a new extreme.
 */
export class Extremes {
  readonly #values: Float64Array;
  readonly #rows: Float64Array;
  readonly #largest: boolean;
  size = 0;

  constructor(limit: number, largest: boolean) {
    this.#values = new Float64Array(limit);
    this.#rows = new Float64Array(limit);
    this.#largest = largest;
  }

  // `a` ranks before `b`: more extreme first.
  #before(a: number, b: number): boolean {
    return this.#largest ? a > b : a < b;
  }

  /** Keeps the value if it is among the most extreme so far. */
  offer(row: number, value: number): void {
    const limit = this.#values.length;
    if (limit === 0) return;
    if (this.size === limit && !this.#before(value, this.#values[limit - 1] as number)) return;
    let position = this.size < limit ? this.size : limit - 1;
    while (position > 0 && this.#before(value, this.#values[position - 1] as number)) {
      this.#values[position] = this.#values[position - 1] as number;
      this.#rows[position] = this.#rows[position - 1] as number;
      position -= 1;
    }
    this.#values[position] = value;
    this.#rows[position] = row;
    if (this.size < limit) this.size += 1;
  }

  /** The kept values, most extreme first. */
  entries(): Array<{ row: number; value: number }> {
    return Array.from({ length: this.size }, (_, index) => ({
      row: this.#rows[index] as number,
      value: this.#values[index] as number,
    }));
  }
}
