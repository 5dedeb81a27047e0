import { PlatformError } from '@platform/foundations/errors';
import { defaultFileFormats, type FileFormat, type FileFormatRegistry } from '@platform/smart-city';

/**
 * The Content Pillar's parsers, each named after the format it reads. A format in the file format
 * registry (`@platform/smart-city`: `defaultFileFormats`, or a host's) names one of them as its
 * `parser`; `ParseResult.format` is the parser that read the file.
 */
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

/** Options of {@link detectFormat}. */
export interface DetectFormatOptions {
  /** The formats the file may be. Default `defaultFileFormats`: give the Content Steward the same. */
  formats?: FileFormatRegistry;
  /** For a zip archive: the names of its entries (which tell an XLSX from a DOCX). */
  zipEntries?: readonly string[];
}

function parserOf(format: FileFormat, fileName: string | undefined): ContentFormat {
  if ((CONTENT_FORMATS as readonly string[]).includes(format.parser as string)) return format.parser as ContentFormat;
  throw new PlatformError(
    'UNSUPPORTED_FILE_TYPE',
    `cannot parse '${fileName ?? 'the file'}': its format '${format.id}' names the parser '${format.parser}', which the Content Pillar does not have; its parsers: ${CONTENT_FORMATS.join(', ')}`,
    { details: { fileName, format: format.id, parser: format.parser } },
  );
}

/**
 * The parser for a file, from the format registry: binary formats from their bytes (a PDF named
 * `.txt` is a PDF), text formats from the name's extension (the Content Steward checked that the
 * bytes are text when it accepted the file). @throws `UNSUPPORTED_FILE_TYPE` naming what was found.
 */
export function detectFormat(
  fileName: string | undefined,
  head: Uint8Array,
  options: DetectFormatOptions = {},
): ContentFormat {
  const formats = options.formats ?? defaultFileFormats;
  const sniffed = formats.sniff(head, options.zipEntries).type;
  const detected = formats.get(sniffed);
  if (detected?.kind === 'binary' && detected.parser) return parserOf(detected, fileName);
  const named = fileName ? formats.forName(fileName) : undefined;
  // A zip named as a zip-packaged format (.xlsx, .docx) is checked by its parser; other binary
  // names need their magic bytes.
  if (named?.parser && (named.kind === 'text' || (sniffed === 'zip' && named.zipEntryPrefix !== undefined)))
    return parserOf(named, fileName);
  const extension = fileName?.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase() : '';
  const readable = formats.formats.filter((format) => format.parser).map((format) => format.id);
  throw new PlatformError(
    'UNSUPPORTED_FILE_TYPE',
    `cannot parse '${fileName ?? 'the file'}': its content looks like ${sniffed}${extension ? ` and its extension is .${extension}` : ''}; supported formats: ${readable.join(', ')}`,
    { details: { fileName, detected: sniffed, extension } },
  );
}
