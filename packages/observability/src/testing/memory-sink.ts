import type { TelemetryEvent, TelemetrySink } from '../telemetry/index.js';

/** A telemetry sink keeping events in an array, with helpers to find them. */
export interface MemorySink {
  readonly sink: TelemetrySink;
  readonly events: readonly TelemetryEvent[];
  /** Events of one operation, in order. */
  forOperation(operation: string): TelemetryEvent[];
  clear(): void;
}

/** Creates a {@link MemorySink}, for tests that need events but no spans or metrics. */
export function createMemorySink(): MemorySink {
  const events: TelemetryEvent[] = [];
  return {
    sink: (event) => {
      events.push(event);
    },
    events,
    forOperation: (operation) => events.filter((event) => event.operation === operation),
    clear: () => {
      events.length = 0;
    },
  };
}
