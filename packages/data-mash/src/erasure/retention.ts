import type { BlobStore, FileStatus, JourneyRecord, MetadataStore, SemanticStore } from '@platform/foundations';
import { PlatformError } from '@platform/foundations';
import { DATA_MASH_FLOW_TEMPLATE } from '../phases/solution-orchestrator.js';
import { eachPage, findFile } from '../phases/store-records.js';
import {
  ERASURE_RECORD,
  type ErasureReport,
  eraseFile,
  fileIdsOf,
  isErasedJourney,
  tombstoneJourney,
} from './erase-file.js';
import { getLegalHold } from './legal-hold.js';

/**
 * A retention rule of a tenant: what of one kind is erased once older than `olderThanDays`.
 * - `file`: files (any status but `deleted`, or only `status`) created that long ago, erased with
 *   everything derived from them;
 * - `journey`: flows (of any status, or only `status`) last updated that long ago: the file they
 *   ran on is erased (which tombstones them); a flow that never stored its file is tombstoned.
 */
export type RetentionRule =
  | { kind: 'file'; olderThanDays: number; status?: Exclude<FileStatus, 'deleted'> }
  | { kind: 'journey'; olderThanDays: number; status?: JourneyRecord['status'] };

/** Options of {@link runRetention}. */
export interface RunRetentionOptions {
  blobs: BlobStore;
  metadata: MetadataStore;
  semantic: SemanticStore;
  tenantId: string;
  rules: readonly RetentionRule[];
  /** The time ages are measured against; default now. */
  now?: Date | number;
  /** Erase what is due; default `false`: a dry run that lists it and changes nothing. */
  apply?: boolean;
  /** Who runs it (for the erasures' audit records). */
  by?: string;
}

/** One file or flow a rule made due. */
export interface RetentionItem {
  rule: RetentionRule;
  /** The file (absent for a flow that never stored one). */
  fileId?: string;
  /** The flow, for `journey` rules. */
  journeyId?: string;
  /** The file's name, to recognize it (metadata, never contents). */
  name?: string;
  ageDays: number;
  /**
   * `due` (dry run: would be erased), `erased`, `held` (under legal hold: kept), `running` (a flow
   * holds it now: kept, due again next run) or `failed` (the erasure failed; see `error`).
   */
  outcome: 'due' | 'erased' | 'held' | 'running' | 'failed';
  reason?: string;
  error?: { code: string; message: string };
  removed?: Pick<ErasureReport, 'blobs' | 'contents' | 'parsedFiles' | 'journeys' | 'derivedFiles'>;
}

/** What {@link runRetention} found and did. */
export interface RetentionReport {
  tenantId: string;
  apply: boolean;
  now: string;
  items: RetentionItem[];
  summary: Record<RetentionItem['outcome'], number>;
}

const DAY_MS = 86_400_000;
const LIVE: readonly Exclude<FileStatus, 'deleted'>[] = ['received', 'validated', 'stored', 'quarantined'];
const JOURNEY_STATUSES: readonly JourneyRecord['status'][] = ['pending', 'running', 'completed', 'failed'];

/**
 * Applies a tenant's retention rules: lists the files and flows older than each rule allows and,
 * with `apply`, erases them with {@link eraseFile} (everything derived from each file, in every
 * store, audited). A dry run by default: nothing is changed. A file under legal hold (see
 * `setLegalHold`) is never erased: it is reported `held` with the hold's reason. A file due by
 * several rules is handled once. One erasure failing is reported and the others go on.
 */
