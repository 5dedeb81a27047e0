import { type BlobStore, ErrorCode, PlatformError } from '@platform/foundations';
import type { Observability } from '@platform/observability';
import { type DetectedType, defaultFileFormats } from '../file-formats/registry.js';
import type { ContentStewardOptions, ScanVerdict, ValidationVerdict } from './content-steward-types.js';
import { inspectZip, type ZipLimits } from './zip-inspection.js';

const NEVER_ACCEPTED: readonly DetectedType[] = ['executable', 'binary'];

/** What validating a stored file reads: the blob store holding its bytes, the steward's options, and where to log. */
export interface ValidationDeps {
  blobs: BlobStore;
  options: ContentStewardOptions;
  observability: Pick<Observability, 'logOperation'>;
}

/** A file already stored under `key`, with what streaming it there measured. */
export interface StoredUpload {
  tenantId: string;
  key: string;
  name: string;
  declaredType: string | undefined;
  /** The first bytes, for sniffing. */
  head: Buffer;
  sizeBytes: number;
  sha256: string;
}

/**
 * Decides whether a stored file is accepted or quarantined (and why): its type sniffed from the
 * bytes against its name and declared MIME type, zip-based formats inspected within their limits,
 * then the scanner.
 * @throws {PlatformError} `SERVICE_UNAVAILABLE` when the scanner fails and `scanFailure` is not `'allow'`.
 */
export async function validateStoredFile(deps: ValidationDeps, file: StoredUpload): Promise<ValidationVerdict> {
  const { tenantId, key, name, declaredType, head, sizeBytes, sha256 } = file;
  const options = deps.options;
  const formats = options.formats ?? defaultFileFormats;
  const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  let sniffed = formats.sniff(head);
  let detectedType = sniffed.type;
  const metadata: Record<string, unknown> = { extension, sizeBytes };
  const quarantine = (reason: string) => ({ detectedType, reason, metadata });

  if (detectedType === 'zip') {
    const limits: ZipLimits = {
      maxEntries: 10_000,
      maxDecompressedBytes: 500 * 1024 * 1024,
      maxCompressionRatio: 200,
      ...options.zip,
    };
    const inspection = inspectZip(await deps.blobs.get(tenantId, key), limits);
    if (!inspection.ok) return quarantine(`archive refused: ${inspection.reason}`);
    sniffed = formats.sniff(head, inspection.entries);
    detectedType = sniffed.type;
    metadata.archiveEntries = inspection.entries.length;
    metadata.decompressedBytes = inspection.decompressedBytes;
  }
  if (detectedType === 'executable') return quarantine('executable content');
  const accepted = options.acceptedTypes
    ? options.acceptedTypes.includes(detectedType)
    : !NEVER_ACCEPTED.includes(detectedType);
  if (!accepted) return quarantine(`content type '${detectedType}' is not accepted`);
  const format = formats.forName(name);
  if (!format) return quarantine(`the file name's extension '${extension}' is not an accepted format`);
  metadata.format = format.id;
  if (sniffed.encoding) metadata.encoding = sniffed.encoding;
  if (!formats.accepts(format, detectedType))
    return quarantine(`type mismatch: the name says ${format.id}, the content is ${detectedType}`);
  const mime = declaredType?.split(';')[0]?.trim().toLowerCase();
  if (mime && mime !== 'application/octet-stream' && !format.mimeTypes.includes(mime)) {
    return quarantine(`type mismatch: declared ${mime}, the name says ${format.id}`);
  }
  if (options.scanner) {
    // The scanner reads the stored blob as a stream (`open`), never a copy held in memory.
    let scan: ScanVerdict;
    try {
      scan = await options.scanner({
        name,
        detectedType,
        sizeBytes,
        sha256,
        open: () => deps.blobs.getStream(tenantId, key),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (options.scanFailure === 'allow') {
        deps.observability.logOperation({
          operation: 'content_steward.scan_failed',
          success: false,
          level: 'warn',
          details: { name, sha256, scanFailure: 'allow', error: message },
        });
        metadata.scanError = message;
        return { detectedType, metadata };
      }
      // Fail closed by refusing, not quarantining: nothing unscanned gets through, and nothing
      // is lost, since the caller still has the file and the error is retryable (HTTP 503,
      // a transient code for journeys). A quarantine record would be worse: later uploads of
      // the same bytes are answered with it (the steward's look-up of earlier quarantines), so
      // an outage would keep them out for good. The caller's catch removes the stored bytes.
      if (error instanceof PlatformError && error.code === ErrorCode.FILE_TOO_LARGE) throw error;
      throw new PlatformError(
        ErrorCode.SERVICE_UNAVAILABLE,
        `scanner unavailable: the file '${name}' could not be scanned and was not stored (${message}); try again later`,
        { cause: error, details: { reason: 'scanner unavailable', scanFailure: 'reject' } },
      );
    }
    if (!scan.clean) {
      if (scan.signature) metadata.scanSignature = scan.signature;
      return quarantine(`scanner: ${scan.reason}`);
    }
  }
  return { detectedType, metadata };
}
