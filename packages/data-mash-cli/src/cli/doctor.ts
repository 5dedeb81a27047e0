import { type DoctorFinding, type DoctorFindingKind, type DoctorReport, examineStorage } from '@platform/data-mash';
import { bytesText } from '@platform/data-mash/wording';
import { BlobStoreRef, MetadataStoreRef } from '@platform/foundations';
import { EXIT, figure, print, printJson, table, UsageError } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

/** Options of `data-mash doctor`. */
export interface DoctorOptions extends GlobalOptions {
  /** Remove what is safe to remove; without it, a dry run. */
  fix?: boolean;
  /** `--min-age`: leave alone anything younger, e.g. `15m`, `1h`, `0s`. */
  minAge?: string;
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m` → 900000; `undefined` when it is not a duration (a number with a unit: ms, s, m, h, d). */
export function parseDuration(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(raw.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * (UNITS[match[2] as string] as number));
}

const plural = (count: number, one: string, many: string) => `${figure(count)} ${count === 1 ? one : many}`;

const LABEL: Record<DoctorFindingKind, { one: string; many: string; column: string }> = {
  orphan_blob: { one: 'orphan blob', many: 'orphan blobs', column: 'orphan blob' },
  orphan_local_data: {
    one: 'uncommitted local file',
    many: 'uncommitted local files',
    column: 'uncommitted file',
  },
  missing_blob: {
    one: 'file record without its bytes',
    many: 'file records without their bytes',
    column: 'missing blob',
  },
  interrupted_journey: { one: 'interrupted journey', many: 'interrupted journeys', column: 'interrupted journey' },
};

function state(finding: DoctorFinding, fix: boolean): string {
  if (finding.fixed) return 'removed';
  if (!finding.fixable) return 'report only';
  return fix ? 'kept' : 'found';
}

/** One line per kind found: how many, how much, and what to do about them. */
function summaryLines(report: DoctorReport, minAge: string): string[] {
  const { summary } = report;
  const lines: string[] = [];
  for (const kind of Object.keys(LABEL) as DoctorFindingKind[]) {
    const counts = summary.byKind[kind];
    if (!counts) continue;
    const { one, many } = LABEL[kind];
    const left = counts.count - counts.fixed;
    const leftBytes = counts.bytes - counts.fixedBytes;
    if (kind === 'missing_blob') lines.push(`${plural(left, one, many)} — delete the file and ingest it again`);
    else if (kind === 'interrupted_journey')
      lines.push(`${plural(left, one, many)} — ingest the same file again to resume it`);
    else {
      if (counts.fixed > 0) lines.push(`removed ${plural(counts.fixed, one, many)} (${bytesText(counts.fixedBytes)})`);
      if (left > 0) {
        const todo = summary.fix
          ? 'kept: they changed while being examined'
          : `run with --fix to remove ${left === 1 ? 'it' : 'them'}`;
        lines.push(`${plural(left, one, many)} (${bytesText(leftBytes)}) — ${todo}`);
      }
    }
  }
  const { young, held } = summary.skipped;
  if (young + held > 0) {
    const why = [
      ...(young > 0 ? [`${plural(young, 'blob', 'blobs')} younger than ${minAge} (--min-age)`] : []),
      ...(held > 0 ? [`${plural(held, 'blob', 'blobs')} of a flow running now`] : []),
    ];
    lines.push(`left alone: ${why.join(', ')}`);
  }
  return lines;
}

/**
 * `data-mash doctor [--fix] [--min-age 15m]`: finds what interrupted flows left in the tenant's
 * stores (orphaned blobs, uncommitted local files, records without bytes, interrupted journeys)
 * and, with `--fix`, removes what is safe to remove. Exit code 0 when nothing remains to be done
 * about, 1 when findings remain.
 */
export async function doctor(options: DoctorOptions): Promise<number> {
  const minAge = options.minAge ?? '15m';
  const minAgeMs = parseDuration(minAge);
  if (minAgeMs === undefined)
    throw new UsageError(`--min-age expects a duration such as 15m, 1h or 0s, not '${minAge}'`);
  const fix = options.fix === true;
  const session = await openExistingSession(options);
  try {
    const { tenantId } = session.user;
    const report = await examineStorage({
      blobs: session.platform.get(BlobStoreRef),
      metadata: session.platform.get(MetadataStoreRef),
      tenantId,
      minAgeMs,
      fix,
    });
    if (options.json) {
      printJson(report);
      return report.summary.healthy ? EXIT.ok : EXIT.failed;
    }
    if (report.findings.length > 0) {
      print(
        table(
          ['FINDING', 'WHAT', 'SIZE', 'STATE', 'WHY'],
          report.findings.map((finding) => [
            LABEL[finding.kind].column,
            finding.key ?? finding.id ?? '',
            finding.bytes === undefined ? '–' : bytesText(finding.bytes),
            state(finding, fix),
            `${finding.reason}${finding.hint ? ` — ${finding.hint}` : ''}`,
          ]),
        ),
      );
      print();
    }
    const { checked } = report.summary;
    if (report.findings.length === 0) {
      const { young, held } = report.summary.skipped;
      print(
        `no problems${young + held > 0 ? ' in what was examined' : ''} in tenant '${tenantId}' (${plural(checked.blobs, 'blob', 'blobs')}, ` +
          `${plural(checked.files, 'file', 'files')}, ${plural(checked.journeys, 'unfinished journey', 'unfinished journeys')} checked)`,
      );
    }
    for (const line of summaryLines(report, minAge)) print(line);
    return report.summary.healthy ? EXIT.ok : EXIT.failed;
  } finally {
    await session.close();
  }
}
