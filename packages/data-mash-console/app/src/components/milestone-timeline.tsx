import type { Milestone } from '../api.js';
import { durationBetween, formatDuration, formatTime, milestoneLabel } from '../format.js';
import { StatusBadge } from './status.js';

/**
 * The milestones on one time axis: each bar starts and ends where its milestone did, so a slow
 * step shows as a long bar; the figures are in the text too.
 */
export function MilestoneTimeline({ milestones, now }: { milestones: readonly Milestone[]; now: number }) {
  const starts = milestones.map((milestone) => (milestone.startedAt ? Date.parse(milestone.startedAt) : undefined));
  const ends = milestones.map((milestone, index) =>
    milestone.completedAt ? Date.parse(milestone.completedAt) : milestone.status === 'running' ? now : starts[index],
  );
  const known = [...starts, ...ends].filter((value): value is number => value !== undefined && Number.isFinite(value));
  const from = known.length > 0 ? Math.min(...known) : 0;
  const span = Math.max(1, (known.length > 0 ? Math.max(...known) : 0) - from);
  return (
    <ol class="timeline" aria-label="Milestones">
      {milestones.map((milestone, index) => {
        const start = starts[index];
        const end = ends[index];
        const left = start === undefined ? 0 : ((start - from) / span) * 100;
        const width = start === undefined || end === undefined ? 0 : Math.max(0.5, ((end - start) / span) * 100);
        return (
          <li key={milestone.name} class={`timeline-row row-${milestone.status}`}>
            <div class="timeline-label">
              <span class="timeline-name">{milestoneLabel(milestone.name)}</span>
              <StatusBadge status={milestone.status} />
              {milestone.attempts !== undefined && milestone.attempts > 1 && (
                <span class="attempts" title="Retried after transient failures">
                  {milestone.attempts} attempts
                </span>
              )}
            </div>
            <div class="timeline-track" aria-hidden="true">
              {start !== undefined && (
                <span class={`timeline-bar bar-${milestone.status}`} style={{ left: `${left}%`, width: `${width}%` }} />
              )}
            </div>
            <div class="timeline-figures">
              {milestone.startedAt ? (
                <>
                  <span>{formatDuration(durationBetween(milestone.startedAt, milestone.completedAt))}</span>
                  <span class="muted"> from {formatTime(milestone.startedAt)}</span>
                </>
              ) : (
                <span class="muted">not started</span>
              )}
            </div>
            {milestone.error && (
              <p class="error-text timeline-error">
                <code>{milestone.error.code}</code> {milestone.error.message}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
