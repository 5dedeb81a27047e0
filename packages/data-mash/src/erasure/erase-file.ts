import {
  type BlobStore,
  type FileRecord,
  type JourneyRecord,
  type MetadataStore,
  PlatformError,
  type RecordRef,
  type SemanticStore,
} from '@platform/foundations';
import { leaseHeld, leaseOf } from '../journeys/journey-lease.js';
import { parsedKeys } from '../phases/content-pillar.js';
import { ERASED_CODE } from '../phases/erased.js';
import { DATA_MASH_FLOW_TEMPLATE } from '../phases/solution-orchestrator.js';
import { getLegalHold } from './legal-hold.js';

export { ERASED_CODE };

/** The governance record kind of an erasure: one `started` and one `completed` per run. */
export const ERASURE_RECORD = 'erasure';

/** The error code a tombstoned journey carries. */

/** What {@link eraseFile} takes. */
export interface EraseFileOptions {
  blobs: BlobStore;
  metadata: MetadataStore;
  semantic: SemanticStore;
  tenantId: string;
  fileId: string;
  /** Who asked (for the audit record). */
  by?: string;
  /** Why (for the audit record), e.g. `retention: file older than 30 days` or `DELETE /files`. */
  reason?: string;
  /** The time recorded; default now. */
  now?: Date;
}

/** What {@link eraseFile} removed: counts and keys or ids, never values. */
export interface ErasureReport {
  fileId: string;
  /** Blob keys deleted (the original last), including those of derived files. */
  blobs: string[];
  /** Semantic contents deleted, each with its embeddings, graph and correlation map. */
  contents: Array<{ contentId: string; embeddings: number }>;
  /** Parsed-file records scrubbed (kept as tombstones: no key, no columns, no report). */
  parsedFiles: string[];
  /** Journeys turned into tombstones (outputs, milestone results and `about` removed). */
  journeys: string[];
  /** Files derived from this one (conversions, `derived_from` links), erased with it. */
  derivedFiles: string[];
  /** The `erasure` governance record written when the erasure completed. */
  auditRecordId: string;
}

/**
 * Erases a file and everything derived from it, in every store: the blobs under
 * `parsed/<fileId>/` (tables, text, parse/semantic/insights results, exports) and any other key a
 * lineage-linked parsed file points to, the semantic contents of the file (content, embeddings,
 * graph nodes and edges, correlation map), the stored outputs of its journeys, files derived from
 * it (recursively), and last the original bytes. Lineage is found through the MetadataStore's
 * links (`parsed_file` → `file`, `content` → `parsed_file`, `insights` → `content`, `file`
 * `derived_from` `file`) and the keys the flow writes (`parsedKeys`, the `parsed/<fileId>/` prefix
 * `data-mash doctor` also examines).
 *
 * Order, so that a crash at any point leaves a state a rerun finishes:
 * 1. refuse when the file is under legal hold (`CONFLICT`, `details.reason: 'legal_hold'`) or a
 *    flow of it holds its journey's lease right now (`CONFLICT`, `details.reason: 'flow_running'`);
 * 2. an `erasure` governance record `{ phase: 'started' }`;
 * 3. derived data: derived files, semantic contents, `parsed/` blobs, parsed-file records,
 *    journeys (tombstoned);
 * 4. the original: its blob, then its record marked `deleted` with `metadata.erasure`;
 * 5. an `erasure` record `{ phase: 'completed', removed: counts and keys }`.
 *
 * Every step is idempotent (a delete of what is gone changes nothing), so running it again after
 * a crash, or on a file already erased, completes and writes a new `completed` record.
 *
 * What stays: the file record (marked deleted: name, size, sha256), the lineage links (ids only),
 * governance records (append-only; no values), the journey tombstone and the scrubbed
 * parsed-file record. The tombstone is `failed` with error `ERASED` and every milestone back to
 * `pending`, so the same bytes uploaded again run the flow anew on it (`run: 'new'`), storing
 * everything again, instead of answering the erased flow as `reused`.
 *
 * @throws `NOT_FOUND` when the file does not exist, `CONFLICT` as above, the stores' errors.
 */
export async function eraseFile(options: EraseFileOptions): Promise<ErasureReport> {
  return erase(options, new Set());
}

