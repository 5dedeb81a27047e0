import type { BlobInfo, BlobStore, FileRecord, JourneyRecord, MetadataStore } from '@platform/foundations';
import { leaseHeld, leaseOf } from '../journeys/journey-lease.js';
import { DATA_MASH_FLOW_TEMPLATE } from '../phases/solution-orchestrator.js';
import { eachPage, findFile } from '../phases/store-records.js';
import { type DoctorFinding, type DoctorReport, DoctorReportBuilder, isSweepable } from './report.js';

export type { DoctorFinding, DoctorFindingKind, DoctorReport, DoctorSummary } from './report.js';

/** Options of {@link examineStorage}. */
export interface ExamineStorageOptions {
  blobs: BlobStore;
  metadata: MetadataStore;
  tenantId: string;
  /**
   * Nothing younger than this is reported or touched (blobs by `createdAt`, local files by
   * modification time): a flow may be writing it right now. Default 15 minutes.
   */
  minAgeMs?: number;
  /** Remove what is safe to remove; default `false`, a dry run that changes nothing. */
  fix?: boolean;
  /** The time ages and leases are measured against; default now. */
  now?: Date | number;
  /** Items per list call (1-1000, default 100): memory stays bounded by a page. */
  pageSize?: number;
  /** Called with each finding as it is made (after its fix, with `--fix`). */
  onFinding?: (finding: DoctorFinding) => void;
}

/** The default of {@link ExamineStorageOptions.minAgeMs}: 15 minutes. */
export const DEFAULT_DOCTOR_MIN_AGE_MS = 15 * 60_000;

const FILE_ID = /^file_[0-9a-f-]{36}$/;
const LIVE_FILE = ['stored', 'validated', 'quarantined'] as const;
/** Journeys a run may hold: any that is not completed. */
const UNSETTLED = ['pending', 'running', 'failed'] as const;

/**
 * Examines one tenant's blobs and records for what an interrupted flow (a killed process, a store
 * down in the middle of an upload) can leave behind, and with `fix` removes what is safe to remove:
 *
 * - `orphan_blob`: a `files/<fileId>` blob whose file has no record (or a deleted one), or a
 *   `parsed/<fileId>/…` blob whose file has no record or is deleted. Fixed by deleting it.
 * - `orphan_local_data`: on a `LocalBlobStore`, data files no index points to and pending index
 *   files of commits that never happened (see `LocalBlobStore.sweep`). Fixed by removing them.
 * - `missing_blob`: a live file record whose stored bytes are gone. Reported only.
 * - `interrupted_journey`: a `running` journey no live run holds (its lease absent, expired, or
 *   its process gone). Reported only: running the same file again resumes it.
 *
 * Never touched: anything younger than `minAgeMs`, and the blobs of a journey whose lease is held
 * (matched by the file id in its outputs or, before the upload recorded the file, by the sha256
 * it is named by). An orphan is looked at again just before it is deleted. Lists are read page by
 * page; memory holds one page, the held journeys' references and the findings.
 *
 * @throws the stores' errors (`ADAPTER_UNAVAILABLE`, ...); what was fixed before stays fixed.
 */
