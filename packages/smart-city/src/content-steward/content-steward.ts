import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  type BlobStore,
  BlobStoreRef,
  defineService,
  defineServiceRef,
  ErrorCode,
  type FileRecord,
  type MetadataStore,
  MetadataStoreRef,
  PlatformError,
  type ServiceHealth,
} from '@platform/foundations';
import { currentTraceId } from '@platform/observability';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import type { DetectedType } from '../file-formats/registry.js';
import { committedFile } from './committed-file.js';
import {
  type ContentStewardOptions,
  checkFileName,
  type IncomingFile,
  type ProcessedFile,
  type ValidationVerdict,
} from './content-steward-types.js';
import { measureUpload } from './measured-upload.js';
import { validateStoredFile } from './stored-file-validation.js';

export {
  type ContentStewardOptions,
  checkFileName,
  type FileScanner,
  type FormatConverter,
  type IncomingFile,
  type ProcessedFile,
  type ScanVerdict,
} from './content-steward-types.js';

/**
 * Content Steward: the file lifecycle. Upload → validation (type sniffed from the bytes against
 * the declared name and MIME type by the file format registry, `formats`: native executables and
 * binary content under a text name quarantined, text in UTF-8, UTF-16 with a BOM or Windows-1252
 * accepted; size limit, decompression limits for zip-based formats, sha256, per-tenant
 * duplicate detection, a pluggable scanner, quarantine with the reason) → storage (blob plus
 * file record) → basic metadata; reads with access control; delete keeping lineage. Client
 * calls take a user context; internal calls run as the platform.
 */
export class ContentSteward extends SmartCityRoleBase<
  RoleDeps & { blobs: BlobStore; metadata: MetadataStore; options: ContentStewardOptions }
