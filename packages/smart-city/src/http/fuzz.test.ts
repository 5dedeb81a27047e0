import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FrontDoor, startFrontDoor, startIssuer, type TestIssuer } from './http.test-helpers.js';

// Hostile input of every kind, to a real server: no answer may be a 5xx.
let issuer: TestIssuer;
let door: FrontDoor;
let port: number;
let token: string;
const statuses = new Map<number, number>();

function count(status: number): number {
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  return status;
}

/**
 * Sends raw bytes on a fresh connection (without half-closing it: Node's server drops a request
 * whose client half-closes before the answer) and resolves the answer's status, 0 when the
 * server closed the connection without one.
 */
function raw(request: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let head = '';
    const status = () => Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
    socket.setTimeout(10_000, () => {
      socket.destroy();
      resolve(-1);
    });
    socket.on('data', (data) => {
      head += data.toString('latin1');
      if (status() !== 0) socket.destroy();
    });
    // A write cut short by the server's answer (431 to a huge header) is no failure: its answer counts.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(status()));
    socket.write(request);
  });
}

const segment = fc.oneof(
  {
    arbitrary: fc.constantFrom('journeys', 'files', 'search', 'insights', 'report', 'events', 'ws', 'readyz'),
    weight: 6,
  },
  {
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '%',
      '%2e%2e',
      '%2F',
      '%00',
      '%ff',
      '%E0%A4%A',
      '%%',
      '{journeyId}',
      '',
      'é',
      '😀',
      '\u202e',
    ),
    weight: 4,
  },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
  { arbitrary: fc.constantFrom('a'.repeat(4000), 'x'.repeat(20_000)), weight: 1 },
);
// Mostly what an HTTP parser lets through (so the app sees it), sometimes what it does not.
const legal = (text: string) => text.replace(/[^!-~]|[#?]/gu, (character) => encodeURIComponent(character));
const path = fc
  .tuple(
    fc.array(segment, { maxLength: 5 }),
    fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
    fc.boolean(),
    fc.boolean(),
  )
  .map(([segments, query, keepRaw, legalQuery]) => {
    const joined = `/${segments.map((part) => (keepRaw ? part : legal(part))).join('/')}`;
    return query === undefined ? joined : `${joined}?${legalQuery ? legal(query) : query}`;
  });
// Mostly methods Node's parser lets through to the app; sometimes ones it refuses itself.
const method = fc.oneof(
  {
    arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PURGE'),
    weight: 6,
  },
  { arbitrary: fc.constantFrom('get', 'BREW', 'CONNECT'), weight: 1 },
  { arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/), weight: 1 },
);
const authorization = () =>
  fc.oneof(
    { arbitrary: fc.constant(`Bearer ${token}`), weight: 8 },
    {
      arbitrary: fc.constantFrom(
        '',
        'Bearer',
        'Bearer ',
        'Bearer a.b.c',
        'bearer  x',
        'Basic Zm9vOmJhcg==',
        'ApiKey ',
        'Token x',
      ),
      weight: 2,
    },
    { arbitrary: fc.string({ maxLength: 200 }).map((text) => `Bearer ${text}`), weight: 2 },
    { arbitrary: fc.constant(`Bearer ${'e'.repeat(17_000)}`), weight: 1 },
    { arbitrary: fc.string({ maxLength: 60 }), weight: 1 },
  );
const body = fc.oneof(
  fc.constant(''),
  fc.constantFrom(
    '{',
    '{"fileId":',
    '[]',
    'null',
    '{"fileId":"x"}',
    '{"__proto__":{"admin":true},"fileId":"a"}',
    '\u0000\u0001',
  ),
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const header = fc.tuple(
  fc.constantFrom(
    'content-type',
    'traceparent',
    'x-trace-id',
    'content-disposition',
    'upgrade',
    'sec-websocket-protocol',
    'x-weird',
  ),
  fc.oneof(
    { arbitrary: fc.string({ maxLength: 80 }), weight: 4 },
    {
      arbitrary: fc.constantFrom(
        'application/json',
        'text/csv',
        'multipart/form-data',
        'websocket',
        'bearer, x',
        `attachment; filename*=UTF-8''%ZZ`,
      ),
      weight: 4,
    },
    { arbitrary: fc.constant('v'.repeat(9000)), weight: 1 },
  ),
);

// Header values may not hold line breaks: those would be other requests, not a hostile header.
const clean = (value: string) => value.replace(/[\r\n]/g, ' ');

beforeAll(async () => {
  issuer = await startIssuer();
  door = await startFrontDoor(issuer, { app: { maxUploadBytes: 64 * 1024 } });
  port = Number(new URL(door.url).port);
  token = await issuer.sign({ sub: 'fuzzer', tenantId: 'fuzz' });
});

afterAll(async () => {
  console.info(`[http fuzz] statuses: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  await door?.stop();
  await issuer?.close();
});

describe('fuzzing the front door', () => {
  it('answers raw hostile requests (methods, paths, headers, bodies) with no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        authorization(),
        fc.array(header, { maxLength: 4 }),
        body,
        async (verb, target, auth, headers, payload) => {
          const bytes = Buffer.from(payload, 'latin1');
          const lines = [
            `${verb} ${target} HTTP/1.1`,
            'Host: 127.0.0.1',
            'Connection: close',
            ...(auth ? [`Authorization: ${clean(auth)}`] : []),
            ...headers.map(([name, value]) => `${name}: ${clean(value)}`),
            `Content-Length: ${bytes.byteLength}`,
          ];
          const status = count(await raw(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'), bytes])));
          expect(status, `${verb} ${target.slice(0, 120)}`).not.toBe(-1);
          expect(status, `${verb} ${target.slice(0, 120)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answers hostile JSON bodies and uploads with no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/journeys',
          '/files?name=f.csv',
          '/files',
          '/files?name=..%2F..%2Fetc%2Fpasswd',
          '/files?name=%00.csv',
        ),
        fc.constantFrom(
          'application/json',
          'application/problem+json',
          'text/csv',
          'text/plain',
          'application/octet-stream',
          '',
        ),
        body,
        async (target, type, payload) => {
          const response = await fetch(`${door.url}${target}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
            body: Buffer.from(payload, 'latin1'),
          });
          await response.arrayBuffer();
          expect(count(response.status), `${target} ${type}`).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
  });
});
