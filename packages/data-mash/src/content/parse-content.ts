import type { BlobStore } from '@platform/foundations';
import type { FileFormatRegistry, PiiType } from '@platform/smart-city';
import type { TableInsights, TableProfilerOptions } from '../insights/table-profiler.js';
import { type ChunkOptions, chunkText, type TextChunk } from '../parsing/chunking.js';
import type { DelimitedParseOptions, ParseWarning } from '../parsing/delimited.js';
import { parseDocx } from '../parsing/documents/docx.js';
import { extractHtml } from '../parsing/documents/html.js';
import { parseMarkdownStructure } from '../parsing/documents/markdown.js';
import { type PdfParseOptions, parsePdf } from '../parsing/documents/pdf.js';
import { parseXlsx, type XlsxParseOptions } from '../parsing/documents/xlsx.js';
import type { ZipDocumentLimits } from '../parsing/documents/zip-guard.js';
import { type JsonParseOptions, parseJsonDocument, parseJsonLines } from '../parsing/json.js';
import type { TextEncodingName } from '../parsing/text-decoding.js';
import { type ContentFormat, detectFormat } from './formats.js';
import { ParseContext, readAll } from './parse-context.js';
import type { TableWriter } from './table-writer.js';
import { parseTabular } from './tabular.js';

/** A chunk of extracted text, with where it came from. */
export interface ContentChunk extends TextChunk {
  /** For PDFs: the pages the chunk starts and ends on (1-based). */
  pageStart?: number;
  pageEnd?: number;
  /** For Markdown: the heading path of the section the chunk is in. */
  section?: string[];
}

/** One table of a parsed file, its rows stored as JSON Lines. */
export interface ParsedTable {
  /** The sheet name (XLSX), caption or `table N` (HTML, DOCX), or the file's base name. */
  name: string;
  columns: string[];
  rowCount: number;
  /** BlobStore key of the rows, one JSON object a line, keyed by column. */
  rowsKey: string;
  /**
   * The row the first data row is in the file, as a spreadsheet or editor numbers rows: 2 for a
   * CSV or TSV with a header and for HTML and DOCX tables; the sheet row for XLSX; 1 for JSON
   * and JSON Lines (records). Row numbers in insights count from it; parse warnings use the
   * same numbering. Absent in results stored before it existed (then 1).
   */
  firstRowNumber?: number;
  /** Up to `sampleValues` non-empty values of each column (a uniform sample), for semantic inference. */
  samples: Record<string, string[]>;
  /**
   * With the `profile` option: the table's insights, computed while its rows were parsed, and
   * the profiler options they were computed with; the Insights Pillar uses them instead of
   * reading the stored rows back when its options are the same, and the semantic phase takes
   * each column's type from them. Absent when the rows could not be profiled on the way: JSON
   * Lines tables (their columns are known only at the end) and tables with `Date` values; the
   * semantic phase then infers types from the samples by the same rules, and the Insights
   * Pillar profiles the stored copy.
   */
  profile?: { options: TableProfilerOptions; insights: TableInsights };
  /** The columns that hold personal data, and its kind (set by the Content Pillar's classification). */
  pii?: Record<string, PiiType>;
}

/** What the Content Pillar made of a file. */
export interface ParseResult {
  format: ContentFormat;
  /**
   * How personal data was treated in the samples, profiles and chunk texts of this result (the
   * Content Pillar's `mask`, `hash` or `keep`); absent when it was not looked for.
   */
  piiTreatment?: 'mask' | 'hash' | 'keep';
  /** Tables: every CSV/TSV/JSON/XLSX file, and the tables found in HTML and DOCX. */
  structured?: { tables: ParsedTable[] };
  /** Text: text, Markdown, PDF, DOCX and HTML. Chunk offsets point into the stored text. */
  unstructured?: {
    /** BlobStore key of the extracted text (UTF-8). */
    textKey: string;
    characters: number;
    chunks: ContentChunk[];
    title?: string;
    pageCount?: number;
  };
  report: {
    warnings: ParseWarning[];
    droppedWarnings: number;
    encoding?: TextEncodingName;
    delimiter?: string;
  };
}

