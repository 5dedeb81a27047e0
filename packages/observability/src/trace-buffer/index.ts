/**
 * @packageDocumentation
 * The finished spans of a process's recent traces, kept in memory by an OpenTelemetry span
 * processor ({@link TraceBuffer}), for a console or a diagnostic endpoint to show. Needs the
 * optional peers `@opentelemetry/sdk-trace` and `@opentelemetry/context-async-hooks`.
 */

export type { FinishedSpan, TraceSpanSource } from './finished-span.js';
export {
  type InstalledTraceBuffer,
  type InstallTraceBufferOptions,
  installTraceBuffer,
  TraceBuffer,
  type TraceBufferOptions,
  toFinishedSpan,
} from './trace-buffer.js';
