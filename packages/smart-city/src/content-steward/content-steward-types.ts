import type { Readable } from 'node:stream';
import type { BlobBody } from '@platform/foundations';
import { ErrorCode, PlatformError } from '@platform/foundations';
import type { DetectedType, FileFormatRegistry } from '../file-formats/registry.js';
import type { ZipLimits } from './zip-inspection.js';

/** A file handed to the Content Steward. */
export interface IncomingFile {
  /** The file's name as uploaded (a base name: no directories). */
  name: string;
  /** The MIME type the client declared, if any. */
  declaredType?: string;
  data: BlobBody;
  /**
   * The sha256 the caller computed before the upload (e.g. the key its flow is named by). When the
   * bytes read now differ (the file changed in between), the upload is refused with `FILE_CHANGED`
   * and nothing is kept.
   */
  sha256?: string;
}

/**
 * The verdict of a pluggable scanner (antivirus, DLP, ...). `signature` names what an antivirus
 * found (e.g. `Eicar-Test-Signature`); the Content Steward records it in the file's metadata as
 * `scanSignature`.
 */
export type ScanVerdict = { clean: true } | { clean: false; reason: string; signature?: string };

/**
 * Scans a stored file; receives a fresh stream of its bytes (`open`, read from the blob store).
 * Throw when the file could not be scanned: never answer "clean" for a file not scanned (see
 * `ContentStewardOptions.scanFailure`).
 */
export type FileScanner = (file: {
  name: string;
  detectedType: DetectedType;
  sizeBytes: number;
  sha256: string;
  open: () => Promise<Readable>;
}) => Promise<ScanVerdict>;

/** A format conversion hook: turns a file of one detected type into another format. */
export interface FormatConverter {
  from: DetectedType;
  /** The target format's name, also the converted file's extension (e.g. `csv`, `txt`). */
  to: string;
  convert(bytes: Uint8Array): Promise<Uint8Array>;
}

/** Limits and hooks of the Content Steward. */
export interface ContentStewardOptions {
  /** Largest accepted file. Default: the platform's `limits.maxFileBytes` (`PLATFORM_MAX_FILE_BYTES`, 100 MiB unless set). */
  maxSizeBytes?: number;
  /** Limits for XLSX, DOCX and ZIP files. Defaults: 10,000 entries, 500 MiB, ratio 200. */
  zip?: Partial<ZipLimits>;
  /**
   * The formats files may be: names, magic bytes, MIME types, text or binary. Default
   * {@link defaultFileFormats}; give the data mash the same registry (`dataMashModules({ formats })`
   * does both) so that what is accepted is what is parsed.
   */
  formats?: FileFormatRegistry;
  /**
   * Detected types accepted at all, on top of the name, MIME type and content agreeing. Default:
   * every type but `executable` and `binary` (gzip is recognised, and no built-in format's name takes it).
   */
  acceptedTypes?: readonly DetectedType[];
  /** Scans each file that passed validation, after its bytes are stored (e.g. `clamdScanner(...)`, ClamAV). */
  scanner?: FileScanner;
  /**
   * What happens to a file when the scanner throws (unreachable, timed out, the file too large
   * for it). `'reject'` (default, fail closed): the upload is refused, nothing is kept, with the
   * scanner's `FILE_TOO_LARGE` or else `SERVICE_UNAVAILABLE` (retryable). `'allow'` (fail open):
   * the file is stored as valid, unscanned, with a `warn` event `content_steward.scan_failed`
   * and `scanError` in its metadata.
   */
  scanFailure?: 'reject' | 'allow';
  /** Format conversion hooks, used by `convertFile`. */
  converters?: readonly FormatConverter[];
}

/** @internal What validation concluded about a stored file. */
export type ValidationVerdict = { detectedType: DetectedType; reason?: string; metadata: Record<string, unknown> };

/** What processing a file produced (the infrastructure phase's handoff). */
export interface ProcessedFile {
  fileId: string;
  /** `valid`: stored and usable; `quarantined`: stored for inspection, refused for use; `duplicate`: the tenant already has these bytes. */
  validationStatus: 'valid' | 'quarantined' | 'duplicate';
  /** The blob key of the bytes (in the tenant's space). */
  storageLocation: string;
  sha256: string;
  sizeBytes: number;
  detectedType: DetectedType;
  /** Why the file was quarantined. */
  reason?: string;
  traceId: string | undefined;
}

/**
 * A file name the Content Steward accepts, returned as it is: not empty, valid Unicode, at most
 * 255 bytes, without control characters, bidirectional controls or a path.
 * @throws {PlatformError} `VALIDATION_FAILED` (`details.field: 'name'`) saying what is wrong.
 */
export function checkFileName(name: unknown): string {
  const fail = (why: string) => {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `invalid file name: ${why}`, { details: { field: 'name' } });
  };
  if (typeof name !== 'string' || name.trim().length === 0) return fail('it is empty');
  if (!name.isWellFormed()) return fail('it is not valid Unicode (lone surrogate)');
  if (Buffer.byteLength(name) > 255) return fail('it is longer than 255 bytes');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return fail('it contains a control character');
  // Bidi embeddings, overrides and isolates make a name read otherwise than it is (`invoice\u202Efdp.exe`).
  if (/[\u202a-\u202e\u2066-\u2069]/.test(name)) return fail('it contains a bidirectional text control');
  if (/[/\\]/.test(name) || name === '.' || name === '..') return fail('it contains a path (/ or \\ or a dot segment)');
  return name;
}
