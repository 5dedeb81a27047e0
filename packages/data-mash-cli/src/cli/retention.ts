import { type RetentionItem, type RetentionRule, runRetention, setLegalHold } from '@platform/data-mash';
import { BlobStoreRef, MetadataStoreRef, SemanticStoreRef } from '@platform/foundations';
import { parseDuration } from './doctor.js';
import { EXIT, figure, print, printJson, table, UsageError } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

/** Options of `data-mash retention`. */
export interface RetentionOptions extends GlobalOptions {
  /** Erase what is due; without it, a dry run. */
  apply?: boolean;
  /** `--older-than`: a duration, e.g. `30d`, `12h`, `0s` (default 30d). */
  olderThan?: string;
  /** `--kind`: `file` (default) or `journey`. */
  kind?: string;
  /** `--status`: only files or flows of this status. */
  status?: string;
}

const DAY_MS = 86_400_000;
const FILE_STATUSES = ['received', 'validated', 'stored', 'quarantined'];
const JOURNEY_STATUSES = ['pending', 'running', 'completed', 'failed'];

const OUTCOME: Record<RetentionItem['outcome'], string> = {
  due: 'due',
  erased: 'erased',
  held: 'kept: legal hold',
  running: 'kept: flow running',
  failed: 'failed',
};

/** The rule the options describe. @throws {UsageError} for a wrong option. */
export function retentionRule(options: Pick<RetentionOptions, 'olderThan' | 'kind' | 'status'>): RetentionRule {
  const olderThan = options.olderThan ?? '30d';
  const ms = parseDuration(olderThan);
  if (ms === undefined)
    throw new UsageError(`--older-than expects a duration such as 30d, 12h or 0s, not '${olderThan}'`);
  const kind = options.kind ?? 'file';
  const olderThanDays = ms / DAY_MS;
  if (kind === 'file') {
    if (options.status !== undefined && !FILE_STATUSES.includes(options.status))
      throw new UsageError(`--status of files is one of ${FILE_STATUSES.join(', ')}, not '${options.status}'`);
    return { kind, olderThanDays, ...(options.status ? { status: options.status as 'stored' } : {}) };
  }
  if (kind === 'journey') {
    if (options.status !== undefined && !JOURNEY_STATUSES.includes(options.status))
      throw new UsageError(`--status of journeys is one of ${JOURNEY_STATUSES.join(', ')}, not '${options.status}'`);
    return { kind, olderThanDays, ...(options.status ? { status: options.status as 'failed' } : {}) };
  }
  throw new UsageError(`--kind is file or journey, not '${kind}'`);
}

/**
 * `data-mash retention [--apply] [--older-than 30d] [--kind file|journey] [--status <status>]`:
 * lists the tenant's files (or flows) older than the rule allows and, with `--apply`, erases each
 * with everything derived from it. A dry run by default. Files under legal hold are kept and
 * listed with the hold's reason. Exit code 0, or 1 when an erasure failed.
 */
export async function retention(options: RetentionOptions): Promise<number> {
  const rule = retentionRule(options);
  const apply = options.apply === true;
  const session = await openExistingSession(options);
  try {
    const report = await runRetention({
      blobs: session.platform.get(BlobStoreRef),
      metadata: session.platform.get(MetadataStoreRef),
      semantic: session.platform.get(SemanticStoreRef),
      tenantId: session.user.tenantId,
      rules: [rule],
      apply,
      by: session.user.userId,
    });
    const code = report.summary.failed > 0 ? EXIT.failed : EXIT.ok;
    if (options.json) {
      printJson(report);
      return code;
    }
    if (report.items.length === 0) {
      print(`nothing due in tenant '${report.tenantId}' (${describe(rule)})`);
      return code;
    }
    print(
      table(
        ['FILE', 'JOURNEY', 'NAME', 'AGE', 'STATE', 'WHY'],
        report.items.map((item) => [
          item.fileId ?? '–',
          item.journeyId ?? '–',
          item.name ?? '',
          `${figure(item.ageDays)}d`,
          OUTCOME[item.outcome],
          item.error ? `${item.error.code}: ${item.error.message}` : (item.reason ?? ''),
        ]),
      ),
    );
    print();
    const { due, erased, held, running, failed } = report.summary;
    if (!apply) print(`${figure(due)} due — run with --apply to erase ${due === 1 ? 'it' : 'them'}`);
    else print(`erased ${figure(erased)}${failed > 0 ? `, ${figure(failed)} failed` : ''}`);
    if (held > 0) print(`${figure(held)} kept under legal hold (data-mash hold <fileId> --release to release)`);
    if (running > 0) print(`${figure(running)} kept: a flow of ${running === 1 ? 'it' : 'them'} is running`);
    return code;
  } finally {
    await session.close();
  }
}

function describe(rule: RetentionRule): string {
  return `${rule.status ? `${rule.status} ` : ''}${rule.kind === 'file' ? 'files' : 'flows'} older than ${figure(rule.olderThanDays)} days`;
}

/** Options of `data-mash hold`. */
export interface HoldOptions extends GlobalOptions {
  release?: boolean;
  reason?: string;
}

/**
 * `data-mash hold <fileId> [--release] [--reason <text>]`: sets (or releases) a legal hold on a
 * file, kept as a `legal_hold` governance record; a held file is never erased.
 */
export async function hold(fileId: string, options: HoldOptions): Promise<number> {
  const session = await openExistingSession(options);
  try {
    const result = await setLegalHold(session.platform.get(MetadataStoreRef), {
      tenantId: session.user.tenantId,
      fileId,
      held: options.release !== true,
      by: session.user.userId,
      ...(options.reason ? { reason: options.reason } : {}),
    });
    if (options.json) printJson(result);
    else print(result.held ? `legal hold set on ${fileId}` : `legal hold released on ${fileId}`);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
