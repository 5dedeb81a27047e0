import { BlobStoreRef, createPlatform, MetadataStoreRef } from '@platform/foundations';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from './app.js';
import {
  type FrontDoor,
  salesCsv,
  startFrontDoor,
  startIssuer,
  type TestIssuer,
  testFaultsService,
  waitForJourney,
} from './http.test-helpers.js';

let issuer: TestIssuer;
let door: FrontDoor;
let ada: Record<string, string>;
let fixer: Record<string, string>;
const UPLOAD_LIMIT = 1024 * 1024;

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${door.url}${path}`, init);
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { response, status: response.status, text, body: type.includes('json') ? JSON.parse(text) : undefined };
}

async function stored(tenantId: string) {
  const files = await door.platform.get(MetadataStoreRef).listFiles(tenantId);
  const blobs = await door.platform.get(BlobStoreRef).list(tenantId);
  return { files: files.items.length, blobs: blobs.items.length };
}

beforeAll(async () => {
  issuer = await startIssuer();
  door = await startFrontDoor(issuer, { app: { maxUploadBytes: UPLOAD_LIMIT }, services: [testFaultsService()] });
  ada = { authorization: `Bearer ${await issuer.sign({ sub: 'ada', tenantId: 'acme' })}` };
  fixer = {
    authorization: `Bearer ${await issuer.sign({ sub: 'fixer', tenantId: 'acme', permissions: ['faults:run'] })}`,
  };
});

afterAll(async () => {
  await door?.stop();
  await issuer?.close();
});

describe('the data mash through the front door', () => {
  it('takes a CSV upload (202 with the journey id), runs its flow, serves its insights and report', async () => {
    const began = performance.now();
    const upload = await call('/files?name=sales.csv', {
      method: 'POST',
      headers: { ...ada, 'content-type': 'text/csv' },
      body: salesCsv(50),
    });
    const answeredMs = performance.now() - began;
    expect(upload.status).toBe(202);
    expect(upload.body).toMatchObject({
      journeyId: expect.any(String),
      traceId: upload.response.headers.get('x-trace-id'),
    });
    const done = await waitForJourney(door.url, upload.body.journeyId, ada);
    const completedMs = performance.now() - began;
    expect(done.journey.status).toBe('completed');

    const insights = await call(`/journeys/${upload.body.journeyId}/insights`, { headers: ada });
    expect(insights.status).toBe(200);
    expect(insights.response.headers.get('content-type')).toBe('application/json');
    expect(JSON.stringify(insights.body)).toContain('amount');

    const report = await call(`/journeys/${upload.body.journeyId}/report`, { headers: ada });
    expect(report.status).toBe(200);
    expect(report.response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(report.response.headers.get('content-security-policy')).toContain('sandbox');
    expect(report.text).toMatch(/^<!doctype html>/i);
    console.info(
      `[http] CSV upload answered 202 in ${answeredMs.toFixed(0)} ms; flow completed in ${completedMs.toFixed(0)} ms`,
    );
  });

  it('takes the file name from Content-Disposition when the query has none', async () => {
    const upload = await call('/files', {
      method: 'POST',
      headers: {
        ...ada,
        'content-type': 'text/csv',
        'content-disposition': `attachment; filename*=UTF-8''r%C3%A9gions.csv`,
      },
      body: 'region,units\nnorth,3\n',
    });
    expect(upload.status).toBe(202);
    const done = await waitForJourney(door.url, upload.body.journeyId, ada);
    expect(JSON.stringify(done.journey)).toContain('régions.csv');
  });

  it('refuses an upload over the limit by its Content-Length at once, storing nothing (413)', async () => {
    const before = await stored('acme');
    const { status, body } = await call('/files?name=big.csv', {
      method: 'POST',
      headers: { ...ada, 'content-type': 'text/csv' },
      body: new Uint8Array(UPLOAD_LIMIT + 1).fill(0x31),
    });
    expect(status).toBe(413);
    expect(body).toMatchObject({ code: 'FILE_TOO_LARGE', details: { limitBytes: UPLOAD_LIMIT } });
    expect(await stored('acme')).toEqual(before);
  });

  // Streams three times the limit at most, without a Content-Length: the server must stop reading long before.
  const overLimit = () => {
    let sent = 0;
    const chunk = new TextEncoder().encode(`${'1,2,3\n'.repeat(10_000)}`);
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > UPLOAD_LIMIT * 3) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
  };
  const stream = (path: string, headers: Record<string, string>) =>
    fetch(`${door.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: overLimit(),
      duplex: 'half',
    } as RequestInit);

  it('stops reading a streamed upload (no Content-Length) as soon as it passes the limit (413)', async () => {
    const response = await stream('/sink?name=big.csv', fixer);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('FILE_TOO_LARGE');
    expect(response.headers.get('connection')).toBe('close');
  });

  it('refuses a streamed data mash upload over the limit, storing nothing (413)', async () => {
    const before = await stored('acme');
    const response = await stream('/files?name=big.csv', ada);
    expect(response.status).toBe(413);
    expect(((await response.json()) as { code: string }).code).toBe('FILE_TOO_LARGE');
    expect(await stored('acme')).toEqual(before);
  });
});

