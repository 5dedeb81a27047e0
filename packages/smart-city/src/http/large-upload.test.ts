import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FrontDoor,
  type SinkResult,
  startFrontDoor,
  startIssuer,
  type TestIssuer,
  testFaultsService,
} from './http.test-helpers.js';

// Uploads are streamed through the front door, never held whole: the process's resident memory
// stays flat while hundreds of megabytes pass. 200 MB, then 1 GiB (a few seconds on loopback;
// HTTP_LARGE_UPLOAD_GIB=0 skips it).
const MiB = 1024 * 1024;
const LIMIT = 2 * 1024 * MiB;
const RSS_BUDGET = 200 * MiB;

let issuer: TestIssuer;
let door: FrontDoor;
let authorization: string;

beforeAll(async () => {
  issuer = await startIssuer();
  door = await startFrontDoor(issuer, { app: { maxUploadBytes: LIMIT }, services: [testFaultsService()] });
  authorization = `Bearer ${await issuer.sign({ sub: 'loader', tenantId: 'acme', permissions: ['faults:run'] })}`;
});

afterAll(async () => {
  await door?.stop();
  await issuer?.close();
});

// The client runs in a child process: an in-process fetch client holds on to what it sends, and
// its memory would be counted as the server's. It streams `total` bytes made on the fly (1 MiB
// pattern), writing only as fast as the socket drains, and prints the sha256 it sent.
const CLIENT = `
const { request } = require('node:http');
const { createHash } = require('node:crypto');
const [url, total, authorization] = process.argv.slice(1);
const pattern = Buffer.alloc(1024 * 1024);
for (let i = 0; i < pattern.length; i += 1) pattern[i] = (i * 31 + 7) & 0xff;
const hash = createHash('sha256');
const req = request(url, { method: 'POST', headers: { authorization, 'content-type': 'application/octet-stream' } }, (res) => {
  let text = '';
  res.on('data', (d) => { text += d; });
  res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body: JSON.parse(text), sha256: hash.digest('hex') })));
});
let sent = 0;
function pump() {
  while (sent < Number(total)) {
    const chunk = pattern.subarray(0, Math.min(pattern.length, Number(total) - sent));
    sent += chunk.length;
    hash.update(chunk);
    if (!req.write(chunk)) return req.once('drain', pump);
  }
  req.end();
}
pump();
`;

async function upload(total: number) {
  globalThis.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const began = performance.now();
  const child = spawn(process.execPath, ['-e', CLIENT, `${door.url}/sink?name=big.bin`, String(total), authorization], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (data) => {
    output += data;
  });
  const [code] = (await once(child, 'close')) as [number];
  const seconds = (performance.now() - began) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const growth = peak - baseline;
  console.info(
    `[http upload] ${(total / MiB).toFixed(0)} MiB in ${seconds.toFixed(1)} s (${(total / MiB / seconds).toFixed(0)} MiB/s); ` +
      `server RSS ${(baseline / MiB).toFixed(0)} -> peak ${(peak / MiB).toFixed(0)} MiB (+${(growth / MiB).toFixed(0)} MiB)`,
  );
  expect(code).toBe(0);
  const { status, body, sha256 } = JSON.parse(output) as { status: number; body: SinkResult; sha256: string };
  return { status, result: body, expected: sha256, growth };
}

describe('large uploads', () => {
  it('streams 200 MB to an upload route with RSS growth under 200 MB', { timeout: 120_000 }, async () => {
    const total = 200 * 1000 * 1000;
    const { status, result, expected, growth } = await upload(total);
    expect(status).toBe(200);
    expect(result).toEqual({ bytes: total, sha256: expected });
    expect(growth).toBeLessThan(RSS_BUDGET);
  });

  it.skipIf(process.env.HTTP_LARGE_UPLOAD_GIB === '0')(
    'streams 1 GiB to an upload route with RSS growth under 200 MB',
    { timeout: 300_000 },
    async () => {
      const total = 1024 * MiB;
      const { status, result, expected, growth } = await upload(total);
      expect(status).toBe(200);
      expect(result).toEqual({ bytes: total, sha256: expected });
      expect(growth).toBeLessThan(RSS_BUDGET);
    },
  );
});
