import { PlatformError } from '@platform/foundations/errors';
import { inspectZip, type ZipLimits } from '@platform/smart-city';

/** Limits for zip-based documents (XLSX, DOCX). */
export interface ZipDocumentLimits {
  /** Total bytes the archive may inflate to. Default 512 MiB. */
  maxDecompressedBytes?: number;
  /** Entries the archive may hold. Default 10,000. */
  maxEntries?: number;
  /** Largest inflated-to-compressed ratio of one entry. Default 200. */
  maxCompressionRatio?: number;
}

/**
 * Checks a zip-based document before a parser opens it: the archive is inflated within a byte
 * budget (what it really expands to, not what its headers claim), so a zip bomb named `.xlsx`
 * is refused with `PARSE_LIMIT_EXCEEDED` and a truncated archive with `MALFORMED_FILE`.
 */
export function assertSafeZip(bytes: Uint8Array, format: string, limits: ZipDocumentLimits = {}): string[] {
  const zipLimits: ZipLimits = {
    maxDecompressedBytes: limits.maxDecompressedBytes ?? 512 * 1024 * 1024,
    maxEntries: limits.maxEntries ?? 10_000,
    maxCompressionRatio: limits.maxCompressionRatio ?? 200,
  };
  const inspection = inspectZip(bytes, zipLimits);
  if (inspection.ok) return inspection.entries;
  throw new PlatformError(
    inspection.exceeded ? 'PARSE_LIMIT_EXCEEDED' : 'MALFORMED_FILE',
    `the ${format.toUpperCase()} file cannot be opened safely: ${inspection.reason}`,
    { details: { format, reason: inspection.reason } },
  );
}
