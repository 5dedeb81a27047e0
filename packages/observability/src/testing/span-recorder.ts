import { type Context, type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** A finished or open span, as tests see it: plain data, easy to assert on. */
export interface RecordedSpan {
  name: string;
  traceId: string;
  spanId: string;
  /** The parent's span id; `undefined` for a root span. */
  parentSpanId: string | undefined;
  /** True when the parent came from another process (`traceparent`, `runWithTraceContext`). */
  parentIsRemote: boolean;
  kind: keyof typeof SpanKind;
  /** Instrumentation scope name: which tracer started it. */
  scope: string;
  attributes: Record<string, unknown>;
  status: { code: 'unset' | 'ok' | 'error'; message?: string };
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
  ended: boolean;
  durationMs: number;
}

const STATUS_NAMES = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
} as const;

function hrToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

/** Converts an SDK span to a {@link RecordedSpan}. */
export function toRecordedSpan(span: ReadableSpan): RecordedSpan {
  const context = span.spanContext();
  const parent = span.parentSpanContext;
  return {
    name: span.name,
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId,
    parentIsRemote: parent?.isRemote ?? false,
    kind: SpanKind[span.kind] as keyof typeof SpanKind,
    scope: span.instrumentationScope.name,
    attributes: { ...span.attributes },
    status: {
      code: STATUS_NAMES[span.status.code],
      ...(span.status.message ? { message: span.status.message } : {}),
    },
    events: span.events.map((event) => ({ name: event.name, attributes: { ...event.attributes } })),
    ended: span.ended,
    durationMs: span.ended ? hrToMs(span.duration) : 0,
  };
}

/** A span processor keeping every started span until it ends, and every ended span. */
export class RecordingSpanProcessor implements SpanProcessor {
  readonly open = new Set<Span>();
  readonly finished: ReadableSpan[] = [];

  onStart(span: Span, _parentContext: Context): void {
    this.open.add(span);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    this.finished.push(span);
  }

  clear(): void {
    this.open.clear();
    this.finished.length = 0;
  }

  async forceFlush(): Promise<void> {}

  async shutdown(): Promise<void> {}
}
