import { PlatformError } from '@platform/foundations/errors';
import { sniffType } from '@platform/smart-city';

/** File formats the Content Pillar parses. */
export const CONTENT_FORMATS = [
  'csv',
  'tsv',
  'json',
  'jsonl',
  'text',
  'markdown',
  'html',
  'xlsx',
  'pdf',
  'docx',
] as const;
/** One of {@link CONTENT_FORMATS}. */
export type ContentFormat = (typeof CONTENT_FORMATS)[number];

const BY_EXTENSION: Readonly<Record<string, ContentFormat>> = {
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  txt: 'text',
  text: 'text',
  log: 'text',
  md: 'markdown',
  markdown: 'markdown',
  htm: 'html',
  html: 'html',
  xlsx: 'xlsx',
  pdf: 'pdf',
  docx: 'docx',
};

/**
 * The format of a file: binary formats from their bytes (a PDF named `.txt` is a PDF), text
 * formats from the extension. @throws `UNSUPPORTED_FILE_TYPE` naming what was found.
 */
export function detectFormat(
  fileName: string | undefined,
  head: Uint8Array,
  zipEntries?: readonly string[],
): ContentFormat {
  const sniffed = sniffType(head, zipEntries);
  if (sniffed === 'pdf' || sniffed === 'xlsx' || sniffed === 'docx') return sniffed;
  const extension = fileName?.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase() : '';
  const byName = BY_EXTENSION[extension];
  // A zip named .xlsx or .docx is checked by its parser; other binary names need matching bytes.
  const binary = byName === 'pdf' || byName === 'xlsx' || byName === 'docx';
  if (byName && (!binary || (sniffed === 'zip' && byName !== 'pdf'))) return byName;
  throw new PlatformError(
    'UNSUPPORTED_FILE_TYPE',
    `cannot parse '${fileName ?? 'the file'}': its content looks like ${sniffed}${extension ? ` and its extension is .${extension}` : ''}; supported formats: ${CONTENT_FORMATS.join(', ')}`,
    { details: { fileName, detected: sniffed, extension } },
  );
}
