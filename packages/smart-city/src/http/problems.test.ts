import { PlatformError } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { readCredential } from './authenticate.js';
import { PROBLEM_STATUS, problemResponse, problemStatus, toProblem } from './problems.js';
import { dispositionFilename, jsonBody, uploadedFile } from './uploads.js';

const where = { instance: '/journeys/j-1', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' };

describe('PROBLEM_STATUS', () => {
  it('maps the stable codes to statuses, and an unknown code to 500', () => {
    expect(
      Object.fromEntries(
        [
          'VALIDATION_FAILED',
          'AUTHENTICATION_FAILED',
          'PERMISSION_DENIED',
          'TENANT_ACCESS_DENIED',
          'NOT_FOUND',
          'CONFLICT',
          'FILE_TOO_LARGE',
          'UNSUPPORTED_FILE_TYPE',
          'FILE_QUARANTINED',
          'CONTRACT_VIOLATION',
          'RATE_LIMITED',
          'SERVICE_UNAVAILABLE',
          'ADAPTER_UNAVAILABLE',
          'TIMEOUT',
          'INTERNAL',
          'SOMETHING_NEW',
        ].map((code) => [code, problemStatus(code)]),
      ),
    ).toEqual({
      VALIDATION_FAILED: 400,
      AUTHENTICATION_FAILED: 401,
      PERMISSION_DENIED: 403,
      TENANT_ACCESS_DENIED: 404,
      NOT_FOUND: 404,
      CONFLICT: 409,
      FILE_TOO_LARGE: 413,
      UNSUPPORTED_FILE_TYPE: 415,
      FILE_QUARANTINED: 422,
      CONTRACT_VIOLATION: 500,
      RATE_LIMITED: 429,
      SERVICE_UNAVAILABLE: 503,
      ADAPTER_UNAVAILABLE: 503,
      TIMEOUT: 504,
      INTERNAL: 500,
      SOMETHING_NEW: 500,
    });
    expect(problemStatus('__proto__')).toBe(500);
    expect(problemStatus('toString')).toBe(500);
    expect(Object.isFrozen(PROBLEM_STATUS)).toBe(true);
  });
});

describe('toProblem', () => {
  it('keeps the message and details of a 4xx', () => {
    const error = new PlatformError('VALIDATION_FAILED', 'fileId: required', {
      details: { problems: ['fileId'], userId: 'u-1' },
    });
    expect(toProblem(error, where)).toEqual({
      type: 'urn:platform:problem:validation-failed',
      title: 'Validation failed',
      status: 400,
      detail: 'fileId: required',
      instance: '/journeys/j-1',
      code: 'VALIDATION_FAILED',
      traceId: where.traceId,
      details: { problems: ['fileId'] },
    });
  });

  it('hides what a 5xx says: generic detail, no details, the code and trace id kept', () => {
    const problem = toProblem(new Error('ECONNREFUSED 10.0.0.7:5432 password=hunter2'), where);
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL', traceId: where.traceId });
    expect(JSON.stringify(problem)).not.toMatch(/10\.0\.0\.7|hunter2|ECONNREFUSED/);
    const adapter = toProblem(
      { name: 'PlatformError', code: 'ADAPTER_UNAVAILABLE', message: 'db-7 down', details: { host: 'db-7' } },
      where,
    );
    expect(adapter.status).toBe(503);
    expect(adapter.details).toBeUndefined();
    expect(adapter.detail).not.toContain('db-7');
  });

  it("tells another tenant's resource exactly as a missing one", () => {
    const theirs = toProblem(
      new PlatformError('TENANT_ACCESS_DENIED', "'journeys:read' on a resource of another tenant"),
      where,
    );
    const missing = toProblem(
      new PlatformError('NOT_FOUND', "journey 'j-1' not found", { details: { id: 'j-1' } }),
      where,
    );
    expect(theirs).toEqual(missing);
    expect(theirs.code).toBe('NOT_FOUND');
  });

  it('answers as application/problem+json, with a Bearer challenge on 401', async () => {
    const response = problemResponse(toProblem(new PlatformError('AUTHENTICATION_FAILED', 'no token'), where));
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
  });
});

describe('request parsing', () => {
  it('reads file names from Content-Disposition', () => {
    expect(dispositionFilename('attachment; filename="sales 2026.csv"')).toBe('sales 2026.csv');
    expect(dispositionFilename('attachment; filename*=UTF-8\'\'r%C3%A9gions.csv; filename="x.csv"')).toBe(
      'régions.csv',
    );
    expect(dispositionFilename('attachment; filename=plain.csv')).toBe('plain.csv');
    expect(dispositionFilename("attachment; filename*=UTF-8''%E0%A4%A")).toBeUndefined();
    expect(dispositionFilename(null)).toBeUndefined();
  });

  it('streams an upload once, refusing it past the limit', async () => {
    const request = new Request('http://local/files?name=a.csv', {
      method: 'POST',
      body: 'abcdef',
      headers: { 'content-type': 'text/csv' },
    });
    const file = uploadedFile(request, new URL(request.url), 4);
    expect(file).toMatchObject({ name: 'a.csv', declaredType: 'text/csv' });
    const read = async () => {
      for await (const _chunk of file.data) {
        // reading
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    await expect(read()).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('reads JSON bodies, refusing what is not a JSON object', async () => {
    const post = (body: string, type = 'application/json') =>
      new Request('http://local/x', { method: 'POST', body, headers: { 'content-type': type } });
    expect(await jsonBody(post('{"a":1}'), 100)).toEqual({ a: 1 });
    expect(await jsonBody(post('{"a":1}', 'application/merge-patch+json'), 100)).toEqual({ a: 1 });
    await expect(jsonBody(post('{"a":'), 100)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(jsonBody(post('"text"'), 100)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(jsonBody(post('{"a":1}', 'text/plain'), 100)).rejects.toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    await expect(jsonBody(post(`{"a":"${'x'.repeat(200)}"}`), 100)).rejects.toMatchObject({
      code: 'REQUEST_TOO_LARGE',
    });
  });

  it('reads one credential, from a header or the WebSocket protocol, never from the URL', () => {
    const request = (headers: Record<string, string>, url = 'http://local/x') => new Request(url, { headers });
    expect(readCredential(request({ authorization: 'Bearer t.o.k' }))).toEqual({ kind: 'bearer', token: 't.o.k' });
    expect(readCredential(request({ authorization: 'apikey pk_1' }))).toEqual({ kind: 'api-key', key: 'pk_1' });
    expect(readCredential(request({ 'x-api-key': 'pk_2' }))).toEqual({ kind: 'api-key', key: 'pk_2' });
    expect(readCredential(request({ 'sec-websocket-protocol': 'bearer, t.o.k' }), { webSocket: true })).toEqual({
      kind: 'bearer',
      token: 't.o.k',
    });
    expect(readCredential(request({ 'sec-websocket-protocol': 'bearer, t.o.k' }))).toEqual({ kind: 'none' });
    expect(() => readCredential(request({}, 'http://local/x?access_token=t'))).toThrow(/query string/);
    expect(() => readCredential(request({ authorization: 'Bearer a b' }))).toThrow(PlatformError);
  });
});
