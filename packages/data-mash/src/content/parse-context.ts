import { PlatformError } from '@platform/foundations';
import { TableProfiler } from '../insights/table-profiler.js';
import { chunkText } from '../parsing/chunking.js';
import type { ParseWarning } from '../parsing/delimited.js';
import type { ExtractedTable } from '../parsing/documents/html.js';
import { decodeText } from '../parsing/text-decoding.js';
import type { ContentFormat } from './formats.js';
import type { ContentChunk, ParseContentInput, ParseContentOptions, ParseResult } from './parse-content.js';
import { TableWriter } from './table-writer.js';

/** Reads a whole body, refusing more than `maxBytes` with `FILE_TOO_LARGE`. */
export async function readAll(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.byteLength;
    if (size > maxBytes) {
      throw new PlatformError(
        'FILE_TOO_LARGE',
        `the file is larger than ${maxBytes} bytes, the limit for formats read whole`,
        {
          details: { limit: 'maxBytes', value: maxBytes },
        },
      );
    }
    parts.push(part);
  }
  return Buffer.concat(parts);
}

/** What one parse accumulates: tables being written, the text, the warnings. */
export class ParseContext {
  readonly input: ParseContentInput;
  readonly options: ParseContentOptions;
  readonly format: ContentFormat;
  readonly maxBytes: number;
  readonly report: ParseResult['report'] = { warnings: [], droppedWarnings: 0 };
  readonly #tables: TableWriter[] = [];
  #text: { text: string; chunks?: ContentChunk[]; title?: string; pageCount?: number } | undefined;

  constructor(input: ParseContentInput, options: ParseContentOptions, format: ContentFormat) {
    this.input = input;
    this.options = options;
    this.format = format;
    this.maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  }

  /** The file name without directory or extension, or `table`. */
  get baseName(): string {
    const name = this.input.fileName?.split(/[\\/]/).pop() ?? '';
    return name.includes('.') ? name.slice(0, name.lastIndexOf('.')) || 'table' : name || 'table';
  }

  warn(warnings: readonly ParseWarning[], dropped: number): void {
    this.report.warnings.push(...warnings);
    this.report.droppedWarnings += dropped;
  }

  /** `firstRowNumber`: the row the first data row is in the file (2 below a header on row 1). */
  openTable(name: string, columns: readonly string[], firstRowNumber = 1): TableWriter {
    const key = `parsed/${this.input.fileId}/table-${this.#tables.length + 1}.jsonl`;
    const profile = this.options.profile;
    const table = new TableWriter(
      this.input.blobStore,
      this.input.tenantId,
      key,
      name,
      [...columns],
      this.options.sampleValues ?? 100,
      profile ? new TableProfiler([...columns], profile).numberRowsFrom(firstRowNumber) : undefined,
      firstRowNumber,
    );
    this.#tables.push(table);
    return table;
  }

  async addTables(tables: readonly ExtractedTable[]): Promise<void> {
    for (const extracted of tables) {
      // The header is the table's first row.
      const table = this.openTable(extracted.name, extracted.columns, 2);
      for (const row of extracted.rows) await table.writeValues(row);
    }
  }

  /** Decodes a text body (BOM, UTF-8, Windows-1252 fallback) within `maxTextChars`. */
  async decode(body: AsyncIterable<Uint8Array>): Promise<string> {
    const limit = this.options.maxTextChars ?? 64 * 1024 * 1024;
    let text = '';
    for await (const part of decodeText(body, (encoding, warning) => {
      this.report.encoding = encoding;
      if (warning) this.warn([{ code: warning.code, message: warning.message }], 0);
    })) {
      text += part;
      if (text.length > limit) {
        throw new PlatformError(
          'PARSE_LIMIT_EXCEEDED',
          `the text is longer than ${limit} characters; raise maxTextChars to read it`,
          {
            details: { limit: 'maxTextChars', value: limit },
          },
        );
      }
    }
    return text;
  }

  setText(text: string, extra: { chunks?: ContentChunk[]; title?: string; pageCount?: number } = {}): void {
    this.#text = { text, ...extra };
  }

  async finish(): Promise<ParseResult> {
    const result: ParseResult = { format: this.format, report: this.report };
    if (this.#tables.length > 0) {
      const tables = [];
      for (const table of this.#tables) {
        await table.close();
        const profiler = table.profiler;
        tables.push({
          name: table.name,
          columns: table.columns,
          rowCount: table.rowCount,
          rowsKey: table.rowsKey,
          firstRowNumber: table.firstRowNumber,
          samples: table.samples(),
          ...(profiler && this.options.profile
            ? { profile: { options: this.options.profile, insights: profiler.result() } }
            : {}),
        });
      }
      result.structured = { tables };
    }
    if (this.#text) {
      const { text, chunks, title, pageCount } = this.#text;
      const textKey = `parsed/${this.input.fileId}/text.txt`;
      await this.input.blobStore.put(this.input.tenantId, textKey, new TextEncoder().encode(text), {
        contentType: 'text/plain; charset=utf-8',
      });
      result.unstructured = {
        textKey,
        characters: text.length,
        chunks: chunks ?? chunkText(text, this.options.chunks),
        ...(title ? { title } : {}),
        ...(pageCount !== undefined ? { pageCount } : {}),
      };
    }
    return result;
  }

  /** Aborts every table still being written: a BlobStore commits no object whose stream failed. */
  discard(error: Error): void {
    for (const table of this.#tables) table.abort(error);
  }
}