/** The file to parse and where its parsed copies go. */
export interface ParseContentInput {
  tenantId: string;
  /** Names the parsed copies: `parsed/<fileId>/...`. */
  fileId: string;
  fileName?: string;
  body: Uint8Array | AsyncIterable<Uint8Array>;
  blobStore: BlobStore;
}

/** Options and limits of {@link parseContent}. */
export interface ParseContentOptions {
  /** Skips detection. */
  format?: ContentFormat;
  /**
   * The file formats files may be, and the parser each is read with. Default `defaultFileFormats`
   * (`@platform/smart-city`); give the Content Steward the same registry.
   */
  formats?: FileFormatRegistry;
  /** Chunking of extracted text (default about 1,000 characters with 150 of overlap). */
  chunks?: ChunkOptions;
  /** Largest file read whole (every format but CSV, TSV and JSON Lines, which stream). Default 256 MiB. */
  maxBytes?: number;
  /** Largest extracted text. Default 64 Mi characters. */
  maxTextChars?: number;
  /** Values kept per column for semantic inference. Default 100. */
  sampleValues?: number;
  /**
   * Profiles each table's rows while they are parsed, with these profiler options, into
   * `ParsedTable.profile` (one pass over the file instead of two). Default: off.
   */
  profile?: TableProfilerOptions | false;
  /**
   * With `profile`: profiles a CSV/TSV larger than 16 MiB on a worker thread while this thread
   * stores its rows (the same figures). Default off: it pays only with a core to spare (on a
   * loaded machine it was slower) and adds 60-70 MB of peak RSS (docs/adr/0022).
   */
  profileWorker?: boolean;
  csv?: DelimitedParseOptions;
  json?: JsonParseOptions;
  xlsx?: XlsxParseOptions;
  /** Limits of zip-based formats (XLSX, DOCX): what the archive may inflate to. */
  zip?: ZipDocumentLimits;
  pdf?: PdfParseOptions;
}

async function* chunksOf(body: Uint8Array | AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  if (body instanceof Uint8Array) yield body;
  else yield* body;
}

const PIECE_BYTES = 64 * 1024;

/**
 * The body in pieces of at most 64 KiB (views, not copies), for the streaming parsers: each
 * decoded text stays small, however the body comes (a BlobStore may stream a whole object as one
 * array, a caller may give one). A single text of many megabytes is slow to check line by line:
 * 30 MB given as one array took two minutes to parse, in pieces under a second.
 */
async function* pieces(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  for await (const part of body) {
    if (part.byteLength <= PIECE_BYTES) yield part;
    else for (let at = 0; at < part.byteLength; at += PIECE_BYTES) yield part.subarray(at, at + PIECE_BYTES);
  }
}

/**
 * The Content Pillar's parsing step: detects the format, parses the file (tabular formats as
 * streams), stores each table's rows as JSON Lines and the extracted text in the BlobStore under
 * `parsed/<fileId>/`, and returns the structure, the text chunks and a report of warnings.
 * Bad input is a typed error (`UNSUPPORTED_FILE_TYPE`, `PARSE_LIMIT_EXCEEDED`, `MALFORMED_FILE`,
 * `ENCRYPTED_FILE`, `FILE_TOO_LARGE`, `VALIDATION_FAILED`); a failed parse commits no copy (its
 * writes are aborted), so copies stored by an earlier parse of the same file stay as they were.
 */
export async function parseContent(input: ParseContentInput, options: ParseContentOptions = {}): Promise<ParseResult> {
  const iterator = chunksOf(input.body)[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? new Uint8Array() : first.value;
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      if (!first.done) yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    },
  };
  const format =
    options.format ?? detectFormat(input.fileName, head, options.formats ? { formats: options.formats } : {});
  const context = new ParseContext(input, options, format);
  try {
    await PARSERS[format](rest, context);
    return await context.finish();
  } catch (error) {
    context.discard(error as Error);
    throw error;
  }
}

