import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { Journey, TraceSpan } from '../api.js';
import { MilestoneTimeline } from '../components/milestone-timeline.js';
import { Problem } from '../components/problem.js';
import { useLoad } from '../components/use-load.js';
import { useConsole } from '../context.js';
import { formatDuration } from '../format.js';

interface Row {
  span: TraceSpan;
  depth: number;
}

/** The spans in tree order: each after its parent, siblings by start time. */
export function spanRows(spans: readonly TraceSpan[]): Row[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const span of spans) {
    // A span whose parent is not here (the caller's, in another process) is a root of this view.
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : undefined;
    const siblings = children.get(parent);
    if (siblings) siblings.push(span);
    else children.set(parent, [span]);
  }
  const rows: Row[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const span of (children.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      rows.push({ span, depth });
      visit(span.spanId, depth + 1);
    }
  };
  visit(undefined, 0);
  return rows;
}

const MAX_INDENT = 8;

/**
 * The journey's trace as a waterfall: a row per span, indented under its parent, its bar where it
 * ran on the trace's time axis; a row opens to its attributes and events. Retries show as repeated
 * spans of a milestone, failures in the error colour with their status.
 */
export function TracePanel({ journey }: { journey: Journey }) {
  const { api } = useConsole();
  const { value: trace, error } = useLoad(
    () => api.journeyView(journey.id, 'trace'),
    [api, journey.id, journey.updatedAt],
  );
  const [open, setOpen] = useState<string | undefined>();
  if (error) return <Problem error={error} />;
  if (!trace) return <p class="muted">Loading the trace…</p>;
  if (!trace.recorded || trace.spans.length === 0) {
    return (
      <section class="panel" aria-labelledby="trace-title">
        <h2 id="trace-title">Trace</h2>
        <p data-testid="trace-not-recorded">
          {journey.status === 'running' || journey.status === 'pending' ? (
            <>This server holds no finished span of this journey yet. Its milestones so far:</>
          ) : (
            <>
              This server holds no spans of trace <code>{trace.traceId ?? journey.traceId ?? '–'}</code>: the journey
              ran in another process (a worker, the CLI) or before this server started, or its spans were let go to keep
              the most recent journeys. Its milestones, as the journey recorded them:
            </>
          )}
        </p>
        <MilestoneTimeline milestones={journey.milestones} now={Date.now()} />
      </section>
    );
  }
  const rows = spanRows(trace.spans);
  const start = Math.min(...trace.spans.map((span) => span.startMs));
  const end = Math.max(...trace.spans.map((span) => span.startMs + span.durationMs));
  const total = Math.max(end - start, 0.001);
  const errors = trace.spans.filter((span) => span.status === 'error').length;
  return (
    <section class="panel" aria-labelledby="trace-title">
      <h2 id="trace-title">Trace</h2>
      <p class="muted">
        Trace <code>{trace.traceId}</code>: {trace.spans.length} spans over {formatDuration(total)}
        {errors > 0 ? `, ${errors} failed` : ''}. Select a span for its attributes.
      </p>
      <div class="waterfall" data-testid="waterfall">
        <div class="waterfall-axis" aria-hidden="true">
          {[0, 0.25, 0.5, 0.75, 1].map((at) => (
            <span key={at} style={{ left: `${at * 100}%` }}>
              {at === 0 ? '0' : formatDuration(total * at)}
            </span>
          ))}
        </div>
        <ol class="waterfall-rows" aria-label="Spans, in the order they ran">
          {rows.map(({ span, depth }) => {
            const left = ((span.startMs - start) / total) * 100;
            const width = Math.max((span.durationMs / total) * 100, 0.3);
            const expanded = open === span.spanId;
            return (
              <li
                key={span.spanId}
                class={`span-row span-${span.status} ${span.name.startsWith('journey.') ? 'span-journey' : ''}`}
              >
                <button
                  type="button"
                  class="span-head"
                  aria-expanded={expanded}
                  onClick={() => setOpen(expanded ? undefined : span.spanId)}
                >
                  <span class="span-name" style={{ paddingLeft: `${Math.min(depth, MAX_INDENT) * 0.75}rem` }}>
                    {span.status === 'error' && <span class="visually-hidden">failed: </span>}
                    {span.name}
                  </span>
                  <span class="span-track" aria-hidden="true">
                    <span class="span-bar" style={{ left: `${left}%`, width: `${width}%` }} />
                  </span>
                  <span class="span-duration">{formatDuration(span.durationMs)}</span>
                </button>
                {expanded && <SpanDetails span={span} offsetMs={span.startMs - start} />}
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}

function SpanDetails({ span, offsetMs }: { span: TraceSpan; offsetMs: number }) {
  const attributes = Object.entries(span.attributes);
  return (
    <div class="span-details">
      <dl class="facts">
        <dt>Started</dt>
        <dd>+{formatDuration(offsetMs)}</dd>
        <dt>Status</dt>
        <dd>{span.status}</dd>
        <dt>Span</dt>
        <dd>
          <code>{span.spanId}</code>
        </dd>
        {attributes.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>
              <code>{typeof value === 'string' ? value : JSON.stringify(value)}</code>
            </dd>
          </Fragment>
        ))}
      </dl>
      {span.events && span.events.length > 0 && (
        <ul class="span-events" aria-label="Events">
          {span.events.map((event) => (
            <li key={`${event.name}-${event.timeMs}`}>
              <strong>{event.name}</strong> {event.attributes && <code>{JSON.stringify(event.attributes)}</code>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
