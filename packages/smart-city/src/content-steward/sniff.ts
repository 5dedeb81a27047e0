/** File types the Content Steward recognises by content. */
export type DetectedType =
  | 'pdf'
  | 'xlsx'
  | 'docx'
  | 'zip'
  | 'png'
  | 'jpeg'
  | 'gif'
  | 'gzip'
  | 'executable'
  | 'json'
  | 'html'
  | 'text'
  | 'binary';

/** Families a declared file name or MIME type can claim. */
export type TypeFamily =
  | 'tabular-text'
  | 'text'
  | 'json'
  | 'html'
  | 'pdf'
  | 'xlsx'
  | 'docx'
  | 'zip'
  | 'image'
  | 'unknown';

const startsWith = (bytes: Uint8Array, signature: number[], offset = 0) =>
  bytes.length >= offset + signature.length && signature.every((value, index) => bytes[offset + index] === value);

/**
 * The type of a file from its first bytes (and, for zip containers, the names of its entries).
 * Executables (ELF, PE, Mach-O, scripts with a `#!` line) are recognised as such whatever their name.
 */
export function sniffType(head: Uint8Array, zipEntryNames?: readonly string[]): DetectedType {
  if (startsWith(head, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06])) {
    if (zipEntryNames?.some((name) => name.startsWith('xl/'))) return 'xlsx';
    if (zipEntryNames?.some((name) => name.startsWith('word/'))) return 'docx';
    return 'zip';
  }
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47])) return 'png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (
    startsWith(head, [0x7f, 0x45, 0x4c, 0x46]) || // ELF
    startsWith(head, [0x4d, 0x5a]) || // PE / DOS MZ
    startsWith(head, [0xcf, 0xfa, 0xed, 0xfe]) || // Mach-O 64
    startsWith(head, [0xce, 0xfa, 0xed, 0xfe]) || // Mach-O 32
    startsWith(head, [0xca, 0xfe, 0xba, 0xbe]) || // Mach-O universal / Java class
    startsWith(head, [0x23, 0x21]) // #! script
  ) {
    return 'executable';
  }
  return sniffText(head);
}

function sniffText(head: Uint8Array): DetectedType {
  // UTF-16 text (Excel's "Unicode Text" export) is half NUL bytes: its byte order mark names it.
  const utf16 = startsWith(head, [0xff, 0xfe]) ? 'utf-16le' : startsWith(head, [0xfe, 0xff]) ? 'utf-16be' : undefined;
  let start = 0;
  if (utf16) start = 2;
  else if (startsWith(head, [0xef, 0xbb, 0xbf])) start = 3;
  const sample = head.subarray(start, utf16 ? start + ((head.length - start) & ~1) : head.length);
  if (!utf16 && sample.includes(0)) return 'binary';
  // A multi-byte character may be cut at the end of the sample: decode leniently there only.
  const text = new TextDecoder(utf16 ?? 'utf-8', { fatal: false }).decode(sample);
  if (utf16 && text.includes('\u0000')) return 'binary';
  const replacements = (text.match(/\uFFFD/g) ?? []).length;
  if (replacements > 4) return 'binary';
  const trimmed = text.trimStart().toLowerCase();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return 'json';
  if (trimmed.startsWith('<!doctype html') || trimmed.startsWith('<html')) return 'html';
  return 'text';
}

const EXTENSION_FAMILIES: Readonly<Record<string, TypeFamily>> = {
  csv: 'tabular-text',
  tsv: 'tabular-text',
  txt: 'text',
  md: 'text',
  markdown: 'text',
  json: 'json',
  jsonl: 'json',
  ndjson: 'json',
  html: 'html',
  htm: 'html',
  pdf: 'pdf',
  xlsx: 'xlsx',
  docx: 'docx',
  zip: 'zip',
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  gif: 'image',
};

/** The family a file name's extension claims (`unknown` without a known extension). */
export function familyOfName(name: string): TypeFamily {
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  return EXTENSION_FAMILIES[extension] ?? 'unknown';
}

/** Detected types each claimed family accepts (text formats cannot be told apart by bytes alone). */
const ACCEPTS: Readonly<Record<TypeFamily, readonly DetectedType[]>> = {
  'tabular-text': ['text', 'json'],
  text: ['text', 'json', 'html'],
  json: ['json', 'text'],
  html: ['html', 'text'],
  pdf: ['pdf'],
  xlsx: ['xlsx'],
  docx: ['docx'],
  zip: ['zip', 'xlsx', 'docx'],
  image: ['png', 'jpeg', 'gif'],
  unknown: [],
};

/** Whether content of `detected` type may be accepted under a name claiming `family`. */
export function typeMatches(family: TypeFamily, detected: DetectedType): boolean {
  return ACCEPTS[family].includes(detected);
}

/** MIME types implied by each detected type, for checking a declared MIME type. */
export const MIME_TYPES: Readonly<Record<DetectedType, readonly string[]>> = {
  pdf: ['application/pdf'],
  xlsx: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  docx: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  zip: ['application/zip', 'application/x-zip-compressed'],
  png: ['image/png'],
  jpeg: ['image/jpeg'],
  gif: ['image/gif'],
  gzip: ['application/gzip'],
  executable: [],
  json: ['application/json', 'application/x-ndjson', 'application/jsonl', 'text/plain'],
  html: ['text/html'],
  text: ['text/plain', 'text/csv', 'text/tab-separated-values', 'text/markdown', 'application/csv'],
  binary: ['application/octet-stream'],
};