type FormatParser = (body: AsyncIterable<Uint8Array>, context: ParseContext) => Promise<void>;

const PARSERS: Readonly<Record<ContentFormat, FormatParser>> = {
  csv: (body, context) => parseTabular(pieces(body), context),
  tsv: (body, context) => parseTabular(pieces(body), context, '\t'),
  jsonl: async (body, context) => {
    let table: TableWriter | undefined;
    const report = await parseJsonLines(
      pieces(body),
      (row) => {
        // Columns of JSON Lines are known only at the end: rows are stored as they come.
        table ??= context.openTable(context.baseName, []);
        return table.writeObject(row);
      },
      context.options.json,
    );
    context.warn(report.warnings, report.droppedWarnings);
    if (table) table.setColumns(report.columns);
    else context.openTable(context.baseName, report.columns);
  },
  json: async (body, context) => {
    const bytes = await readAll(body, context.maxBytes);
    const { rows, report } = await parseJsonDocument(chunksOf(bytes), context.options.json);
    context.warn(report.warnings, report.droppedWarnings);
    const table = context.openTable(context.baseName, report.columns);
    for (const row of rows) await table.writeObject(row);
  },
  text: async (body, context) => {
    context.setText(await context.decode(body));
  },
  markdown: async (body, context) => {
    const structure = parseMarkdownStructure(await context.decode(body));
    const chunks: ContentChunk[] = [];
    for (const section of structure.sections) {
      for (const chunk of chunkText(structure.text.slice(section.start, section.end), context.options.chunks)) {
        chunks.push({
          ...chunk,
          index: chunks.length,
          start: chunk.start + section.start,
          end: chunk.end + section.start,
          section: section.path,
        });
      }
    }
    context.setText(structure.text, { chunks });
  },
  html: async (body, context) => {
    const content = extractHtml(await context.decode(body));
    await context.addTables(content.tables);
    context.setText(content.text, content.title ? { title: content.title } : {});
  },
  docx: async (body, context) => {
    const content = await parseDocx(await readAll(body, context.maxBytes), context.options.zip);
    for (const message of content.messages) context.warn([{ code: 'DOCUMENT_PROBLEM', message }], 0);
    await context.addTables(content.tables);
    context.setText(content.text);
  },
  pdf: async (body, context) => {
    const content = await parsePdf(await readAll(body, context.maxBytes), context.options.pdf);
    context.warn(content.warnings, 0);
    // Pages are joined by blank lines; each chunk says which pages it spans.
    const starts: number[] = [];
    let text = '';
    for (const page of content.pages) {
      starts.push(text.length);
      text += `${page}\n\n`;
    }
    const pageAt = (offset: number) => {
      let page = 0;
      while (page + 1 < starts.length && (starts[page + 1] as number) <= offset) page += 1;
      return page + 1;
    };
    const chunks = chunkText(text, context.options.chunks).map((chunk) => ({
      ...chunk,
      pageStart: pageAt(chunk.start),
      pageEnd: pageAt(Math.max(chunk.start, chunk.end - 1)),
    }));
    context.setText(text, { chunks, pageCount: content.pageCount, ...(content.title ? { title: content.title } : {}) });
  },
  xlsx: async (body, context) => {
    let table: TableWriter | undefined;
    let sheetName: string | undefined;
    const report = await parseXlsx(
      await readAll(body, context.maxBytes),
      (sheet, row, _index, rowNumber) => {
        if (sheet !== sheetName) {
          sheetName = sheet;
          table = context.openTable(sheet, Object.keys(row), rowNumber);
        }
        return (table as TableWriter).writeObject(row);
      },
      { ...context.options.zip, ...context.options.xlsx },
    );
    context.warn(report.warnings, report.droppedWarnings);
    // Sheets with a header and no rows are tables too.
    for (const sheet of report.sheets)
      if (sheet.rowCount === 0 && sheet.columns.length > 0) context.openTable(sheet.name, sheet.columns);
  },
};
