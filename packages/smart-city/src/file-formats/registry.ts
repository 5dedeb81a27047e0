import { ErrorCode, PlatformError } from '@platform/foundations';
import { BUILTIN_FILE_FORMATS } from './builtin-formats.js';
import { type FileFormat, TEXT_TYPES, ZIP_MAGIC } from './file-format.js';
import { isExecutable, sniffText, type TextEncoding } from './sniff-content.js';

/**
 * What a file's bytes are: the id of the binary format whose magic bytes they carry (`pdf`,
 * `xlsx`, `zip`, `png`, ... or a host's own), `text`, `json` or `html` for text, `executable`
 * for a native program, `binary` for anything else.
 */
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
  | 'binary'
  | (string & {});

/** What {@link FileFormatRegistry.sniff} found in a file's first bytes. */
export interface SniffedContent {
  type: DetectedType;
  /** For text: the encoding it is read in (a byte order mark's, else UTF-8, else Windows-1252). */
  encoding?: TextEncoding;
}

/**
 * The file formats a platform knows, one table for the Content Steward (what it accepts: names,
 * magic bytes, MIME types, text or binary) and the Content Pillar (which parser reads each).
 * Immutable: {@link FileFormatRegistry.with} gives a new registry. Hosts pass theirs in options
 * (`contentSteward({ formats })`, `dataMashModules({ formats })`); the default is
 * {@link defaultFileFormats}.
 */
export interface FileFormatRegistry {
  /** Every format, in the order they were given. */
  readonly formats: readonly FileFormat[];
  /** The format with this id. */
  get(id: string): FileFormat | undefined;
  /** The format a file name's extension names (case-insensitive); `undefined` when none does. */
  forName(name: string): FileFormat | undefined;
  /**
   * What a file is from its first bytes (up to 64 KiB), and for zip archives the names of their
   * entries (without them, any zip is `zip`). Executables first, then magic bytes (the longest
   * signature that matches wins; a zip-packaged format whose entries are there beats a plain
   * zip), then text or binary.
   */
  sniff(head: Uint8Array, zipEntryNames?: readonly string[]): SniffedContent;
  /**
   * Whether content detected as `detected` may be taken as `format`: a text format takes text
   * (`text`, `json`, `html`), a binary format its own type, and `zip` also a zip-packaged format.
   */
  accepts(format: FileFormat, detected: DetectedType): boolean;
  /**
   * A new registry with `formats` added after these.
   * @throws {PlatformError} `CONFIG_INVALID` when an id or an extension is taken already.
   */
  with(...formats: readonly FileFormat[]): FileFormatRegistry;
}

const extensionOf = (name: string) => (name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '');

const matches = (head: Uint8Array, format: FileFormat) =>
  format.magic.reduce((longest, { bytes, offset = 0 }) => {
    const match = head.length >= offset + bytes.length && bytes.every((value, index) => head[offset + index] === value);
    return match ? Math.max(longest, bytes.length) : longest;
  }, 0);

const isZip = (head: Uint8Array) =>
  ZIP_MAGIC.some(({ bytes }) => head.length >= bytes.length && bytes.every((value, index) => head[index] === value));

class Registry implements FileFormatRegistry {
  readonly formats: readonly FileFormat[];
  readonly #byId = new Map<string, FileFormat>();
  readonly #byExtension = new Map<string, FileFormat>();

  constructor(formats: readonly FileFormat[]) {
    for (const format of formats) {
      const taken = this.#byId.get(format.id);
      if (taken) throw conflict(`the id '${format.id}' is taken`, format, taken);
      this.#byId.set(format.id, format);
      for (const extension of format.extensions) {
        const claimed = this.#byExtension.get(extension);
        if (claimed) throw conflict(`the extension .${extension} is taken by '${claimed.id}'`, format, claimed);
        this.#byExtension.set(extension, format);
      }
    }
    this.formats = Object.freeze([...formats]);
    Object.freeze(this);
  }

  get(id: string): FileFormat | undefined {
    return this.#byId.get(id);
  }

  forName(name: string): FileFormat | undefined {
    return this.#byExtension.get(extensionOf(name));
  }

  sniff(head: Uint8Array, zipEntryNames?: readonly string[]): SniffedContent {
    if (isExecutable(head)) return { type: 'executable' };
    if (isZip(head)) {
      // Without its entries a zip is a zip: the Content Steward inspects it, then asks again.
      const packaged = zipEntryNames
        ? this.formats.find(
            (format) =>
              format.zipEntryPrefix !== undefined &&
              zipEntryNames.some((entry) => entry.startsWith(format.zipEntryPrefix as string)),
          )
        : undefined;
      if (packaged) return { type: packaged.id };
    }
    let best: FileFormat | undefined;
    let bestLength = 0;
    for (const format of this.formats) {
      if (format.zipEntryPrefix !== undefined) continue;
      const length = matches(head, format);
      if (length > bestLength) [best, bestLength] = [format, length];
    }
    if (best) return { type: best.id };
    if (isZip(head)) return { type: 'zip' };
    return sniffText(head);
  }

  accepts(format: FileFormat, detected: DetectedType): boolean {
    if (format.kind === 'text') return (TEXT_TYPES as readonly string[]).includes(detected);
    if (detected === format.id) return true;
    return format.id === 'zip' && this.#byId.get(detected)?.zipEntryPrefix !== undefined;
  }

  with(...formats: readonly FileFormat[]): FileFormatRegistry {
    return new Registry([...this.formats, ...formats]);
  }
}

function conflict(why: string, format: FileFormat, other: FileFormat): PlatformError {
  return new PlatformError(ErrorCode.CONFIG_INVALID, `cannot register the file format '${format.id}': ${why}`, {
    details: { format: format.id, conflictsWith: other.id },
  });
}

/**
 * A registry of exactly `formats` (use {@link defaultFileFormats}`.with(...)` to add to the
 * built-in ones, or filter `defaultFileFormats.formats` to leave some out).
 * @throws {PlatformError} `CONFIG_INVALID` when two formats share an id or an extension.
 */
export function createFileFormatRegistry(formats: readonly FileFormat[]): FileFormatRegistry {
  return new Registry(formats);
}

/**
 * The built-in formats: CSV (`.csv`), TSV (`.tsv`, `.tab`), JSON, JSON Lines (`.jsonl`,
 * `.ndjson`), text (`.txt`, `.text`, `.log`), Markdown, HTML, PDF, XLSX, DOCX, and zip archives
 * and PNG, JPEG and GIF images (stored, not parsed). gzip is recognised, never accepted.
 */
export const defaultFileFormats: FileFormatRegistry = createFileFormatRegistry(BUILTIN_FILE_FORMATS);
