import type { Platform } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotesRef, notesPlatform } from '../mcp/mcp.test-helpers.js';
import { trustUserContext } from '../user-context/verified.js';
import { createHttpApp, type HttpApp } from './app.js';
import { attachmentDisposition } from './downloads.js';

// Files answered for download (`response: { body: 'file' }`) through the front door.
const users = {
  reader: trustUserContext(
    { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['notes:read', 'notes:write'] },
    { verifiedBy: 'test' },
  ),
  other: trustUserContext(
    { userId: 'eve', tenantId: 'acme', roles: [], permissions: ['notes:write'] },
    { verifiedBy: 'test' },
  ),
};
const as = (user: keyof typeof users) => ({ 'x-test-user': user });

let platform: Platform;
let front: HttpApp;
beforeAll(async () => {
  platform = await notesPlatform();
  front = createHttpApp(platform, {
    authenticate: async (request) => users[request.headers.get('x-test-user') as keyof typeof users],
  });
  platform.get(NotesRef).createNote({ id: 'dl', text: 'a,b\n1,2\n' }, users.reader);
});
afterAll(() => platform?.stop());

const get = (path: string, user: keyof typeof users = 'reader', method = 'GET') =>
  front.fetch(new Request(`http://127.0.0.1${path}`, { method, headers: as(user) }));

describe('a file download through the front door', () => {
  it('streams the file as an attachment with its type, length and name, and its trace', async () => {
    const response = await get('/notes/dl/file?copies=3');
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': '24',
      'content-disposition': `attachment; filename="note dl _ _t_.txt"; filename*=UTF-8''note%20dl%20%E2%80%93%20%C3%A9t%C3%A9.txt`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'content-security-policy': "sandbox; default-src 'none'",
    });
    expect(response.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-/);
    expect(await response.text()).toBe('a,b\n1,2\n'.repeat(3));
  });

  it('closes the file when the client stops reading, and when HEAD asks for the headers only', async () => {
    const notes = platform.get(NotesRef);
    const before = { ...notes.downloads };
    const response = await get('/notes/dl/file?copies=100000');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).value?.byteLength).toBe(8);
    await reader.cancel();
    const head = await get('/notes/dl/file', 'reader', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('8');
    expect(await head.text()).toBe('');
    await expect.poll(() => notes.downloads).toEqual({ opened: before.opened + 2, closed: before.closed + 2 });
  });

  it('breaks the connection when the file fails half way, so the client never takes a short file for whole', async () => {
    platform.get(NotesRef).createNote({ id: 'torn', text: 'x'.repeat(70_000) }, users.reader);
    const server = await front.serve();
    try {
      const response = await fetch(`${server.url}/notes/torn/file?copies=40`, { headers: as('reader') });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe('2800000');
      await expect(response.arrayBuffer()).rejects.toThrow();
    } finally {
      await server.close();
    }
  });

  it('refuses a caller without the permission with a problem, opening nothing', async () => {
    const notes = platform.get(NotesRef);
    const opened = notes.downloads.opened;
    const response = await get('/notes/dl/file', 'other');
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.json()).toMatchObject({ code: 'PERMISSION_DENIED' });
    expect(notes.downloads.opened).toBe(opened);
  });

  it('is binary in the OpenAPI document, with its Content-Disposition', async () => {
    const document = (await (await get('/openapi.json')).json()) as {
      paths: Record<string, { get: { responses: Record<string, { content: object; headers?: object }> } }>;
    };
    const ok = document.paths['/notes/{noteId}/file']?.get.responses['200'];
    expect(ok?.content).toEqual({ 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } });
    expect(ok?.headers).toHaveProperty('Content-Disposition');
  });
});

describe('attachmentDisposition', () => {
  it('keeps quotes, backslashes, percent signs and line breaks out of the ASCII name, and the whole name in UTF-8', () => {
    expect(attachmentDisposition('a"b\\c%d\r\ne.csv')).toBe(
      `attachment; filename="a_b_c_d__e.csv"; filename*=UTF-8''a%22b%5Cc%25d%0D%0Ae.csv`,
    );
    // Half a character (a name cut in the middle of an emoji) and bidirectional controls: encoded
    // without throwing, the controls replaced so the name reads as it is.
    expect(attachmentDisposition(`a${'😀'.slice(0, 1)}.csv`)).toBe(
      `attachment; filename="a_.csv"; filename*=UTF-8''a%EF%BF%BD.csv`,
    );
    expect(attachmentDisposition('x\u202Etxt.exe.csv')).toBe(
      `attachment; filename="x_txt.exe.csv"; filename*=UTF-8''x_txt.exe.csv`,
    );
    expect(attachmentDisposition("it's (1)*.csv")).toBe(
      `attachment; filename="it's (1)*.csv"; filename*=UTF-8''it%27s%20%281%29%2A.csv`,
    );
  });
});