export async function examineStorage(options: ExamineStorageOptions): Promise<DoctorReport> {
  const { blobs, metadata, tenantId } = options;
  const fix = options.fix === true;
  const minAgeMs = options.minAgeMs ?? DEFAULT_DOCTOR_MIN_AGE_MS;
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  const limit = options.pageSize ?? 100;
  const report = new DoctorReportBuilder(tenantId, fix, minAgeMs, options.onFinding);

  // 1. Journeys: who holds what right now, and which flows stopped with nobody to finish them.
  const held = { fileIds: new Set<string>(), sha256s: new Set<string>() };
  for (const status of UNSETTLED) {
    await eachPage(
      (cursor) => metadata.listJourneys(tenantId, { status, limit, ...(cursor ? { cursor } : {}) }),
      (journey) => {
        report.checked.journeys += 1;
        const lease = leaseOf(journey);
        if (lease && leaseHeld(lease, now)) {
          for (const fileId of fileIdsOf(journey)) held.fileIds.add(fileId);
          if (journey.idempotencyKey) held.sha256s.add(journey.idempotencyKey);
        } else if (status === 'running') report.add(interrupted(journey, lease === undefined));
      },
    );
  }

  // 2. Blobs of files: the original under files/, the parse results under parsed/<fileId>/.
  // Keys come in order, so one lookup serves all the blobs of a file.
  let last: { fileId: string; record: FileRecord | undefined } | undefined;
  const recordOf = async (fileId: string) => {
    if (last?.fileId !== fileId) last = { fileId, record: await findFile(metadata, tenantId, fileId) };
    return last.record;
  };
  for (const prefix of ['files/', 'parsed/']) {
    await eachPage(
      (cursor) => blobs.list(tenantId, { prefix, limit, ...(cursor ? { cursor } : {}) }),
      async (blob) => {
        report.checked.blobs += 1;
        const fileId = blob.key.slice(prefix.length).split('/')[0] ?? '';
        // Keys the flow does not write are someone else's: never judged.
        if (!FILE_ID.test(fileId)) return;
        if (now - blob.createdAt.getTime() < minAgeMs) return report.skip('young');
        if (held.fileIds.has(fileId) || (prefix === 'files/' && held.sha256s.has(blob.sha256)))
          return report.skip('held');
        const record = await recordOf(fileId);
        if (record && record.status !== 'deleted') return;
        const reason = record ? `its file ${fileId} is deleted` : `no record of file ${fileId}`;
        const finding: DoctorFinding = {
          kind: 'orphan_blob',
          key: blob.key,
          id: fileId,
          bytes: blob.size,
          reason,
          fixable: true,
          fixed: false,
        };
        if (fix) {
          finding.fixed = await deleteIfStillOrphan(blobs, metadata, blob, fileId);
          if (!finding.fixed) finding.reason += '; it changed while being examined, so it was kept';
        }
        report.add(finding);
      },
    );
  }

  // 3. Live file records whose bytes are gone.
  for (const status of LIVE_FILE) {
    await eachPage(
      (cursor) => metadata.listFiles(tenantId, { status, limit, ...(cursor ? { cursor } : {}) }),
      async (file) => {
        report.checked.files += 1;
        if (!file.storageKey || (await blobs.head(tenantId, file.storageKey))) return;
        // A delete in progress removes the bytes first, then marks the record: look again.
        const again = await findFile(metadata, tenantId, file.id);
        if (!again || again.status !== file.status || !again.storageKey) return;
        if (await blobs.head(tenantId, again.storageKey)) return;
        report.add({
          kind: 'missing_blob',
          key: again.storageKey,
          id: file.id,
          reason: `file ${file.id} (${file.name}, ${file.status}) has no stored bytes`,
          hint: 'delete the file (Content Steward deleteFile) and ingest it again',
          fixable: false,
          fixed: false,
        });
      },
    );
  }

  // 4. What a local store's interrupted writes left below the objects.
  if (isSweepable(blobs)) {
    const swept = await blobs.sweep({ tenantId, olderThanMs: minAgeMs, dryRun: !fix, now });
    for (const file of swept.files) {
      report.add({
        kind: 'orphan_local_data',
        key: file.path,
        bytes: file.bytes,
        reason:
          file.kind === 'data'
            ? 'a data file no index points to (a write that never committed)'
            : 'a pending index file of a commit that never happened',
        fixable: true,
        fixed: file.removed,
      });
    }
  }
  return report.build();
}

// Deletes the blob only if it is the one examined and its file still has no live record: a write
// or an upload that got there since wins.
async function deleteIfStillOrphan(
  blobs: BlobStore,
  metadata: MetadataStore,
  blob: BlobInfo,
  fileId: string,
): Promise<boolean> {
  const record = await findFile(metadata, blob.tenantId, fileId);
  if (record && record.status !== 'deleted') return false;
  const current = await blobs.head(blob.tenantId, blob.key);
  if (!current || current.sha256 !== blob.sha256 || current.createdAt.getTime() !== blob.createdAt.getTime())
    return false;
  await blobs.delete(blob.tenantId, blob.key);
  return true;
}

function fileIdsOf(journey: JourneyRecord): string[] {
  const outputs = (journey.context as { outputs?: Record<string, unknown> }).outputs ?? {};
  return Object.values(outputs)
    .map((output) => (output as { fileId?: unknown } | null)?.fileId)
    .filter((fileId): fileId is string => typeof fileId === 'string');
}

function interrupted(journey: JourneyRecord, noLease: boolean): DoctorFinding {
  const [fileId] = fileIdsOf(journey);
  const at = journey.milestones.find((milestone) => milestone.status === 'running')?.name;
  return {
    kind: 'interrupted_journey',
    id: journey.id,
    reason: `${journey.template} is running${at ? ` at ${at}` : ''} but ${noLease ? 'has no lease' : 'its holder is gone'}`,
    hint:
      journey.template === DATA_MASH_FLOW_TEMPLATE
        ? `ingest the same file again${fileId ? ` (or executeDataMashFlow({ fileId: '${fileId}' }))` : ''} to resume it`
        : 'run it again with the same idempotency key to resume it',
    fixable: false,
    fixed: false,
  };
}
