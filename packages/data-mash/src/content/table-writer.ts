import type { BlobInfo, BlobStore } from '@platform/foundations';
import { detach } from '../insights/values.js';
import { JsonLinesSink } from './json-lines-sink.js';

/**
 * One table on its way to storage: rows go to a JSON Lines object, and a uniform sample of each
 * column's non-empty values is kept for semantic inference.
 */
export class TableWriter {
  readonly name: string;
  readonly rowsKey: string;
  columns: string[];
  rowCount = 0;
  readonly #sink: JsonLinesSink;
  readonly #samples: string[][];
  readonly #seen: number[];
  readonly #sampleSize: number;
  #seed = 0x9e3779b9;

  constructor(
    blobStore: BlobStore,
    tenantId: string,
    key: string,
    name: string,
    columns: string[],
    sampleSize: number,
  ) {
    this.name = name;
    this.rowsKey = key;
    this.columns = columns;
    this.#sampleSize = sampleSize;
    this.#sink = new JsonLinesSink(blobStore, tenantId, key);
    this.#samples = columns.map(() => []);
    this.#seen = columns.map(() => 0);
  }

  /** Columns discovered while writing (JSON Lines): samples follow the final order. */
  setColumns(columns: string[]): void {
    this.columns = columns;
  }

  /** A row as values in column order. */
  writeValues(values: readonly unknown[]): undefined | Promise<void> {
    const row: Record<string, unknown> = {};
    for (let index = 0; index < this.columns.length; index += 1) {
      const value = values[index];
      row[this.columns[index] as string] = value;
      this.#sample(index, value);
    }
    this.rowCount += 1;
    return this.#sink.write(row);
  }

  /** A row as an object; keys not yet known become columns. */
  writeObject(row: Readonly<Record<string, unknown>>): undefined | Promise<void> {
    for (const key of Object.keys(row)) {
      let index = this.columns.indexOf(key);
      if (index < 0) {
        index = this.columns.push(key) - 1;
        this.#samples.push([]);
        this.#seen.push(0);
      }
      this.#sample(index, row[key]);
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
