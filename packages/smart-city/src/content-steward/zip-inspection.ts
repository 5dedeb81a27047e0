import { inflateRawSync } from 'node:zlib';

/** Limits for zip-based files (XLSX, DOCX, ZIP). */
export interface ZipLimits {
  maxEntries: number;
  maxDecompressedBytes: number;
  /** Refuse an entry whose decompressed size exceeds its compressed size by more than this factor. */
  maxCompressionRatio: number;
}

/** What inspecting an archive found. */
export type ZipInspection =
  | { ok: true; entries: string[]; decompressedBytes: number }
  /** `exceeded`: a limit refused the archive (a bomb, too many entries); otherwise it is unreadable or unsupported. */
  | { ok: false; reason: string; exceeded: boolean };

/**
 * Reads a zip archive's central directory and inflates every entry within a byte budget, so a
 * zip bomb is caught by what it really expands to, not by the sizes its headers claim.
 */
export function inspectZip(archive: Uint8Array, limits: ZipLimits): ZipInspection {
  const bytes = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  // End of central directory: the last 22 bytes, or up to 64 KiB earlier when a comment follows.
  let eocd = -1;
  for (let offset = bytes.length - 22; offset >= Math.max(0, bytes.length - 22 - 65_535); offset -= 1) {
    if (bytes.readUInt32LE(offset) === 0x06054b50) {
      eocd = offset;
      break;
    }
  }
  if (eocd < 0) return { ok: false, reason: 'not a readable zip archive (no central directory)', exceeded: false };
  const count = bytes.readUInt16LE(eocd + 10);
  if (count === 0xffff) return { ok: false, reason: 'zip64 archives are not accepted', exceeded: false };
  if (count > limits.maxEntries)
    return { ok: false, reason: `the archive has ${count} entries; the limit is ${limits.maxEntries}`, exceeded: true };
  let cursor = bytes.readUInt32LE(eocd + 16);
  const entries: string[] = [];
  let total = 0;
  for (let index = 0; index < count; index += 1) {
    if (cursor + 46 > bytes.length || bytes.readUInt32LE(cursor) !== 0x02014b50)
      return { ok: false, reason: 'the central directory is corrupt', exceeded: false };
    const method = bytes.readUInt16LE(cursor + 10);
    const compressedSize = bytes.readUInt32LE(cursor + 20);
    const nameLength = bytes.readUInt16LE(cursor + 28);
    const extraLength = bytes.readUInt16LE(cursor + 30);
    const commentLength = bytes.readUInt16LE(cursor + 32);
    const localOffset = bytes.readUInt32LE(cursor + 42);
    const name = bytes.toString('utf8', cursor + 46, cursor + 46 + nameLength);
    entries.push(name);
    cursor += 46 + nameLength + extraLength + commentLength;

    if (localOffset + 30 > bytes.length || bytes.readUInt32LE(localOffset) !== 0x04034b50)
      return { ok: false, reason: `entry '${name}' is corrupt`, exceeded: false };
    const dataStart = localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    const data = bytes.subarray(dataStart, dataStart + compressedSize);
    if (data.length !== compressedSize) return { ok: false, reason: `entry '${name}' is truncated`, exceeded: false };
    const budget = limits.maxDecompressedBytes - total;
    let size: number;
    if (method === 0) size = compressedSize;
    else if (method === 8) {
      try {
        size = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) }).length;
      } catch (error) {
        const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError;
        return {
          ok: false,
          reason: tooBig
            ? `the archive expands beyond ${limits.maxDecompressedBytes} bytes`
            : `entry '${name}' does not inflate`,
          exceeded: tooBig,
        };
      }
    } else
      return {
        ok: false,
        reason: `entry '${name}' uses compression method ${method}, which is not accepted`,
        exceeded: false,
      };
    total += size;
    if (total > limits.maxDecompressedBytes)
      return { ok: false, reason: `the archive expands beyond ${limits.maxDecompressedBytes} bytes`, exceeded: true };
    if (size > 1024 * 1024 && size > compressedSize * limits.maxCompressionRatio) {
      return {
        ok: false,
        reason: `entry '${name}' expands ${Math.round(size / Math.max(1, compressedSize))} times; the limit is ${limits.maxCompressionRatio}`,
        exceeded: true,
      };
    }
  }
  return { ok: true, entries, decompressedBytes: total };
}
