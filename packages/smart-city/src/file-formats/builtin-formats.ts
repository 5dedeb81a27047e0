import { defineFileFormat, type FileFormat, ZIP_MAGIC } from './file-format.js';

const text = (
  id: string,
  extensions: string[],
  mimeTypes: string[],
  description: string,
  parser: string | undefined = id,
): FileFormat =>
  defineFileFormat({ id, kind: 'text', extensions, mimeTypes, description, ...(parser ? { parser } : {}) });

/**
 * The formats the SDK knows: what the Content Steward accepts by default and what the data mash
 * parses. `text/plain` is accepted for every text format (it is what clients send when they do
 * not know better); `application/vnd.ms-excel` for CSV is what browsers on Windows send for a
 * `.csv` file when Excel is installed.
 */
export const BUILTIN_FILE_FORMATS: readonly FileFormat[] = Object.freeze([
  text(
    'csv',
    ['csv'],
    [
      'text/csv',
      'application/csv',
      'text/x-csv',
      'text/comma-separated-values',
      'application/vnd.ms-excel',
      'text/plain',
    ],
    'Comma-separated values (the delimiter is guessed: `,`, `;`, `|`, tab)',
  ),
  text('tsv', ['tsv', 'tab'], ['text/tab-separated-values', 'text/plain'], 'Tab-separated values'),
  text('json', ['json'], ['application/json', 'text/json', 'text/plain'], 'A JSON document'),
  text(
    'jsonl',
    ['jsonl', 'ndjson'],
    ['application/jsonl', 'application/x-ndjson', 'application/json-lines', 'application/json', 'text/plain'],
    'JSON Lines: a JSON value a line',
  ),
  text('text', ['txt', 'text', 'log'], ['text/plain'], 'Plain text'),
  text('markdown', ['md', 'markdown'], ['text/markdown', 'text/x-markdown', 'text/plain'], 'Markdown'),
  text('html', ['html', 'htm'], ['text/html', 'application/xhtml+xml', 'text/plain'], 'An HTML page'),
  defineFileFormat({
    id: 'pdf',
    kind: 'binary',
    extensions: ['pdf'],
    mimeTypes: ['application/pdf'],
    magic: [{ bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] }], // %PDF-
    parser: 'pdf',
    description: 'A PDF document',
  }),
  defineFileFormat({
    id: 'xlsx',
    kind: 'binary',
    extensions: ['xlsx'],
    mimeTypes: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    zipEntryPrefix: 'xl/',
    parser: 'xlsx',
    description: 'An Excel workbook (Office Open XML)',
  }),
  defineFileFormat({
    id: 'docx',
    kind: 'binary',
    extensions: ['docx'],
    mimeTypes: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    zipEntryPrefix: 'word/',
    parser: 'docx',
    description: 'A Word document (Office Open XML)',
  }),
  defineFileFormat({
    id: 'zip',
    kind: 'binary',
    extensions: ['zip'],
    mimeTypes: ['application/zip', 'application/x-zip-compressed'],
    magic: ZIP_MAGIC,
    description: 'A zip archive (stored, not parsed); a name ending .zip also takes an XLSX or DOCX',
  }),
  defineFileFormat({
    id: 'png',
    kind: 'binary',
    extensions: ['png'],
    mimeTypes: ['image/png'],
    magic: [{ bytes: [0x89, 0x50, 0x4e, 0x47] }],
    description: 'A PNG image (stored, not parsed)',
  }),
  defineFileFormat({
    id: 'jpeg',
    kind: 'binary',
    extensions: ['jpg', 'jpeg'],
    mimeTypes: ['image/jpeg'],
    magic: [{ bytes: [0xff, 0xd8, 0xff] }],
    description: 'A JPEG image (stored, not parsed)',
  }),
  defineFileFormat({
    id: 'gif',
    kind: 'binary',
    extensions: ['gif'],
    mimeTypes: ['image/gif'],
    magic: [{ bytes: [0x47, 0x49, 0x46, 0x38] }], // GIF8
    description: 'A GIF image (stored, not parsed)',
  }),
  defineFileFormat({
    id: 'gzip',
    kind: 'binary',
    // No extension names it: it is recognised (a gzip named .csv is called a gzip), never accepted.
    extensions: [],
    mimeTypes: ['application/gzip'],
    magic: [{ bytes: [0x1f, 0x8b] }],
    description: 'gzip-compressed data (recognised, not accepted: nothing decompresses it)',
  }),
]);
