import type { BlobInfo, BlobStore } from '@platform/foundations';
import type { TableProfiler } from '../insights/table-profiler.js';
import { detach } from '../insights/values.js';
import { JSON_BYTES_PER_BYTE, type JsonRowLayout, jsonRowLayout, writeJsonString } from './json-fields.js';
import { JsonLinesSink } from './json-lines-sink.js';
import type { ProfileRelay } from './profile-relay.js';

const decodeUtf8 = (bytes: Uint8Array, start: number, end: number) => (bytes as Buffer).toString('utf8', start, end);

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
  #layout: JsonRowLayout | undefined;
  #relay: ProfileRelay | undefined;

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
    this.#layout = undefined;
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

  /**
   * Rows are profiled by `relay` instead (on a worker thread): {@link writeValues} hands it each
   * row, {@link writeFields} leaves the rows to it (it scans the file's bytes itself), and
   * {@link close} takes the profile it made.
   */
  profileElsewhere(relay: ProfileRelay): void {
    this.#profiler = undefined;
    this.#relay = relay;
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
    const relayed = this.#relay?.values(values);
    const written = this.#sink.write(row);
    if (!relayed) return written;
    return written ? Promise.all([relayed, written]).then(() => undefined) : relayed;
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
        this.#layout = undefined;
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

  /**
   * A row as fields of UTF-8 bytes (the fast path of CSV/TSV): field `i` is
   * `bytes[starts[i], ends[i])`, `escaped[i]` 1 when its `""` stand for quotes; missing fields are
   * empty, extra ones dropped. Stores, samples and profiles exactly what {@link writeValues} does
   * for the decoded values, but makes strings only of the values it samples.
   */
  writeFields(
    bytes: Buffer,
    starts: Int32Array,
    ends: Int32Array,
    escaped: Uint8Array,
    count: number,
    ascii: boolean,
  ): undefined | Promise<void> {
    const columns = this.columns.length;
    const fields = Math.min(count, columns);
    for (let index = 0; index < fields; index += 1) {
      const start = starts[index] as number;
      const end = ends[index] as number;
      if (start === end) continue;
      const slot = this.#slotFor(index);
      if (slot >= 0) {
        const text = bytes.toString('utf8', start, end);
        (this.#samples[index] as string[])[slot] = escaped[index] === 1 ? text.replaceAll('""', '"') : text;
      }
    }
    this.#profiler?.addFields(bytes, starts, ends, escaped, count, decodeUtf8, ascii);
    this.rowCount += 1;
    if (!this.#layout) this.#layout = jsonRowLayout(this.columns);
    const layout = this.#layout;
    const span = fields > 0 ? (ends[fields - 1] as number) - (starts[0] as number) : 0;
    const sink = this.#sink;
    const out = sink.reserve(layout.prefixes.length + 2 * columns + 2 + JSON_BYTES_PER_BYTE * span);
    let at = sink.lineStart;
    const { order, prefixes, prefixStarts } = layout;
    if (order.length === 0) out[at++] = 0x7b;
    for (let key = 0; key < order.length; key += 1) {
      const to = prefixStarts[key + 1] as number;
      for (let from = prefixStarts[key] as number; from < to; from += 1) out[at++] = prefixes[from] as number;
      const index = order[key] as number;
      if (index < fields)
        at = writeJsonString(out, at, bytes, starts[index] as number, ends[index] as number, escaped[index] === 1);
      else {
        out[at++] = 0x22;
        out[at++] = 0x22;
      }
    }
    out[at++] = 0x7d;
    return sink.endLine(at);
  }

  #sample(index: number, value: unknown): void {
    if (value === null || value === undefined || value === '') return;
    const text = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    const slot = this.#slotFor(index);
    if (slot >= 0) (this.#samples[index] as string[])[slot] = detach(text);
  }

  // Where a column's next non-empty value goes in its sample (the end while it is not full), or
  // -1: reservoir sampling with a fixed-seed xorshift, so the same file gives the same sample.
  #slotFor(index: number): number {
    const seen = (this.#seen[index] as number) + 1;
    this.#seen[index] = seen;
    const length = (this.#samples[index] as string[]).length;
    if (length < this.#sampleSize) return length;
    this.#seed ^= this.#seed << 13;
    this.#seed ^= this.#seed >>> 17;
    this.#seed ^= this.#seed << 5;
    const slot = Math.floor(((this.#seed >>> 0) / 0x100000000) * seen);
    return slot < this.#sampleSize ? slot : -1;
  }

  samples(): Record<string, string[]> {
    const byColumn: Record<string, string[]> = {};
    this.columns.forEach((column, index) => {
      // Defined, not assigned: a column named `__proto__` is a column, not the object's prototype.
      Object.defineProperty(byColumn, column, {
        value: this.#samples[index] ?? [],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    return byColumn;
  }

  /** Stores what is left; with a relay, takes the profile it made (see {@link profiler}). */
  async close(): Promise<BlobInfo> {
    const stored = await this.#sink.close();
    const relay = this.#relay;
    if (relay) {
      this.#relay = undefined;
      const profiler = await relay.finish(this.columns, this.rowCount - relay.valueRows);
      this.#profiler = profiler.numberRowsFrom(this.firstRowNumber);
    }
    return stored;
  }

  abort(error: Error): void {
    this.#relay?.abort();
    this.#sink.abort(error);
  }
}

// The profiler reads the value as it reads its JSON round trip: not a Date (stored as ISO text) nor a bigint.
function readsBackAlike(value: unknown): boolean {
  return !(value instanceof Date) && typeof value !== 'bigint';
}