describe('request bodies', () => {
  const post = (body: string | Uint8Array, type?: string, extra: Record<string, string> = {}) =>
    call('/journeys', {
      method: 'POST',
      headers: { ...ada, ...(type ? { 'content-type': type } : {}), ...extra },
      body,
    });

  it('answers 400 VALIDATION_FAILED for malformed JSON, a non-object, or invalid input', async () => {
    expect((await post('{"fileId": ', 'application/json')).body).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect((await post('[1,2]', 'application/json')).status).toBe(400);
    expect((await post(new Uint8Array([0x7b, 0xff, 0x7d]), 'application/json')).status).toBe(400);
    const invalid = await post('{"fileId": 7}', 'application/json');
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.problems.join()).toContain('fileId');
  });

  it('answers 415 for a body that is not declared JSON', async () => {
    expect((await post('fileId=x', 'application/x-www-form-urlencoded')).body).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    });
    expect((await post('{"fileId":"x"}')).status).toBe(415);
    expect(
      (
        await call('/files?name=a.csv', {
          method: 'POST',
          headers: { ...ada, 'content-type': 'multipart/form-data; boundary=x' },
          body: '--x--',
        })
      ).status,
    ).toBe(415);
  });

  it('answers 413 for a JSON body over 1 MiB', async () => {
    const big = JSON.stringify({ fileId: 'x'.repeat(1024 * 1024) });
    expect((await post(big, 'application/json')).body).toMatchObject({ status: 413, code: 'REQUEST_TOO_LARGE' });
  });
});

