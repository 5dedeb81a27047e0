import type { BlobInfo, BlobStore } from '@platform/foundations';
import type { TableProfiler } from '../insights/table-profiler.js';
import { detach } from '../insights/values.js';
import { JsonLinesSink } from './json-lines-sink.js';

/**
 * One table on its way to storage: rows go to a JSON Lines object, and a uniform sample of each
 * column's non-empty values is kept for semantic inference. Given a {@link TableProfiler}, rows
 * are also profiled as they pass, so the Insights Pillar need not read the stored copy back.
 */
export class TableWriter {
  readonly name: string;
  /** The row the first data row is in the file, as a spreadsheet or editor numbers rows. */
  readonly firstRowNumber: number;
  readonly rowsKey: string;
  columns: string[];
  rowCount = 0;
  readonly #sink: JsonLinesSink;
  readonly #samples: string[][];
  readonly #seen: number[];
  readonly #sampleSize: number;
  #seed = 0x9e3779b9;
  #profiler: TableProfiler | undefined;

  constructor(
    blobStore: BlobStore,
    tenantId: string,
    key: string,
    name: string,
    columns: string[],
    sampleSize: number,
    profiler?: TableProfiler,
    firstRowNumber = 1,
  ) {
    this.name = name;
    this.firstRowNumber = firstRowNumber;
    this.rowsKey = key;
    this.columns = columns;
    this.#sampleSize = sampleSize;
    this.#profiler = profiler;
    this.#sink = new JsonLinesSink(blobStore, tenantId, key);
    this.#samples = columns.map(() => []);
    this.#seen = columns.map(() => 0);
  }

  /** Columns discovered while writing (JSON Lines): samples follow the final order. */
  setColumns(columns: string[]): void {
    this.columns = columns;
    this.#profiler = undefined;
  }

  /**
   * The profile of the rows written, when every row was profiled as it passed: rows of the
   * table's fixed columns, each value one whose JSON round trip the profiler reads alike (text,
   * numbers, booleans, nulls, plain objects and arrays; not `Date`s), so the profiler saw what a
   * reader of the stored JSON Lines gets back. Otherwise undefined.
   */
  get profiler(): TableProfiler | undefined {
    return this.#profiler;
  }

  /** A row as values in column order. */
  writeValues(values: readonly unknown[]): undefined | Promise<void> {
    const row: Record<string, unknown> = {};
    const profiler = this.#profiler;
    let profiled = profiler !== undefined;
    for (let index = 0; index < this.columns.length; index += 1) {
      const value = values[index];
      const column = this.columns[index] as string;
      // `__proto__` assigned on a plain object would set its prototype, and the value be lost.
      if (column === '__proto__') Object.defineProperty(row, column, { value, enumerable: true, writable: true });
      else row[column] = value;
      this.#sample(index, value);
      if (profiled && !readsBackAlike(value)) profiled = false;
    }
    if (profiler) {
      // A value that could read back from JSON differently (a Date): the Insights Pillar then
      // profiles the stored copy instead.
      if (profiled) profiler.addValues(values);
      else this.#profiler = undefined;
    }
    this.rowCount += 1;
    return this.#sink.write(row);
  }

  /** A row as an object; keys not yet known become columns. */
  writeObject(row: Readonly<Record<string, unknown>>): undefined | Promise<void> {
    for (const key of Object.keys(row)) {
      let index = this.columns.indexOf(key);
      if (index < 0) {
        // A new column: rows profiled so far lack it, so the profile is of no use.
        index = this.columns.push(key) - 1;
        this.#samples.push([]);
        this.#seen.push(0);
        this.#profiler = undefined;
      }
      this.#sample(index, row[key]);
    }
    const profiler = this.#profiler;
    if (profiler) {
      const values = this.columns.map((column) => row[column]);
      if (values.every(readsBackAlike)) profiler.addValues(values);
      else this.#profiler = undefined;
    }
    this.rowCount += 1;
    return this.#sink.write(row);
  }

  #sample(index: number, value: unknown): void {
    if (value === null || value === undefined || value === '') return;
    const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const seen = (this.#seen[index] as number) + 1;
    this.#seen[index] = seen;
    const sample = this.#samples[index] as string[];
    if (sample.length < this.#sampleSize) sample.push(detach(text));
    else {
      // Reservoir sampling with a fixed-seed xorshift: the same file gives the same sample.
      this.#seed ^= this.#seed << 13;
      this.#seed ^= this.#seed >>> 17;
      this.#seed ^= this.#seed << 5;
      const slot = Math.floor(((this.#seed >>> 0) / 0x100000000) * seen);
      if (slot < this.#sampleSize) sample[slot] = detach(text);
    }
  }

  samples(): Record<string, string[]> {
    const byColumn: Record<string, string[]> = {};
    this.columns.forEach((column, index) => {
      byColumn[column] = this.#samples[index] ?? [];
    });
    return byColumn;
  }

  close(): Promise<BlobInfo> {
    return this.#sink.close();
  }

  abort(error: Error): void {
    this.#sink.abort(error);
  }
}

// The profiler reads the value as it reads its JSON round trip: not a Date (stored as ISO text) nor a bigint.
function readsBackAlike(value: unknown): boolean {
  return !(value instanceof Date) && typeof value !== 'bigint';
}
