import { uniqueColumns } from '../../parsing/delimited.js';
import { scanStrictRecords } from '../../parsing/delimited-strict.js';
import { TableProfiler, type TableProfilerOptions } from '../table-profiler.js';

/** How a delimited file streamed to a {@link StreamedProfile} is read: as the parser reads it. */
export interface StreamProfileTask {
  kind: 'stream';
  delimiter: string;
  crlf: boolean;
  maxColumns: number;
  maxBufferBytes: number;
  profiler: TableProfilerOptions;
}

const decodeUtf8 = (bytes: Uint8Array, start: number, end: number) => (bytes as Buffer).toString('utf8', start, end);

/**
 * Profiles a CSV/TSV as its parser reads it, elsewhere (a worker thread): it is given the file's
 * chunks as the parser's strict byte scan got them ({@link scanStrictRecords}), scans them the
 * same way (so it stops at the same record when the scan hands the rest to the general parser),
 * then the general parser's rows as values. The rows profiled are those stored, in their order:
 * the profile is the one the parser's thread would have made.
 */
export class StreamedProfile {
  readonly #chunks: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #profiler: TableProfiler | undefined;
  #scanned = 0;
  readonly #scan: Promise<unknown>;
  readonly #options: TableProfilerOptions;
  /** Called with the bytes of each chunk once the scan has taken it (for backpressure). */
  onTaken: (bytes: number) => void = () => undefined;

  constructor(task: StreamProfileTask) {
    this.#options = task.profiler;
    let header = true;
    this.#scan = scanStrictRecords(
      this.#input(),
      (bytes, starts, ends, escaped, count, ascii) => {
        if (header) {
          if (count > task.maxColumns) return false;
          header = false;
          const names = Array.from({ length: count }, (_, index) => {
            const text = bytes.toString('utf8', starts[index] as number, ends[index] as number);
            return escaped[index] === 1 ? text.replaceAll('""', '"') : text;
          });
          this.#profiler = new TableProfiler(
            uniqueColumns(names, () => undefined),
            task.profiler,
          );
          return true;
        }
        this.#scanned += 1;
        (this.#profiler as TableProfiler).addFields(bytes, starts, ends, escaped, count, decodeUtf8, ascii);
        return true;
      },
      {
        delimiter: task.delimiter.charCodeAt(0),
        crlf: task.crlf,
        maxBufferBytes: task.maxBufferBytes,
        maxFields: task.maxColumns * 2 + 64,
        afterChunk: () => undefined,
      },
    );
    // Seen here; awaited in `end`.
    this.#scan.catch(() => undefined);
  }

  async *#input(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk) {
        this.onTaken(chunk.byteLength);
        yield chunk;
      } else if (this.#ended) return;
      else await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** The next chunk of the file. */
  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#notify();
  }

  /** Rows the general parser read after the scan stopped, in order (the scan has stopped by then). */
  async values(rows: ReadonlyArray<readonly string[]>): Promise<void> {
    await this.#scan;
    const profiler = this.#profiler as TableProfiler;
    for (const row of rows) profiler.addValues(row);
  }

  /**
   * No more input: the profile, once the scan is done. `scannedRows` is how many rows the parser
   * read on its byte scan; a different count here is an error, not a wrong profile.
   */
  async end(columns: readonly string[], scannedRows: number): Promise<TableProfiler> {
    this.#ended = true;
    this.#notify();
    await this.#scan;
    if (this.#scanned !== scannedRows)
      throw new Error(`the profile read ${this.#scanned} rows where the parser read ${scannedRows}`);
    return this.#profiler ?? new TableProfiler(columns, this.#options);
  }
}
