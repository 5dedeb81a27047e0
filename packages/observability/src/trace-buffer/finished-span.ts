/**
 * A finished span as plain data, for drawing a trace (a waterfall) or checking it: what a
 * {@link TraceSpanSource} such as the `TraceBuffer` of `@platform/observability/trace-buffer`
 * answers. Its attributes are as the span had them: redacted by `withSpan` when it was started there.
 */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  /** The parent's span id; absent for the root span of the trace in this process. */
  parentSpanId?: string;
  /**
   * True when the parent came from another process (`traceparent`): a link the caller chose, not
   * one this process made, so a reader keeping to one request or tenant does not follow it.
   */
  parentIsRemote?: boolean;
  name: string;
  /** When the span started, in milliseconds since the epoch. */
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error' | 'unset';
  /** The status message of a span that ended in error, when it had one. */
  statusMessage?: string;
  attributes: Record<string, unknown>;
  /** Events recorded on the span (e.g. `exception`), each with its time in epoch milliseconds. */
  events?: Array<{ name: string; timeMs: number; attributes?: Record<string, unknown> }>;
}

/** Where the finished spans of a trace can be read: `TraceBuffer`, or a host's own store of spans. */
export interface TraceSpanSource {
  /** The finished spans of `traceId` still kept, by start time; empty when none are. */
  spansOf(traceId: string): readonly FinishedSpan[];
}
