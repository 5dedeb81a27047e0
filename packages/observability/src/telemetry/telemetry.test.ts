import { afterEach, describe, expect, it, vi } from 'vitest';
import { runWithTraceId } from '../spans/trace-scope.js';
import { createMemorySink } from '../testing/memory-sink.js';
import type { TelemetryEvent } from './event.js';
import { fanOutSink, jsonLinesSink, loggerSink } from './sinks.js';
import { createTelemetry, UNEXPECTED_ERROR_CODE } from './telemetry.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const fixedNow = () => new Date('2026-11-23T10:00:00.000Z');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('logOperation', () => {
  it('emits a structured, redacted event with the active trace id', () => {
    const memory = createMemorySink();
    const telemetry = createTelemetry({ service: 'ingest', sink: memory.sink, now: fixedNow });
    const event = runWithTraceId(TRACE_ID, () =>
      telemetry.logOperation({
        operation: 'upload',
        success: true,
        durationMs: 12.34567,
        details: { fileName: 'a.csv', uploader: { email: 'jo@example.com' }, apiKey: 'k' },
      }),
    );
    expect(event).toEqual({
      timestamp: '2026-11-23T10:00:00.000Z',
      level: 'info',
      operation: 'upload',
      success: true,
      traceId: TRACE_ID,
      service: 'ingest',
      durationMs: 12.346,
      details: { fileName: 'a.csv', uploader: { email: '[REDACTED]' }, apiKey: '[REDACTED]' },
    });
    expect(memory.events).toEqual([event]);
  });

  it('serializes errors with a stable code, redacted message and no stack by default', () => {
    const memory = createMemorySink();
    const telemetry = createTelemetry({ sink: memory.sink });
    const coded = Object.assign(new Error('no access for jo@example.com'), { code: 'TENANT_ACCESS_DENIED' });
    const withCode = telemetry.logOperation({ operation: 'read', success: false, error: coded, traceId: TRACE_ID });
    expect(withCode).toMatchObject({
      level: 'error',
      traceId: TRACE_ID,
      error: { name: 'Error', code: 'TENANT_ACCESS_DENIED', message: 'no access for [REDACTED]' },
    });
    expect(withCode.error).not.toHaveProperty('stack');
    expect(telemetry.logOperation({ operation: 'x', success: false, error: new Error('e') }).error?.code).toBe(
      UNEXPECTED_ERROR_CODE,
    );
    expect(
      telemetry.logOperation({ operation: 'x', success: false, error: 'str', errorCode: 'PARSE_FAILED' }).error,
    ).toEqual({
      name: 'NonErrorThrown',
      code: 'PARSE_FAILED',
      message: 'str',
    });
  });

  it('includes redacted stacks when asked', () => {
    const telemetry = createTelemetry({ sink: () => {}, includeStacks: true });
    const event = telemetry.logOperation({ operation: 'x', success: false, error: new Error('jo@example.com') });
    expect(event.error?.stack).toContain('Error: [REDACTED]');
  });

  it('keeps going when the sink throws, and warns once', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const telemetry = createTelemetry({
      sink: () => {
        throw new Error('disk full');
      },
    });
    for (let index = 0; index < 3; index += 1) telemetry.logOperation({ operation: 'x', success: true });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('disk full');
  });
});

describe('trackOperation', () => {
  it('logs success with a duration for sync and async work', async () => {
    const memory = createMemorySink();
    const telemetry = createTelemetry({ sink: memory.sink });
    expect(telemetry.trackOperation('sync', { n: 1 }, () => 'ok')).toBe('ok');
    await expect(
      telemetry.trackOperation('async', undefined, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return 'later';
      }),
    ).resolves.toBe('later');
    const [sync, async] = memory.events as [TelemetryEvent, TelemetryEvent];
    expect(sync).toMatchObject({ operation: 'sync', success: true, details: { n: 1 } });
    expect(async).toMatchObject({ operation: 'async', success: true });
    expect(async.durationMs).toBeGreaterThanOrEqual(4);
  });

  it('logs failure with the error and re-throws it unchanged', async () => {
    const memory = createMemorySink();
    const telemetry = createTelemetry({ sink: memory.sink });
    const error = new RangeError('too big');
    expect(() =>
      telemetry.trackOperation('sync', undefined, () => {
        throw error;
      }),
    ).toThrow(error);
    await expect(telemetry.trackOperation('async', undefined, () => Promise.reject(error))).rejects.toBe(error);
    expect(memory.events.map((event) => [event.operation, event.success, event.error?.name])).toEqual([
      ['sync', false, 'RangeError'],
      ['async', false, 'RangeError'],
    ]);
  });
});

describe('sinks', () => {
  it('jsonLinesSink writes one JSON object per line', () => {
    const lines: string[] = [];
    const telemetry = createTelemetry({ sink: jsonLinesSink({ write: (chunk) => lines.push(chunk) }), now: fixedNow });
    telemetry.logOperation({ operation: 'a', success: true });
    telemetry.logOperation({ operation: 'b', success: false });
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(lines.map((line) => JSON.parse(line).operation)).toEqual(['a', 'b']);
  });

  it('jsonLinesSink writes to stdout by default', () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    createTelemetry().logOperation({ operation: 'to.stdout', success: true });
    expect(String(write.mock.calls[0]?.[0])).toContain('"operation":"to.stdout"');
  });

  it('loggerSink calls the level method with the event and the operation as message', () => {
    const calls: Array<[string, object, string | undefined]> = [];
    const logger = {
      info: (object: object, message?: string) => calls.push(['info', object, message]),
      warn: (object: object, message?: string) => calls.push(['warn', object, message]),
      error: (object: object, message?: string) => calls.push(['error', object, message]),
    };
    const telemetry = createTelemetry({ sink: loggerSink(logger) });
    telemetry.logOperation({ operation: 'ok', success: true });
    telemetry.logOperation({ operation: 'slow', success: true, level: 'warn' });
    telemetry.logOperation({ operation: 'bad', success: false });
    expect(calls.map(([level, , message]) => [level, message])).toEqual([
      ['info', 'ok'],
      ['warn', 'slow'],
      ['error', 'bad'],
    ]);
  });

  it('fanOutSink delivers to every sink even when one throws, then reports the failure', () => {
    const memory = createMemorySink();
    const sink = fanOutSink(() => {
      throw new Error('first');
    }, memory.sink);
    const event = { timestamp: '', level: 'info', operation: 'x', success: true } as const;
    expect(() => sink(event)).toThrow('first');
    expect(memory.events).toEqual([event]);
  });
});
