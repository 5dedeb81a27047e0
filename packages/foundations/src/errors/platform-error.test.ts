import { runWithTraceId } from '@platform/observability';
import { describe, expect, it } from 'vitest';
import { PlatformError, serializeError } from './platform-error.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('PlatformError', () => {
  it('carries code, message, details, cause and the active trace id', () => {
    const cause = new Error('ECONNREFUSED');
    const error = runWithTraceId(
      TRACE_ID,
      () =>
        new PlatformError('ADAPTER_UNAVAILABLE', 'metadata store unreachable', {
          details: { adapter: 'postgres' },
          cause,
        }),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'PlatformError', code: 'ADAPTER_UNAVAILABLE', traceId: TRACE_ID, cause });
    expect(error.toJSON()).toEqual({
      name: 'PlatformError',
      code: 'ADAPTER_UNAVAILABLE',
      message: 'metadata store unreachable',
      details: { adapter: 'postgres' },
      traceId: TRACE_ID,
    });
    expect(PlatformError.is(error)).toBe(true);
    expect(PlatformError.is(error, 'NOT_FOUND')).toBe(false);
    expect(PlatformError.is(new Error('x'))).toBe(false);
  });

  it('names subclasses after themselves', () => {
    class QuotaError extends PlatformError {}
    expect(new QuotaError('RATE_LIMITED', 'slow down').name).toBe('QuotaError');
  });

  it('serializes any thrown value for an envelope', () => {
    expect(serializeError(new PlatformError('NOT_FOUND', 'no file f-1', { traceId: TRACE_ID }))).toMatchObject({
      code: 'NOT_FOUND',
      traceId: TRACE_ID,
    });
    expect(serializeError(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toEqual({
      name: 'Error',
      code: 'ENOENT',
      message: 'gone',
    });
    expect(serializeError(Object.assign(new Error('odd'), { code: 'not a code' }))).toMatchObject({ code: 'INTERNAL' });
    expect(serializeError('text')).toEqual({ name: 'NonErrorThrown', code: 'INTERNAL', message: 'text' });
  });
});
