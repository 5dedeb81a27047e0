export { type DescribedError, describeError } from './error-recording.js';
export {
  continueTrace,
  currentSpanId,
  currentTraceId,
  currentTraceSampled,
  runWithTraceContext,
  runWithTraceId,
  type TraceScopeInput,
} from './trace-scope.js';
export { DEFAULT_TRACER_NAME, type SpanFunction, type SpanRunOptions, withSpan } from './with-span.js';
