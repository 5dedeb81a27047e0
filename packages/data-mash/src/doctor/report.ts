import type { BlobStore, LocalBlobStore } from '@platform/foundations';

/** What {@link examineStorage} finds. */
export type DoctorFindingKind = 'orphan_blob' | 'orphan_local_data' | 'missing_blob' | 'interrupted_journey';

/** One thing found, and whether it was fixed. */
export interface DoctorFinding {
  kind: DoctorFindingKind;
  /** The blob key (`orphan_blob`, `missing_blob`) or the file's absolute path (`orphan_local_data`). */
  key?: string;
  /** The record it concerns: the file (`orphan_blob`, `missing_blob`) or the journey (`interrupted_journey`). */
  id?: string;
  /** Its size, for what takes space. */
  bytes?: number;
  reason: string;
  /** What to do about a finding the doctor does not fix. */
  hint?: string;
  /** Whether `fix` removes it. */
  fixable: boolean;
  /** Whether this examination removed it (never in a dry run). */
  fixed: boolean;
}

/** Counts of an examination. */
export interface DoctorSummary {
  tenantId: string;
  /** Whether it fixed what it could (`false`: a dry run). */
  fix: boolean;
  minAgeMs: number;
  /** How many of each were looked at. */
  checked: { journeys: number; blobs: number; files: number };
  /** Per kind found: how many and their bytes, and how many of them were fixed. */
  byKind: Partial<Record<DoctorFindingKind, { count: number; bytes: number; fixed: number; fixedBytes: number }>>;
  /** Blobs left alone: younger than `minAgeMs`, or of a journey whose lease is held. */
  skipped: { young: number; held: number };
  /** Findings not fixed. */
  remaining: number;
  /** Nothing remains: there was nothing, or everything found was fixed. */
  healthy: boolean;
}

/** The answer of {@link examineStorage}. */
export interface DoctorReport {
  findings: DoctorFinding[];
  summary: DoctorSummary;
}

/** Collects findings and counts while the stores are examined. */
export class DoctorReportBuilder {
  readonly checked = { journeys: 0, blobs: 0, files: 0 };
  readonly #findings: DoctorFinding[] = [];
  readonly #skipped = { young: 0, held: 0 };

  constructor(
    private readonly tenantId: string,
    private readonly fix: boolean,
    private readonly minAgeMs: number,
    private readonly onFinding?: (finding: DoctorFinding) => void,
  ) {}

  add(finding: DoctorFinding): void {
    this.#findings.push(finding);
    this.onFinding?.(finding);
  }

  skip(why: 'young' | 'held'): void {
    this.#skipped[why] += 1;
  }

  build(): DoctorReport {
    const byKind: DoctorSummary['byKind'] = {};
    for (const finding of this.#findings) {
      const entry = byKind[finding.kind] ?? { count: 0, bytes: 0, fixed: 0, fixedBytes: 0 };
      byKind[finding.kind] = entry;
      entry.count += 1;
      entry.bytes += finding.bytes ?? 0;
      if (finding.fixed) {
        entry.fixed += 1;
        entry.fixedBytes += finding.bytes ?? 0;
      }
    }
    const remaining = this.#findings.filter((finding) => !finding.fixed).length;
    return {
      findings: this.#findings,
      summary: {
        tenantId: this.tenantId,
        fix: this.fix,
        minAgeMs: this.minAgeMs,
        checked: { ...this.checked },
        byKind,
        skipped: { ...this.#skipped },
        remaining,
        healthy: remaining === 0,
      },
    };
  }
}

/**
 * Whether the store can sweep its own leftovers (a `LocalBlobStore`). Checked by shape rather than
 * `instanceof`: a host may load another copy of foundations than the one this package imports.
 */
export function isSweepable(blobs: BlobStore): blobs is BlobStore & Pick<LocalBlobStore, 'sweep'> {
  return blobs.kind === 'local' && typeof (blobs as Partial<LocalBlobStore>).sweep === 'function';
}
