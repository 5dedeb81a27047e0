import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { PlatformError } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CONTENT_SECURITY_POLICY, consoleRoutes } from './console-routes.js';

const SCRIPT = 'console.log("console");'.repeat(50);

describe('consoleRoutes', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'console-routes-'));
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(root, 'assets', 'index-abc.js'), SCRIPT);
    await writeFile(join(root, 'assets', 'index-abc.js.br'), brotliCompressSync(SCRIPT));
    await writeFile(join(root, 'assets', 'index-abc.js.gz'), gzipSync(SCRIPT));
    await writeFile(join(root, 'assets', 'index-abc.css'), 'body{}');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => {
    const routes = consoleRoutes({ root });
    const handler = path === '/' ? routes['/'] : routes['/assets/*'];
    return (handler as (request: Request) => Promise<Response>)(
      new Request(`http://127.0.0.1${path}`, { method, headers }),
    );
  };

  it('serves the page with its security headers, never cached', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(CONSOLE_CONTENT_SECURITY_POLICY);
    expect(CONSOLE_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONSOLE_CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await response.text()).toContain('<title>console</title>');
  });

  it('serves hashed assets for a year, compressed as the client accepts', async () => {
    const brotli = await get('/assets/index-abc.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(brotli.headers.get('content-encoding')).toBe('br');
    expect(brotli.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(brotli.headers.get('vary')).toBe('accept-encoding');
    expect(brotliDecompressSync(Buffer.from(await brotli.arrayBuffer())).toString()).toBe(SCRIPT);

    const gzip = await get('/assets/index-abc.js', { 'accept-encoding': 'gzip' });
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gzip.arrayBuffer())).toString()).toBe(SCRIPT);

    // `br;q=0` refuses brotli; no compressed copy of the stylesheet: sent as it is.
    const refused = await get('/assets/index-abc.js', { 'accept-encoding': 'br;q=0, gzip;q=0.5' });
    expect(refused.headers.get('content-encoding')).toBe('gzip');
    const plain = await get('/assets/index-abc.js');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(SCRIPT);
    const css = await get('/assets/index-abc.css', { 'accept-encoding': 'br' });
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('content-encoding')).toBeNull();
  });

  it('answers HEAD without a body, and refuses other methods and unknown files with codes', async () => {
    const head = await get('/assets/index-abc.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(SCRIPT.length));
    expect(await head.text()).toBe('');
    await expect(get('/', {}, 'POST')).rejects.toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    await expect(get('/assets/missing.js')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A compressed copy is not a file of its own, nor is anything outside assets/.
    await expect(get('/assets/index-abc.js.br')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(get('/assets/../index.html')).rejects.toBeInstanceOf(PlatformError);
  });

  it('says the console is not built when its directory has no page', async () => {
    const routes = consoleRoutes({ root: join(root, 'nowhere') });
    await expect(
      (routes['/'] as (request: Request) => Promise<Response>)(new Request('http://127.0.0.1/')),
    ).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      message: expect.stringContaining('not built'),
    });
  });
});
