import type { TelemetryEvent } from './event.js';

/**
 * Where telemetry events go. A sink receives events that are already redacted. It should not
 * throw; if it does, the error is reported once as a process warning and the operation that
 * logged goes on.
 */
export type TelemetrySink = (event: TelemetryEvent) => void;

/** A stream-like target: `process.stdout`, a file stream, or anything with `write(string)`. */
export interface TextWritable {
  write(chunk: string): unknown;
}

/**
 * A sink writing one JSON object per line (JSON Lines), the default: `process.stdout`.
 *
 * @example
 * ```ts
 * createTelemetry({ sink: jsonLinesSink(fs.createWriteStream('telemetry.jsonl', { flags: 'a' })) });
 * ```
 */
export function jsonLinesSink(stream: TextWritable = process.stdout): TelemetrySink {
  return (event) => {
    stream.write(`${JSON.stringify(event)}\n`);
  };
}

/**
 * A logger with level methods taking an object first, then a message: pino, bunyan, and
 * `console` all fit.
 */
export interface StructuredLogger {
  info(object: object, message?: string): unknown;
  warn(object: object, message?: string): unknown;
  error(object: object, message?: string): unknown;
}

/**
 * A sink handing each event to the host's logger at the event's level, with the operation name
 * as the message.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * createTelemetry({ sink: loggerSink(pino()) });
 * ```
 */
export function loggerSink(logger: StructuredLogger): TelemetrySink {
  return (event) => {
    logger[event.level](event, event.operation);
  };
}

/** A sink sending every event to each of `sinks`; one failing sink does not stop the others. */
export function fanOutSink(...sinks: TelemetrySink[]): TelemetrySink {
  return (event) => {
    let firstError: unknown;
    for (const sink of sinks) {
      try {
        sink(event);
      } catch (error) {
        firstError ??= error;
      }
    }
    if (firstError !== undefined) throw firstError;
  };
}

/** A sink that drops every event, for hosts that want spans and metrics but no event log. */
export const silentSink: TelemetrySink = () => {};
