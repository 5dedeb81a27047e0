import { ErrorCode, PlatformError } from '@platform/foundations';

/** Bytes that files of a binary format begin with (at `offset`). */
export interface MagicBytes {
  /** The bytes, e.g. `[0x25, 0x50, 0x44, 0x46, 0x2d]` (`%PDF-`). */
  readonly bytes: readonly number[];
  /** Where they are, counted from the first byte of the file. Default 0. */
  readonly offset?: number;
}

/**
 * One file format, as the Content Steward accepts it and the Content Pillar parses it. Build one
 * with {@link defineFileFormat}; put it in a registry with `defaultFileFormats.with(format)`.
 */
export interface FileFormat {
  /**
   * Its stable name (`csv`, `xlsx`): recorded on file records (`metadata.format`), and for a binary
   * format the type its files are detected as. Lower-case letters, digits, `.`, `_` and `-`.
   */
  readonly id: string;
  /**
   * `text`: told by the file name's extension; the bytes must be text (UTF-8, UTF-16 with a byte
   * order mark, or Windows-1252). `binary`: told by its magic bytes, whatever the name.
   */
  readonly kind: 'text' | 'binary';
  /** The extensions that name it, lower case, without the dot (`['csv']`). Unique in a registry. */
  readonly extensions: readonly string[];
  /**
   * The MIME types a client may declare for it, the usual one first (`application/octet-stream`,
   * "some bytes", is accepted for every format).
   */
  readonly mimeTypes: readonly string[];
  /** Binary formats: the signatures that identify their files (any one of them). Empty for text. */
  readonly magic: readonly MagicBytes[];
  /**
   * Formats packaged as a zip archive (XLSX, DOCX): the start of an entry name that tells them from
   * a plain zip (`xl/`). Their magic bytes are the zip signatures; the Content Steward inspects
   * the archive (entries, what it inflates to) before it tells which format it is.
   */
  readonly zipEntryPrefix?: string;
  /**
   * The parser that reads it. The data mash's are named after the formats they read (`csv`,
   * `tsv`, `json`, `jsonl`, `text`, `markdown`, `html`, `xlsx`, `pdf`, `docx`): a format of a
   * host's own names one of them (a `.psv` file read by `csv`). None: stored, not parsed.
   */
  readonly parser?: string;
  /** What it is, for people (`'Comma-separated values'`). */
  readonly description?: string;
}

/** What {@link defineFileFormat} takes: a {@link FileFormat}, with `magic` optional for text formats. */
export type FileFormatInput = Omit<FileFormat, 'magic'> & { readonly magic?: readonly MagicBytes[] };

/** The zip signatures: a local file header, and the end of an empty archive. */
export const ZIP_MAGIC: readonly MagicBytes[] = [
  { bytes: [0x50, 0x4b, 0x03, 0x04] },
  { bytes: [0x50, 0x4b, 0x05, 0x06] },
];

/** Detected types that are no format: a format may not take these ids. */
export const RESERVED_TYPES = ['executable', 'binary'] as const;
/** What text content is detected as (text formats cannot be told apart by their bytes alone). */
export const TEXT_TYPES = ['text', 'json', 'html'] as const;

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const EXTENSION = /^[a-z0-9][a-z0-9_+-]{0,31}$/;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * Defines a file format: checks it and returns it frozen, extensions and MIME types in lower
 * case (a leading dot is dropped). A binary format needs magic bytes (or a `zipEntryPrefix`,
 * which implies the zip signatures); a text format has none.
 * @throws {PlatformError} `CONFIG_INVALID` naming what is wrong.
 *
 * @example
 * ```ts
 * const psv = defineFileFormat({
 *   id: 'psv',
 *   kind: 'text',
 *   extensions: ['psv'],
 *   mimeTypes: ['text/plain'],
 *   parser: 'csv', // the delimiter is guessed: `|` is one the CSV parser tries
 *   description: 'Pipe-separated values',
 * });
 * const formats = defaultFileFormats.with(psv);
 * ```
 */
export function defineFileFormat(input: FileFormatInput): FileFormat {
  const fail = (why: string): never => {
    throw new PlatformError(ErrorCode.CONFIG_INVALID, `invalid file format '${String(input.id)}': ${why}`, {
      details: { format: input.id },
    });
  };
  if (typeof input.id !== 'string' || !ID.test(input.id))
    fail('its id must be lower-case letters, digits, ".", "_" or "-" (at most 64)');
  if ((RESERVED_TYPES as readonly string[]).includes(input.id)) fail(`'${input.id}' is a detected type, not a format`);
  if (input.kind !== 'text' && input.kind !== 'binary') fail("its kind must be 'text' or 'binary'");
  const extensions = input.extensions.map((extension) => extension.replace(/^\./, '').toLowerCase());
  for (const extension of extensions) if (!EXTENSION.test(extension)) fail(`'${extension}' is not an extension`);
  const mimeTypes = input.mimeTypes.map((mime) => mime.trim().toLowerCase());
  for (const mime of mimeTypes) if (!MIME.test(mime)) fail(`'${mime}' is not a MIME type`);
  let magic = input.magic ?? [];
  if (input.zipEntryPrefix !== undefined) {
    if (input.kind !== 'binary') fail('only a binary format has a zipEntryPrefix');
    if (input.zipEntryPrefix.length === 0) fail('its zipEntryPrefix is empty');
    magic = magic.length > 0 ? magic : ZIP_MAGIC;
  }
  for (const signature of magic) {
    const valid =
      signature.bytes.length > 0 &&
      signature.bytes.every((byte) => Number.isInteger(byte) && byte >= 0 && byte <= 255) &&
      (signature.offset === undefined || (Number.isInteger(signature.offset) && signature.offset >= 0));
    if (!valid) fail('its magic bytes must be bytes (0-255) at an offset of 0 or more');
  }
  if (input.kind === 'binary' && magic.length === 0) fail('a binary format needs magic bytes to be told by');
  if (input.kind === 'binary' && (TEXT_TYPES as readonly string[]).includes(input.id))
    fail(`'${input.id}' is what text content is detected as; a binary format needs another id`);
  if (input.kind === 'text' && magic.length > 0) fail('a text format is told by its name, not by magic bytes');
  return Object.freeze({
    ...input,
    extensions: Object.freeze(extensions),
    mimeTypes: Object.freeze(mimeTypes),
    magic: Object.freeze(
      magic.map((signature) => Object.freeze({ ...signature, bytes: Object.freeze([...signature.bytes]) })),
    ),
  });
}
