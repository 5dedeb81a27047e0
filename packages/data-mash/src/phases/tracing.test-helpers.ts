import { context, type Tracer, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** The OpenTelemetry SDK as a host registers it, exporting to memory. */
export interface InMemoryTracing {
  /** A tracer of the "host application", to open spans around platform calls. */
  readonly tracer: Tracer;
  /** Finished spans, in the order they ended. */
  spans(): ReadableSpan[];
  /** The one finished span named `name`. @throws when there is none or several. */
  span(name: string): ReadableSpan;
  /** The finished spans whose parent is `parent`. */
  childrenOf(parent: ReadableSpan): ReadableSpan[];
  /** `span` and every finished span under it. */
  subtree(span: ReadableSpan): ReadableSpan[];
  reset(): void;
  uninstall(): Promise<void>;
}

/**
 * Registers a tracer provider (parent-based sampling, as the SDK's default), an AsyncLocalStorage
 * context manager and an in-memory exporter as the global ones, as a host using the real SDK would.
 * Call `uninstall` after the tests.
 */
export function installInMemoryTracing(): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(contextManager) || !trace.setGlobalTracerProvider(provider)) {
    throw new Error('installInMemoryTracing: another OpenTelemetry SDK is registered');
  }
  const spans = () => exporter.getFinishedSpans();
  const childrenOf = (parent: ReadableSpan) =>
    spans().filter((span) => span.parentSpanContext?.spanId === parent.spanContext().spanId);
  const subtree = (root: ReadableSpan): ReadableSpan[] => [root, ...childrenOf(root).flatMap(subtree)];
  return {
    tracer: trace.getTracer('host-app'),
    spans,
    span(name) {
      const found = spans().filter((span) => span.name === name);
      if (found.length !== 1) {
        throw new Error(`expected one span '${name}', found ${found.length} among [${spans().map((s) => s.name)}]`);
      }
      return found[0] as ReadableSpan;
    },
    childrenOf,
    subtree,
    reset: () => exporter.reset(),
    async uninstall() {
      trace.disable();
      context.disable();
      await provider.shutdown();
    },
  };
}