async function erase(options: EraseFileOptions, visited: Set<string>): Promise<ErasureReport> {
  const { blobs, metadata, semantic, tenantId, fileId } = options;
  visited.add(fileId);
  const now = options.now ?? new Date();
  const file = await metadata.getFile(tenantId, fileId);
  const hold = await getLegalHold(metadata, tenantId, fileId);
  if (hold.held) {
    throw new PlatformError('CONFLICT', `file '${fileId}' is under legal hold: it cannot be erased`, {
      details: { fileId, reason: 'legal_hold' },
    });
  }
  const journeys = await journeysOf(metadata, tenantId, file);
  for (const journey of journeys) {
    const lease = leaseOf(journey);
    if (lease && leaseHeld(lease, now.getTime())) {
      throw new PlatformError('CONFLICT', `file '${fileId}' has a flow running (journey '${journey.id}'): try later`, {
        details: { fileId, journeyId: journey.id, reason: 'flow_running' },
      });
    }
  }
  const lineage = await derivedOf(metadata, tenantId, fileId);
  // Files derived from this one first: their own holds are checked before anything is removed here.
  for (const derived of lineage.files) {
    if (visited.has(derived)) continue;
    const record = await metadata.getFile(tenantId, derived).catch(() => undefined);
    if (!record) continue;
    if ((await getLegalHold(metadata, tenantId, derived)).held) {
      throw new PlatformError('CONFLICT', `file '${derived}', derived from '${fileId}', is under legal hold`, {
        details: { fileId, derivedFileId: derived, reason: 'legal_hold' },
      });
    }
  }

  const audit = { by: options.by ?? 'unknown', ...(options.reason ? { reason: options.reason } : {}) };
  await metadata.appendGovernanceRecord({
    tenantId,
    kind: ERASURE_RECORD,
    subject: { kind: 'file', id: fileId },
    data: { phase: 'started', ...audit },
  });

  const removed = {
    blobs: [] as string[],
    contents: [] as Array<{ contentId: string; embeddings: number }>,
    parsedFiles: [] as string[],
    journeys: [] as string[],
    derivedFiles: [] as string[],
  };

  // Derived files (conversions), each erased whole, with its own audit records.
  for (const derived of lineage.files) {
    if (visited.has(derived)) continue;
    const exists = await metadata.getFile(tenantId, derived).catch(() => undefined);
    if (!exists) continue;
    const sub = await erase({ ...options, fileId: derived, reason: `derived from erased file ${fileId}` }, visited);
    removed.derivedFiles.push(derived, ...sub.derivedFiles);
  }

  // Semantic contents: the file's (by fileId, content id = file id) and those lineage reaches.
  const contentIds = new Set(lineage.contents);
  contentIds.add(fileId);
  for (const content of await semantic.listContent(tenantId, { fileId })) contentIds.add(content.contentId);
  for (const contentId of contentIds) {
    const embeddings = await semantic.countEmbeddings(tenantId, contentId).catch(() => 0);
    if (await semantic.deleteContent(tenantId, contentId)) removed.contents.push({ contentId, embeddings });
  }

  // Blobs of the parse: everything under parsed/<fileId>/, plus keys parsed records point to elsewhere.
  const parsedRecords = await metadata.listParsedFiles(tenantId, fileId);
  const keys = new Set<string>(Object.values(parsedKeys(fileId)));
  for (const record of parsedRecords) if (record.storageKey) keys.add(record.storageKey);
  for (const key of await listKeys(blobs, tenantId, `parsed/${fileId}/`)) keys.add(key);
  for (const key of keys) if (await blobs.delete(tenantId, key)) removed.blobs.push(key);

  // Parsed-file records: the port has no delete; rewritten as tombstones without their shape.
  for (const record of parsedRecords) {
    if (record.report.erased === true && !record.storageKey && !record.columns?.length) continue;
    await metadata.putParsedFile({
      tenantId,
      id: record.id,
      fileId,
      format: record.format,
      parser: record.parser,
      report: { erased: true, erasedAt: now.toISOString() },
    });
    removed.parsedFiles.push(record.id);
  }

  // Journeys: outputs, milestone results and `about` removed; kept as an ERASED tombstone.
  for (const journey of journeys) {
    if (await tombstoneJourney(metadata, journey, fileId, now)) removed.journeys.push(journey.id);
  }

  // The original, last: its bytes, then its record marked deleted.
  const originalKeys = new Set([`files/${fileId}`, ...(file.storageKey ? [file.storageKey] : [])]);
  for (const key of originalKeys) if (await blobs.delete(tenantId, key)) removed.blobs.push(key);
  await metadata.updateFile(tenantId, fileId, {
    metadata: { erasure: { erasedAt: now.toISOString(), by: audit.by } },
  });
  if (file.status !== 'deleted') await metadata.deleteFile(tenantId, fileId);

  const completed = await metadata.appendGovernanceRecord({
    tenantId,
    kind: ERASURE_RECORD,
    subject: { kind: 'file', id: fileId },
    data: {
      phase: 'completed',
      ...audit,
      removed: {
        blobs: removed.blobs.length,
        blobKeys: removed.blobs,
        contents: removed.contents.length,
        contentIds: removed.contents.map((content) => content.contentId),
        embeddings: removed.contents.reduce((sum, content) => sum + content.embeddings, 0),
        parsedFiles: removed.parsedFiles.length,
        journeys: removed.journeys.length,
        journeyIds: removed.journeys,
        derivedFiles: removed.derivedFiles,
      },
    },
  });
  return { fileId, ...removed, auditRecordId: completed.id };
}

