import {
  currentSpanId,
  currentTraceId,
  runWithTraceContext,
  runWithTraceId,
  type SpanRunOptions,
  withSpan,
} from '@platform/observability';

type SpanLinks = NonNullable<SpanRunOptions['links']>;
/** The W3C trace flag saying the trace is sampled. */
const SAMPLED_FLAG = 0x01;

/**
 * Runs a journey in its trace. In the caller's trace, `run` is called in the caller's context as
 * it is: the journey's span is a child of the caller's span (no parent of our making), and an
 * unsampled caller records nothing. A journey resumed in the trace it started in, not the
 * caller's, runs in that trace so that the journey stays one trace: `run` is then given a link to
 * the caller's span for the journey's span, runs with the caller's sampling decision, and is
 * covered in the caller's trace by a `<name>.resume` span (which is also how that decision is
 * learnt without the OpenTelemetry API). With no trace active at all, the journey's trace is
 * started as `runWithTraceId` does.
 */
export function inJourneyTrace<T>(
  traceId: string,
  name: string,
  attributes: Record<string, string>,
  run: (links: SpanLinks | undefined) => Promise<T>,
): Promise<T> {
  const callerTraceId = currentTraceId();
  if (callerTraceId === traceId) return run(undefined);
  if (callerTraceId === undefined) return runWithTraceId(traceId, () => run(undefined));
  const callerSpanId = currentSpanId();
  return withSpan(`${name}.resume`, { ...attributes, 'journey.trace_id': traceId }, (span) => {
    if (callerSpanId === undefined) return runWithTraceId(traceId, () => run(undefined));
    // Not recording, the span still carries the caller's flags (or the sampler's verdict on them).
    const traceFlags = span.spanContext().traceFlags;
    const links = [{ context: { traceId: callerTraceId, spanId: callerSpanId, traceFlags } }];
    const sampled = (traceFlags & SAMPLED_FLAG) === SAMPLED_FLAG;
    return runWithTraceContext({ traceId, sampled }, () => run(links));
  });
}
