import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { createPlatform, MemoryKeyValueStore, type Platform, PlatformError } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import type { UserContext } from '../user-context/user-context.js';
import { serviceIdentity } from '../user-context/verified.js';
import { connectClient, errorOf, NotesRef, notesPlatform, notesService } from './mcp.test-helpers.js';
import { createMcpServer } from './server.js';
import { platformCatalog, routeRequestOf } from './tools.js';

const writer = serviceIdentity({ service: 'notes-test', tenantId: 'acme', permissions: ['notes:read', 'notes:write'] });
const reader = serviceIdentity({ service: 'notes-reader', tenantId: 'acme', permissions: ['notes:read'] });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

let platform: Platform;
beforeAll(async () => {
  platform = await notesPlatform();
});
afterAll(() => platform?.stop());

describe('MCP tools from Curator', () => {
  it('lists every capability with an API as a tool, named by its MCP tool or its name, with JSON Schemas', async () => {
    const { client, close } = await connectClient(platform, { caller: writer });
    const { tools } = await client.listTools();
    await close();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    // notes.create_note is declared as the MCP tool write_note; notes.compact has no API.
    expect([...byName.keys()].sort()).toEqual([
      'notes_attach',
      'notes_download',
      'notes_get_note',
      'notes_list_notes',
      'notes_render',
      'write_note',
    ]);
    expect(byName.get('write_note')).toMatchObject({
      description: 'Write a note down',
      inputSchema: { type: 'object', properties: { text: { type: 'string', maxLength: 100 } }, required: ['text'] },
      outputSchema: { type: 'object', properties: { id: { type: 'string' } } },
      annotations: { readOnlyHint: false, destructiveHint: false },
    });
    expect(byName.get('notes_get_note')?.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    // An upload takes the bytes as text or base64, not a stream; HTML answers have no output schema.
    const attach = byName.get('notes_attach')?.inputSchema as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(attach.properties).sort()).toEqual(['content', 'contentBase64', 'name', 'type']);
    expect(attach.required).toEqual(['name']);
    expect(byName.get('notes_render')?.outputSchema).toBeUndefined();
    expect(JSON.stringify(tools)).not.toContain('$schema');
  });

  it('routes calls through the Communication Director: JSON bodies, encoded path parameters, query strings', async () => {
    const { client, close } = await connectClient(platform, { caller: writer });
    const created = await client.callTool({
      name: 'write_note',
      arguments: { id: 'a/b c?', text: 'hello', tags: ['x'] },
    });
    expect(created.structuredContent).toEqual({ id: 'a/b c?' });
    expect(created._meta?.traceId).toMatch(/^[0-9a-f]{32}$/);
    const read = await client.callTool({ name: 'notes_get_note', arguments: { noteId: 'a/b c?' } });
    expect(read.structuredContent).toEqual({ id: 'a/b c?', text: 'hello', tags: ['x'] });
    expect(JSON.parse((read.content as Array<{ text: string }>)[0]?.text ?? '')).toEqual(read.structuredContent);
    const listed = await client.callTool({ name: 'notes_list_notes', arguments: { limit: 1, tag: ['x'] } });
    expect(listed.structuredContent).toEqual({ ids: ['a/b c?'], limit: 1 });
    const html = await client.callTool({ name: 'notes_render', arguments: { noteId: 'a/b c?' } });
    expect(html.content).toEqual([{ type: 'text', text: '<p>hello</p>' }]);
    expect(html.structuredContent).toBeUndefined();
    await close();
  });

  it('answers a file download as an embedded resource, text as text; over the size limit FILE_TOO_LARGE, the file closed', async () => {
    const notes = platform.get(NotesRef);
    const { client, close } = await connectClient(platform, { caller: writer, maxFileBytes: 20 });
    await client.callTool({ name: 'write_note', arguments: { id: 'dl', text: 'a,b\n1,2\n' } });
    const { outputSchema } = (await client.listTools()).tools.find((tool) => tool.name === 'notes_download') ?? {};
    expect(outputSchema).toBeUndefined();
    const before = { ...notes.downloads };
    const file = await client.callTool({ name: 'notes_download', arguments: { noteId: 'dl', copies: 2 } });
    expect(file.content).toEqual([
      {
        type: 'resource',
        resource: {
          uri: `urn:platform:file:${encodeURIComponent('note dl – été.txt')}`,
          mimeType: 'text/plain; charset=utf-8',
          text: 'a,b\n1,2\na,b\n1,2\n',
        },
      },
    ]);
    expect(file._meta).toMatchObject({ name: 'note dl – été.txt', bytes: 16 });
    const tooLarge = await client.callTool({ name: 'notes_download', arguments: { noteId: 'dl', copies: 3 } });
    expect(errorOf(tooLarge)).toMatchObject({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('over HTTP') });
    expect(notes.downloads).toEqual({ opened: before.opened + 2, closed: before.closed + 2 });
    await close();
  });

  it('uploads a file given as text or base64, within the size limit', async () => {
    const { client, close } = await connectClient(platform, { caller: writer, maxFileBytes: 16 });
    const text = await client.callTool({
      name: 'notes_attach',
      arguments: { name: 'a.csv', content: 'a,b\n1,2\n', type: 'text/csv' },
    });
    expect(text.structuredContent).toEqual({ name: 'a.csv', declaredType: 'text/csv', bytes: 8, text: 'a,b\n1,2\n' });
    const base64 = await client.callTool({
      name: 'notes_attach',
      arguments: { name: 'b.bin', contentBase64: Buffer.from('héllo').toString('base64') },
    });
    expect(base64.structuredContent).toMatchObject({ name: 'b.bin', bytes: 6, text: 'héllo' });
    const big = await client.callTool({ name: 'notes_attach', arguments: { name: 'c.txt', content: 'x'.repeat(17) } });
    expect(errorOf(big).code).toBe('FILE_TOO_LARGE');
    const both = await client.callTool({
      name: 'notes_attach',
      arguments: { name: 'd', content: 'x', contentBase64: 'eA==' },
    });
    expect(errorOf(both).code).toBe('VALIDATION_FAILED');
    const bad = await client.callTool({ name: 'notes_attach', arguments: { name: 'e', contentBase64: 'not base64!' } });
    expect(errorOf(bad)).toMatchObject({ code: 'VALIDATION_FAILED', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    await close();
  });

  it('answers failures as isError results with the stable code and the trace id', async () => {
    const { client, close } = await connectClient(platform, { caller: reader });
    const denied = await client.callTool({
      name: 'write_note',
      arguments: { text: 'no' },
      _meta: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` },
    });
    expect(denied.isError).toBe(true);
    expect(errorOf(denied)).toMatchObject({ code: 'PERMISSION_DENIED', traceId: TRACE_ID });
    expect(denied._meta).toEqual({ code: 'PERMISSION_DENIED', traceId: TRACE_ID });
    expect(errorOf(await client.callTool({ name: 'notes_get_note', arguments: { noteId: 'nope' } })).code).toBe(
      'NOT_FOUND',
    );
    const invalid = await client.callTool({ name: 'notes_list_notes', arguments: { limit: 1000 } });
    expect(errorOf(invalid).code).toBe('VALIDATION_FAILED');
    // A server-side failure keeps its code and trace id, not its message (as over HTTP).
    const failed = errorOf(await client.callTool({ name: 'notes_render', arguments: { noteId: 'boom' } }));
    expect(failed).toMatchObject({ code: 'INTERNAL', traceId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(failed.message).not.toContain('hunter2');
    // An unknown tool is a protocol error, as MCP specifies.
    await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toBeInstanceOf(McpError);
    await close();
  });

  it("keeps tenants apart: another tenant's note is not found", async () => {
    const other = serviceIdentity({
      service: 'notes-test',
      tenantId: 'globex',
      permissions: ['notes:read', 'notes:write'],
    });
    const { client, close } = await connectClient(platform, { caller: other });
    const result = await client.callTool({ name: 'notes_get_note', arguments: { noteId: 'a/b c?' } });
    expect(errorOf(result).code).toBe('NOT_FOUND');
    await close();
  });

  it("applies the Traffic Cop's rate limits by route template", async () => {
    const limited = await notesPlatform({ limits: { perUser: { limit: 2, windowMs: 60_000 } } });
    const { client, close } = await connectClient(limited, { caller: writer });
    for (const noteId of ['1', '2']) {
      expect(errorOf(await client.callTool({ name: 'notes_get_note', arguments: { noteId } })).code).toBe('NOT_FOUND');
    }
    const refused = await client.callTool({ name: 'notes_get_note', arguments: { noteId: '3' } });
    expect(errorOf(refused).code).toBe('RATE_LIMITED');
    await close();
    await limited.stop();
  });
});

describe('MCP prompts from Curator agents', () => {
  it('serves each agent as a prompt naming its tools', async () => {
    const { client, close } = await connectClient(platform, { caller: writer });
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([
      expect.objectContaining({
        name: 'note_taker',
        description: expect.stringContaining('write_note, notes_get_note'),
      }),
    ]);
    const prompt = await client.getPrompt({ name: 'note_taker', arguments: { task: 'file my notes' } });
    const text = prompt.messages[0]?.content.type === 'text' ? prompt.messages[0].content.text : '';
    expect(text).toContain('- write_note: Write a note down');
    expect(text).toContain('notes.compact');
    expect(text).toContain('Task: file my notes');
    expect(client.getInstructions()).toContain('note_taker');
    await close();
  });
});

describe('createMcpServer', () => {
  it('refuses a caller that is not a verified user context', () => {
    const plain: UserContext = { userId: 'u', tenantId: 'acme', roles: [], permissions: ['*'] };
    expect(() => createMcpServer(platform, { caller: plain as never })).toThrow(
      expect.objectContaining({ code: 'AUTHENTICATION_FAILED' }),
    );
  });

  it('names the missing front door roles', async () => {
    const bare = createPlatform({
      env: {},
      telemetrySink: () => undefined,
      adapters: { keyValueStore: new MemoryKeyValueStore() },
      modules: [smartCityModule({ roles: [] })],
      services: [notesService],
    });
    await bare.start();
    try {
      createMcpServer(bare, { caller: writer });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PlatformError);
      expect((error as PlatformError).code).toBe('CONFIG_INVALID');
    } finally {
      await bare.stop();
    }
  });
});

describe('routeRequestOf', () => {
  const tool = (name: string) => {
    const found = platformCatalog(platform.curator).byName.get(name);
    if (!found) throw new Error(name);
    return found;
  };

  it('fills the path template, percent-encoded, and puts GET arguments in the query string', () => {
    expect(routeRequestOf(tool('notes_get_note'), { noteId: '../x y' })).toEqual({ endpoint: 'GET /notes/..%2Fx%20y' });
    expect(routeRequestOf(tool('notes_list_notes'), { limit: 5, tag: ['a', 'b&c'], skip: null })).toEqual({
      endpoint: 'GET /notes?limit=5&tag=a&tag=b%26c',
    });
    expect(() => routeRequestOf(tool('notes_get_note'), {})).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('sends JSON APIs their arguments as the body', () => {
    expect(routeRequestOf(tool('write_note'), { text: 't' })).toEqual({
      endpoint: 'POST /notes',
      payload: { text: 't' },
    });
  });

  it('turns an upload into a file payload and the declared fields into the query string', async () => {
    const routed = routeRequestOf(tool('notes_attach'), {
      name: 'a b.txt',
      content: 'hi',
      type: 'text/plain',
      extra: 1,
    });
    expect(routed.endpoint).toBe('POST /attachments?name=a+b.txt');
    const file = (routed.payload as { file: { name: string; declaredType: string; data: AsyncIterable<Uint8Array> } })
      .file;
    expect(file).toMatchObject({ name: 'a b.txt', declaredType: 'text/plain' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of file.data) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('hi');
  });
});