/** The flow journeys of a file: named by its sha256, or whose outputs name the file. */
async function journeysOf(metadata: MetadataStore, tenantId: string, file: FileRecord): Promise<JourneyRecord[]> {
  const found = new Map<string, JourneyRecord>();
  const named = await metadata.findJourneyByIdempotencyKey(tenantId, DATA_MASH_FLOW_TEMPLATE, file.sha256);
  if (named) found.set(named.id, named);
  let cursor: string | undefined;
  do {
    const page = await metadata.listJourneys(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const journey of page.items) if (fileIdsOf(journey).includes(file.id)) found.set(journey.id, journey);
    cursor = page.nextCursor;
  } while (cursor);
  return [...found.values()];
}

/** The file ids a journey's stored outputs name (as `data-mash doctor` reads them). */
export function fileIdsOf(journey: JourneyRecord): string[] {
  const outputs = (journey.context as { outputs?: Record<string, unknown> }).outputs ?? {};
  return Object.values(outputs)
    .map((output) => (output as { fileId?: unknown } | null)?.fileId)
    .filter((id): id is string => typeof id === 'string');
}

/** Whether the journey is an erasure tombstone (not run again since). */
export function isErasedJourney(journey: JourneyRecord): boolean {
  return journey.status === 'failed' && journey.error?.code === ERASED_CODE;
}

/**
 * Turns a journey into an erasure tombstone: `failed` with error `ERASED`, milestones back to
 * `pending` without results, context `{ outputs: {}, erased }`. `false` when it already was one.
 */
export async function tombstoneJourney(
  metadata: MetadataStore,
  journey: JourneyRecord,
  fileId: string | undefined,
  now: Date,
) {
  let current = journey;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const context = current.context as { erased?: unknown; outputs?: Record<string, unknown>; about?: unknown };
    const clean =
      isErasedJourney(current) &&
      Object.keys(context.outputs ?? {}).length === 0 &&
      context.about === undefined &&
      current.label === undefined &&
      current.milestones.every((milestone) => milestone.status === 'pending' && !milestone.result);
    if (clean) return false;
    try {
      await metadata.updateJourney(current.tenantId, current.id, current.version, {
        status: 'failed',
        error: {
          code: ERASED_CODE,
          message: `${fileId ? `file '${fileId}'` : 'the flow'} was erased; its stored results were removed`,
        },
        milestones: current.milestones.map((milestone) => ({ name: milestone.name, status: 'pending' as const })),
        context: { outputs: {}, erased: { ...(fileId ? { fileId } : {}), erasedAt: now.toISOString() } },
        // The file's name goes with it: the tombstone is found by it no more.
        label: null,
      });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'CONFLICT') throw error;
      current = await metadata.getJourney(current.tenantId, current.id);
    }
  }
  throw new PlatformError('CONFLICT', `journey '${journey.id}' kept changing while being erased`, {
    details: { journeyId: journey.id },
  });
}

/** What lineage links reach from the file: derived files and semantic contents. */
async function derivedOf(metadata: MetadataStore, tenantId: string, fileId: string) {
  const files = new Set<string>();
  const contents = new Set<string>();
  const seen = new Set<string>();
  const queue: RecordRef[] = [{ kind: 'file', id: fileId }];
  while (queue.length > 0) {
    const ref = queue.shift() as RecordRef;
    const key = `${ref.kind}\u0000${ref.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const link of await metadata.listLinks(tenantId, { to: ref })) {
      const from = link.from;
      if (from.kind === 'file') {
        if (from.id !== fileId) files.add(from.id);
        // A derived file is erased whole by its own erasure: not walked further here.
        continue;
      }
      if (from.kind === 'content') contents.add(from.id);
      queue.push(from);
    }
  }
  return { files: [...files], contents: [...contents] };
}

async function listKeys(blobs: BlobStore, tenantId: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await blobs.list(tenantId, { prefix, limit: 500, ...(cursor ? { cursor } : {}) });
    for (const blob of page.items) keys.push(blob.key);
    cursor = page.nextCursor;
  } while (cursor);
  return keys;
}