> {
  /**
   * Healthy, or `degraded` when its scanner has a `ping()` (as `clamdScanner` has) and it does not
   * answer: uploads are then refused (or let through unscanned with `scanFailure: 'allow'`).
   */
  override async health(): Promise<ServiceHealth> {
    const ping = (this.deps.options.scanner as { ping?: () => Promise<unknown> } | undefined)?.ping;
    if (typeof ping !== 'function') return { status: 'healthy' };
    try {
      await ping();
      return { status: 'healthy' };
    } catch (error) {
      return {
        status: 'degraded',
        message: `the virus scanner does not answer: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }

  /** The largest file this steward accepts, in bytes: files over it are refused with `FILE_TOO_LARGE`. */
  get maxSizeBytes(): number {
    return this.deps.options.maxSizeBytes ?? 100 * 1024 * 1024;
  }

  /** Client track: the user's file, into the user's tenant. */
  async processClientFile(userContext: unknown, file: IncomingFile): Promise<ProcessedFile> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'files:write');
    return this.#process(user.tenantId, file, user.userId);
  }

  /** Internal track: a file the platform produced or received, into `tenantId`. */
  async processInternalFile(tenantId: string, file: IncomingFile): Promise<ProcessedFile> {
    return this.#process(tenantId, file, undefined);
  }

  async #process(tenantId: string, file: IncomingFile, createdBy: string | undefined): Promise<ProcessedFile> {
    return this.withSpan(
      'content_steward.process_file',
      { 'file.declared_type': file.declaredType ?? '' },
      async (span) => {
        const name = checkFileName(file.name);
        const options = this.deps.options;
        const maxSize = options.maxSizeBytes ?? 100 * 1024 * 1024;
        const fileId = `file_${randomUUID()}`;
        const storageLocation = `files/${fileId}`;

        // Stream to storage once, hashing, counting and keeping the first bytes for sniffing.
        const upload = measureUpload(file.data, maxSize);
        try {
          await this.deps.blobs.put(
            tenantId,
            storageLocation,
            upload.chunks,
            file.declaredType ? { contentType: file.declaredType } : {},
          );
        } catch (error) {
          await this.deps.blobs.delete(tenantId, storageLocation).catch(() => false);
          this.auditError(error, { operation: 'content_steward.upload', details: { name } });
          throw error;
        }
        const sha256 = upload.sha256();
        const size = upload.size();
        span.setAttribute('file.size', size);
        if (file.sha256 !== undefined && file.sha256 !== sha256) {
          await this.deps.blobs.delete(tenantId, storageLocation).catch(() => false);
          throw new PlatformError(
            'FILE_CHANGED',
            `the file '${name}' changed while it was being read: its sha256 was ${file.sha256} and is now ${sha256}; nothing was stored, start again`,
            { details: { expectedSha256: file.sha256, actualSha256: sha256 } },
          );
        }
        // Write, then commit: the bytes are stored first and belong to the file record committed
        // after them. Whatever stops that commit (the metadata store down, a concurrent duplicate,
        // a failed validation) removes the bytes again, so no copy is left that no record names.
        let record: FileRecord;
        let verdict: ValidationVerdict;
        let committing = false;
        try {
          const duplicate = await this.deps.metadata.findFileBySha256(tenantId, sha256);
          if (duplicate) {
            await this.deps.blobs.delete(tenantId, storageLocation);
            this.logOperation('content_steward.duplicate', true, { fileId: duplicate.id });
            return this.#result(duplicate, 'duplicate');
          }
          verdict = await validateStoredFile(this.deps, {
            tenantId,
            key: storageLocation,
            name,
            declaredType: file.declaredType,
            head: upload.head(),
            sizeBytes: size,
            sha256,
          });
          if (verdict.reason) {
            // The same bytes quarantined before: answer with that record instead of keeping a copy a time.
            const earlier = await this.#quarantined(tenantId, sha256);
            if (earlier) {
              await this.deps.blobs.delete(tenantId, storageLocation);
              this.logOperation('content_steward.process_file', false, {
                fileId: earlier.id,
                quarantineReason: verdict.reason,
              });
              return this.#result(earlier, 'quarantined');
            }
          }
          committing = true;
          record = await this.deps.metadata.createFile({
            tenantId,
            id: fileId,
            name,
            ...(file.declaredType ? { declaredType: file.declaredType } : {}),
            detectedType: verdict.detectedType,
            sizeBytes: size,
            sha256,
            status: verdict.reason ? 'quarantined' : 'stored',
            storageKey: storageLocation,
            ...(verdict.reason ? { quarantineReason: verdict.reason } : {}),
            ...(createdBy ? { createdBy } : {}),
            metadata: verdict.metadata,
          });
        } catch (error) {
          const code = (error as PlatformError).code;
          if (committing && code !== ErrorCode.CONFLICT && code !== ErrorCode.VALIDATION_FAILED) {
            // The commit's answer may have been lost (the connection dropped as the server
            // committed): the record may exist, and then its bytes must stay. Asked again; while
            // that cannot be known the bytes are kept (doctor removes them if no record names them).
            const committed = await committedFile(this.deps.metadata, tenantId, fileId);
            if (committed === 'unknown') {
              this.auditError(error, { operation: 'content_steward.record', details: { name, bytesKept: true } });
              throw error;
            }
            if (committed) {
              this.logOperation('content_steward.process_file', committed.status === 'stored', { fileId });
              return this.#result(committed, committed.status === 'quarantined' ? 'quarantined' : 'valid');
            }
          }
          await this.deps.blobs.delete(tenantId, storageLocation).catch(() => false);
          // Another upload of the same bytes committed first: that file is the answer.
          const existingId = (error as PlatformError).details?.existingId;
          if ((error as PlatformError).code === ErrorCode.CONFLICT && typeof existingId === 'string') {
            const existing = await this.deps.metadata.getFile(tenantId, existingId);
            return this.#result(existing, 'duplicate');
          }
          this.auditError(error, { operation: 'content_steward.record', details: { name } });
          throw error;
        }
        this.logOperation('content_steward.process_file', !verdict.reason, {
          fileId,
          detectedType: verdict.detectedType,
          sizeBytes: size,
          ...(verdict.reason ? { quarantineReason: verdict.reason } : {}),
        });
        return this.#result(record, verdict.reason ? 'quarantined' : 'valid');
      },
    );
  }

  // The tenant's quarantined file with these bytes, if any (quarantines are few: a scan of them).
  async #quarantined(tenantId: string, sha256: string): Promise<FileRecord | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.metadata.listFiles(tenantId, {
        status: 'quarantined',
        limit: 200,
        ...(cursor ? { cursor } : {}),
      });
      const found = page.items.find((candidate) => candidate.sha256 === sha256);
      if (found) return found;
      cursor = page.nextCursor;
    } while (cursor);
    return undefined;
  }

  #result(record: FileRecord, validationStatus: ProcessedFile['validationStatus']): ProcessedFile {
    return {
      fileId: record.id,
      validationStatus,
      storageLocation: record.storageKey ?? '',
      sha256: record.sha256,
      sizeBytes: record.sizeBytes,
      detectedType: (record.detectedType ?? 'binary') as DetectedType,
      ...(record.quarantineReason ? { reason: record.quarantineReason } : {}),
      traceId: currentTraceId(),
    };
  }

  /**
   * The bytes of a stored file, for its tenant only.
   * @throws `NOT_FOUND` (also for another tenant's file or a deleted one), `VALIDATION_FAILED` for a quarantined file.
   */
  async readFile(userContext: unknown, fileId: string): Promise<{ record: FileRecord; stream: Readable }> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'files:read');
    const record = await this.deps.metadata.getFile(user.tenantId, fileId);
    if (record.status === 'deleted' || !record.storageKey)
      throw new PlatformError(ErrorCode.NOT_FOUND, `file '${fileId}' has been deleted`);
    if (record.status === 'quarantined') {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `file '${fileId}' is quarantined: ${record.quarantineReason}`,
        {
          details: { fileId, reason: record.quarantineReason },
        },
      );
    }
    this.guardTenant(user, record, 'file');
    return { record, stream: await this.deps.blobs.getStream(user.tenantId, record.storageKey) };
  }

  /**
   * Converts a stored file with the registered hook for its type and target format. The result is
   * processed like any upload (validated, stored, deduplicated) and linked to its source with a
   * `derived_from` lineage link.
   * @throws {PlatformError} `UNSUPPORTED_FILE_TYPE` when no hook converts this type to `to`.
   */
  async convertFile(userContext: unknown, fileId: string, to: string): Promise<ProcessedFile> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'files:write');
    const { record, stream } = await this.readFile(user, fileId);
    const converter = this.deps.options.converters?.find(
      (candidate) => candidate.from === record.detectedType && candidate.to === to,
    );
    if (!converter) {
      stream.destroy();
      throw new PlatformError(ErrorCode.UNSUPPORTED_FILE_TYPE, `no converter from ${record.detectedType} to ${to}`, {
        details: { from: record.detectedType, to },
      });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
    const converted = await this.withSpan('content_steward.convert', { from: record.detectedType ?? '', to }, () =>
      converter.convert(Buffer.concat(chunks)),
    );
    const base = record.name.includes('.') ? record.name.slice(0, record.name.lastIndexOf('.')) : record.name;
    const result = await this.#process(user.tenantId, { name: `${base}.${to}`, data: converted }, user.userId);
    await this.deps.metadata.addLink({
      tenantId: user.tenantId,
      from: { kind: 'file', id: result.fileId },
      to: { kind: 'file', id: fileId },
      relation: 'derived_from',
      metadata: { conversion: `${record.detectedType}->${to}` },
    });
    return result;
  }

  /** Deletes a file's bytes; its record and lineage links stay, marked deleted. */
  async deleteFile(userContext: unknown, fileId: string): Promise<FileRecord> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'files:delete');
    const record = await this.deps.metadata.getFile(user.tenantId, fileId);
    if (record.storageKey) await this.deps.blobs.delete(user.tenantId, record.storageKey);
    const deleted = await this.deps.metadata.deleteFile(user.tenantId, fileId);
    this.logOperation('content_steward.delete_file', true, { fileId });
    return deleted;
  }
}

/** The Content Steward role. */
export const ContentStewardRef = defineServiceRef<ContentSteward>({
  id: 'smart-city.content-steward',
  tier: 'smart-city',
});

/** Defines the Content Steward service, on the platform's blob and metadata stores. */
export function contentSteward(options: ContentStewardOptions = {}) {
  return defineService({
    ref: ContentStewardRef,
    deps: { blobs: BlobStoreRef, metadata: MetadataStoreRef },
    factory: ({ blobs, metadata }, context) =>
      new ContentSteward({
        ...context,
        blobs,
        metadata,
        options: { ...options, maxSizeBytes: options.maxSizeBytes ?? context.config.limits.maxFileBytes },
      }),
    description: {
      description: 'File lifecycle: upload, validation, storage, metadata, access control',
      tags: ['content'],
    },
  });
}
