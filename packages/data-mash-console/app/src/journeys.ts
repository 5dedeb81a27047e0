import type { Journey } from './api.js';

/** The uploaded file's name, from the first milestone's handoff (or what the journey kept of it). */
export function journeyFileName(journey: Journey): string | undefined {
  const uploaded = journey.context.outputs?.file_uploaded;
  if (typeof uploaded?.fileName === 'string') return uploaded.fileName;
  for (const milestone of journey.milestones) {
    if (typeof milestone.result?.fileName === 'string') return milestone.result.fileName;
  }
  // What the flow noted of the file before storing it (a quarantined file has nothing else).
  const about = (journey.context as { about?: { fileName?: unknown } }).about;
  return typeof about?.fileName === 'string' ? about.fileName : journey.label;
}

/** The stored file's id, once the first milestone completed. */
export function journeyFileId(journey: Journey): string | undefined {
  const uploaded = journey.context.outputs?.file_uploaded;
  if (typeof uploaded?.fileId === 'string') return uploaded.fileId;
  const fromResult = journey.milestones.find((milestone) => typeof milestone.result?.fileId === 'string');
  return fromResult?.result?.fileId as string | undefined;
}

/**
 * How long the journey's milestones took, first start to last end: a failed flow resumed or
 * uploaded again later is not counted as running in between.
 */
export function journeyDurationMs(journey: Journey): number | undefined {
  const times = (pick: (milestone: Journey['milestones'][number]) => string | undefined) =>
    journey.milestones.flatMap((milestone) => {
      const at = pick(milestone);
      return at ? [Date.parse(at)] : [];
    });
  const starts = times((milestone) => milestone.startedAt);
  if (starts.length === 0) return undefined;
  const end =
    journey.status === 'running' ? Date.now() : Math.max(...times((milestone) => milestone.completedAt), ...starts);
  return Math.max(0, end - Math.min(...starts));
}

/** The failure to show: the journey's error, else its failed milestone's. */
export function journeyError(journey: Journey): { code: string; message: string; milestone?: string } | undefined {
  const failed = journey.milestones.find((milestone) => milestone.status === 'failed' && milestone.error);
  if (journey.error) return { ...journey.error, ...(failed ? { milestone: failed.name } : {}) };
  return failed?.error ? { ...failed.error, milestone: failed.name } : undefined;
}