describe('problems and traces', () => {
  it('answers every error as RFC 9457 problem details with the stable code and the trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { response, body } = await call('/journeys/journey_nope', {
      headers: { ...ada, traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'traceId', 'type']);
    expect(body).toEqual({
      type: 'urn:platform:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: expect.any(String),
      instance: '/journeys/journey_nope',
      code: 'NOT_FOUND',
      traceId,
    });
    expect(response.headers.get('x-trace-id')).toBe(traceId);
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('answers HEAD like GET, without a body', async () => {
    const response = await fetch(`${door.url}/journeys`, { method: 'HEAD', headers: ada });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.text()).toBe('');
  });

  it("answers with the caller's sampling decision: a not-sampled traceparent stays not sampled", async () => {
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const { response } = await call('/journeys', {
      headers: { ...ada, traceparent: `00-${traceId}-00f067aa0ba902b7-00` },
    });
    expect(response.headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it('continues an X-Trace-ID, and starts a trace for a caller without one', async () => {
    const traceId = `${'a'.repeat(31)}b`;
    expect(
      (await call('/journeys', { headers: { ...ada, 'x-trace-id': traceId } })).response.headers.get('x-trace-id'),
    ).toBe(traceId);
    const fresh = await call('/journeys', { headers: ada });
    expect(fresh.response.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never lets a 5xx tell internal messages: generic detail, code and trace id kept', async () => {
    const boom = await call('/faults/boom', { headers: fixer });
    expect(boom.status).toBe(500);
    expect(boom.body).toMatchObject({ code: 'INTERNAL', traceId: boom.response.headers.get('x-trace-id') });
    expect(boom.text).not.toMatch(/postgres|hunter2|db-7/);
    const contract = await call('/faults/contract', { headers: fixer });
    expect(contract.status).toBe(500);
    expect(contract.body.code).toBe('CONTRACT_VIOLATION');
    expect(contract.body.details).toBeUndefined();
    expect(contract.text).not.toContain('unexpected');
  });

  it('answers unknown routes 404 and wrong methods 405 with Allow', async () => {
    const unknown = await call('/nothing/here', { headers: ada });
    expect(unknown.body).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const wrong = await call('/journeys', { method: 'PUT', headers: ada });
    expect(wrong.status).toBe(405);
    expect(wrong.response.headers.get('allow')).toBe('GET, POST');
    const odd = await call('/journeys/j-1', { method: 'OPTIONS', headers: ada });
    expect(odd.status).toBe(405);
    expect(odd.response.headers.get('allow')).toBe('GET');
    const own = await call('/healthz', { method: 'POST' });
    expect(own.status).toBe(405);
    expect(own.response.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('the front door routes', () => {
  it('serves the OpenAPI document with query parameters, security schemes and its own routes', async () => {
    const { status, body } = await call('/openapi.json');
    expect(status).toBe(200);
    const names = (operation: { parameters?: Array<{ name: string; in: string }> }) =>
      (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(names(body.paths['/journeys'].get)).toEqual(expect.arrayContaining(['status', 'limit', 'cursor']));
    expect(names(body.paths['/search'].get)).toEqual(expect.arrayContaining(['q', 'mode', 'limit']));
    expect(body.paths['/search'].get.parameters[0]).toMatchObject({ name: 'q', required: true });
    expect(names(body.paths['/files'].post)).toEqual(expect.arrayContaining(['name', 'type']));
    expect(body.paths['/files'].post.requestBody.content).toHaveProperty('application/octet-stream');
    expect(body.paths['/files'].post.responses).toHaveProperty('202');
    expect(body.paths['/journeys/{journeyId}/report'].get.responses['200'].content).toHaveProperty(
      'text/html; charset=utf-8',
    );
    expect(body.components.securitySchemes).toMatchObject({
      bearerAuth: { type: 'http', scheme: 'bearer' },
      apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    });
    for (const path of ['/healthz', '/readyz', '/openapi.json', '/events', '/ws'])
      expect(body.paths).toHaveProperty(path);
    // The console's views of a flow (issue 20), with their outputs' schemas.
    for (const view of ['lineage', 'governance', 'trace']) {
      const operation = body.paths[`/journeys/{journeyId}/${view}`].get;
      expect(operation.operationId, view).toBe(`data_mash.journey_${view}`);
      expect(operation.responses['200'].content['application/json'].schema, view).toBeDefined();
    }
    expect(names(body.paths['/journeys/{journeyId}/governance'].get)).toEqual(['limit']);
    expect(body.paths['/healthz'].get.security).toEqual([]);
  });

  it('answers /healthz and /readyz without a credential', async () => {
    expect((await call('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await call('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('healthy');
    expect(ready.body.services['smart-city.communication-director']).toEqual({ status: 'healthy', optional: false });
  });

  it('serves the same routes mounted under a prefix in a host app', async () => {
    const host = new Hono();
    host.route('/api', createHttpApp(door.platform).app);
    const list = await host.fetch(new Request('http://host/api/journeys?limit=1', { headers: ada }));
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect((await host.fetch(new Request('http://host/api/healthz'))).status).toBe(200);
    const missing = await host.fetch(new Request('http://host/api/nothing', { headers: ada }));
    expect(await missing.json()).toMatchObject({ status: 404, instance: '/api/nothing' });
  });

  it('answers /readyz 503 for a platform that is not running, and 503 (not 404) for a missing role', async () => {
    const idle = createHttpApp(createPlatform({ env: {}, config: { telemetry: { sink: 'silent' } } }));
    const ready = await idle.fetch(new Request('http://local/readyz'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', state: 'created' });
    const routed = await idle.fetch(new Request('http://local/journeys', { headers: ada }));
    expect(routed.status).toBe(503);
    expect(await routed.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('timings', () => {
  const percentiles = async (path: string, headers: Record<string, string>, runs = 200) => {
    const times: number[] = [];
    for (let run = 0; run < runs; run += 1) {
      const began = performance.now();
      const response = await fetch(`${door.url}${path}`, { headers });
      await response.arrayBuffer();
      times.push(performance.now() - began);
    }
    times.sort((a, b) => a - b);
    const at = (share: number) => times[Math.min(times.length - 1, Math.floor(times.length * share))] as number;
    return { p50: at(0.5), p95: at(0.95) };
  };

  it('answers in milliseconds on loopback (logged: p50 / p95 over 200 requests)', async () => {
    const health = await percentiles('/healthz', {});
    const jwt = await percentiles('/journeys?limit=10', ada);
    const apiKey = await percentiles('/journeys?limit=10', { 'x-api-key': door.apiKey });
    const denied = await percentiles('/journeys', { authorization: 'Bearer not.a.token' });
    for (const [name, { p50, p95 }] of Object.entries({ health, jwt, apiKey, denied })) {
      console.info(`[http timing] ${name}: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
    }
    // Loose bounds: a regression by an order of magnitude, not a benchmark.
    expect(jwt.p50).toBeLessThan(100);
    expect(apiKey.p50).toBeLessThan(100);
  });
});