export async function runRetention(options: RunRetentionOptions): Promise<RetentionReport> {
  const { metadata, tenantId } = options;
  const apply = options.apply === true;
  const now = options.now === undefined ? new Date() : new Date(options.now);
  // A rule with a typo would keep data forever without a word: every field is checked.
  for (const [index, rule] of options.rules.entries()) {
    const where = `retention rule ${index + 1}`;
    // Rules come from configuration files and command lines too: not trusted to match the type.
    const kind: unknown = (rule as { kind?: unknown } | undefined)?.kind;
    const statuses: readonly string[] = kind === 'file' ? LIVE : kind === 'journey' ? JOURNEY_STATUSES : [];
    if (kind !== 'file' && kind !== 'journey') {
      throw new PlatformError(
        'VALIDATION_FAILED',
        `${where}: kind must be 'file' or 'journey', not '${String(kind)}'`,
        {
          details: { rule: index, field: 'kind' },
        },
      );
    }
    if (!Number.isFinite(rule.olderThanDays) || rule.olderThanDays < 0) {
      throw new PlatformError(
        'VALIDATION_FAILED',
        `${where}: olderThanDays must be 0 or more, not ${rule.olderThanDays}`,
        {
          details: { rule: index, field: 'olderThanDays' },
        },
      );
    }
    if (rule.status !== undefined && !statuses.includes(rule.status)) {
      throw new PlatformError(
        'VALIDATION_FAILED',
        `${where}: status of a ${rule.kind} must be one of ${statuses.join(', ')}, not '${String(rule.status)}'`,
        { details: { rule: index, field: 'status' } },
      );
    }
  }
  const items: RetentionItem[] = [];
  const handled = new Set<string>();
  const ageOf = (at: Date) => Math.floor((now.getTime() - at.getTime()) / DAY_MS);

  for (const rule of options.rules) {
    const cutoff = now.getTime() - rule.olderThanDays * DAY_MS;
    if (rule.kind === 'file') {
      for (const status of rule.status ? [rule.status] : LIVE) {
        await eachPage(
          (cursor) => metadata.listFiles(tenantId, { status, limit: 100, ...(cursor ? { cursor } : {}) }),
          (file) => {
            if (file.createdAt.getTime() > cutoff || handled.has(file.id)) return;
            handled.add(file.id);
            items.push({ rule, fileId: file.id, name: file.name, ageDays: ageOf(file.createdAt), outcome: 'due' });
          },
        );
      }
    } else {
      await eachPage(
        (cursor) =>
          metadata.listJourneys(tenantId, {
            template: DATA_MASH_FLOW_TEMPLATE,
            limit: 100,
            ...(rule.status ? { status: rule.status } : {}),
            ...(cursor ? { cursor } : {}),
          }),
        (journey) => {
          if (journey.updatedAt.getTime() > cutoff || isErasedJourney(journey)) return;
          const [fileId] = fileIdsOf(journey);
          if (fileId && handled.has(fileId)) return;
          if (fileId) handled.add(fileId);
          items.push({
            rule,
            ...(fileId ? { fileId } : {}),
            journeyId: journey.id,
            ageDays: ageOf(journey.updatedAt),
            outcome: 'due',
          });
        },
      );
    }
  }

  for (const item of items) {
    if (item.fileId) {
      const file = await findFile(metadata, tenantId, item.fileId);
      if (!file || file.status === 'deleted') {
        // A flow whose file is gone already: only its journey is left to tombstone.
        if (!item.journeyId) continue;
        delete item.fileId;
      } else {
        if (!item.name) item.name = file.name;
        const hold = await getLegalHold(metadata, tenantId, file.id);
        if (hold.held) {
          item.outcome = 'held';
          item.reason = `under legal hold${hold.reason ? `: ${hold.reason}` : ''}${hold.by ? ` (set by ${hold.by})` : ''}`;
          continue;
        }
      }
    }
    item.reason ??= describe(item.rule);
    if (!apply) continue;
    try {
      if (item.fileId) {
        const erased = await eraseFile({
          blobs: options.blobs,
          metadata,
          semantic: options.semantic,
          tenantId,
          fileId: item.fileId,
          by: options.by ?? 'retention',
          reason: `retention: ${item.reason}`,
          now,
        });
        const { blobs, contents, parsedFiles, journeys, derivedFiles } = erased;
        item.removed = { blobs, contents, parsedFiles, journeys, derivedFiles };
      } else if (item.journeyId) {
        // A flow that never stored its file: only its journey holds anything, tombstoned and audited.
        const journey = await metadata.getJourney(tenantId, item.journeyId);
        await tombstoneJourney(metadata, journey, undefined, now);
        await metadata.appendGovernanceRecord({
          tenantId,
          kind: ERASURE_RECORD,
          subject: { kind: 'journey', id: journey.id },
          data: {
            phase: 'completed',
            by: options.by ?? 'retention',
            reason: `retention: ${item.reason}`,
            removed: { journeys: 1, journeyIds: [journey.id] },
          },
        });
        item.removed = { blobs: [], contents: [], parsedFiles: [], journeys: [journey.id], derivedFiles: [] };
      }
      item.outcome = 'erased';
    } catch (error) {
      const { code, message, details } = error as { code?: string; message?: string; details?: { reason?: string } };
      if (details?.reason === 'legal_hold') item.outcome = 'held';
      else if (details?.reason === 'flow_running') item.outcome = 'running';
      else item.outcome = 'failed';
      item.error = { code: code ?? 'INTERNAL', message: message ?? String(error) };
    }
  }

  const summary = { due: 0, erased: 0, held: 0, running: 0, failed: 0 };
  for (const item of items) summary[item.outcome] += 1;
  return { tenantId, apply, now: now.toISOString(), items, summary };
}

function describe(rule: RetentionRule): string {
  const what = rule.kind === 'file' ? 'file' : 'flow';
  return `${rule.status ? `${rule.status} ` : ''}${what} older than ${rule.olderThanDays} days`;
}
