export {
  type ExtractedTraceContext,
  extractTraceContext,
  extractTraceId,
  type HeaderGetter,
  type HeaderValue,
  type InjectableTraceContext,
  injectTraceHeaders,
  type ReadableHeaders,
  TRACE_ID_HEADER,
  TRACEPARENT_HEADER,
  type TraceCarrier,
  type TraceIdSource,
  type WritableHeaders,
} from './carrier.js';
export {
  generateSpanId,
  generateTraceId,
  isValidSpanId,
  isValidTraceId,
  normalizeTraceId,
} from './ids.js';
export {
  formatTraceParent,
  MAX_TRACE_HEADER_LENGTH,
  parseTraceParent,
  type TraceContextRejection,
  type TraceParent,
} from './traceparent.js';
