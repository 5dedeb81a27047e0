import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  type AnyServiceDefinition,
  createPlatform,
  defineService,
  defineServiceRef,
  type FileDownload,
  FileDownloadSchema,
  MemoryKeyValueStore,
  type Platform,
} from '@platform/foundations';
import { z } from 'zod';
import { apiGateway } from '../api-gateway/api-gateway.js';
import { smartCityModule } from '../city-manager/city-manager.js';
import { communicationDirector } from '../communication-director/communication-director.js';
import { postOffice } from '../post-office/post-office.js';
import { type TrafficCopOptions, trafficCop } from '../traffic-cop/traffic-cop.js';
import type { UserContext } from '../user-context/user-context.js';
import { createMcpServer, type McpServerOptions } from './server.js';

/** A small service with every kind of API an MCP tool maps: JSON body, path, query, upload, HTML. */
export class Notes {
  readonly notes = new Map<string, { id: string; tenantId: string; text: string; tags: string[] }>();
  createNote(input: { text: string; id?: string; tags?: string[] }, user: UserContext) {
    const id = input.id ?? `n${this.notes.size + 1}`;
    this.notes.set(`${user.tenantId}:${id}`, { id, tenantId: user.tenantId, text: input.text, tags: input.tags ?? [] });
    return { id };
  }
  getNote(input: { noteId: string }, user: UserContext) {
    const note = this.notes.get(`${user.tenantId}:${input.noteId}`);
    if (!note) throw Object.assign(new Error(`no note '${input.noteId}'`), { code: 'NOT_FOUND' });
    return { id: note.id, text: note.text, tags: note.tags };
  }
  listNotes(input: { limit?: number; tag?: string[] }, user: UserContext) {
    const mine = [...this.notes.values()].filter((note) => note.tenantId === user.tenantId);
    const tagged = input.tag ? mine.filter((note) => input.tag?.every((tag) => note.tags.includes(tag))) : mine;
    return { ids: tagged.slice(0, input.limit ?? 100).map((note) => note.id), limit: input.limit ?? null };
  }
  async attach(input: {
    file: { name: string; declaredType?: string; data: AsyncIterable<Uint8Array> };
    name: string;
  }) {
    const chunks: Buffer[] = [];
    for await (const chunk of input.file.data) chunks.push(Buffer.from(chunk));
    const bytes = Buffer.concat(chunks);
    return {
      name: input.name,
      declaredType: input.file.declaredType ?? null,
      bytes: bytes.length,
      text: bytes.toString('utf8'),
    };
  }
  /** How many downloads were opened and how many were closed (read to the end, or given up). */
  readonly downloads = { opened: 0, closed: 0 };
  download(input: { noteId: string; copies?: number }, user: UserContext): FileDownload {
    const text = this.getNote(input, user).text;
    const copies = input.copies ?? 1;
    const bytes = new TextEncoder().encode(text);
    const downloads = this.downloads;
    // Like a file handle: open from the start, closed once read to the end or given up.
    downloads.opened += 1;
    let sent = 0;
    let open = true;
    const close = () => {
      if (open) downloads.closed += 1;
      open = false;
    };
    const data: AsyncIterableIterator<Uint8Array> = {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next() {
        if (!open || sent === copies) {
          close();
          return { done: true, value: undefined };
        }
        // A storage failure half way: the note 'torn' breaks after 20 copies.
        if (input.noteId === 'torn' && sent === 20) throw new Error('the disk went away');
        sent += 1;
        return { done: false, value: bytes };
      },
      async return() {
        close();
        return { done: true, value: undefined };
      },
    };
    return {
      name: `note ${input.noteId} – été.txt`,
      mediaType: 'text/plain; charset=utf-8',
      size: bytes.byteLength * copies,
      data,
    };
  }
  render(input: { noteId: string }, user: UserContext) {
    if (input.noteId === 'boom') throw new Error('connection to db://admin:hunter2@db failed');
    return `<p>${this.getNote(input, user).text}</p>`;
  }
}

export const NotesRef = defineServiceRef<Notes>({ id: 'realm.notes', tier: 'realm' });

/** The Notes service with its capabilities, APIs, one Curator MCP tool and one agent. */
export const notesService = defineService({
  ref: NotesRef,
  factory: () => new Notes(),
  description: {
    realm: 'notes',
    capabilities: [
      {
        name: 'notes.create_note',
        description: 'Create a note',
        permission: 'notes:write',
        input: z.object({
          text: z.string().min(1).max(100),
          id: z.string().optional(),
          tags: z.array(z.string()).optional(),
        }),
        output: z.object({ id: z.string() }),
      },
      {
        name: 'notes.get_note',
        description: 'Read a note',
        permission: 'notes:read',
        input: z.object({ noteId: z.string() }),
        output: z.object({ id: z.string(), text: z.string(), tags: z.array(z.string()) }),
      },
      {
        name: 'notes.list_notes',
        description: 'List notes',
        permission: 'notes:read',
        input: z.object({
          limit: z.coerce.number().int().min(1).max(100).optional(),
          tag: z.union([z.string().transform((tag) => [tag]), z.array(z.string())]).optional(),
        }),
        output: z.object({ ids: z.array(z.string()), limit: z.number().nullable() }),
      },
      {
        name: 'notes.attach',
        description: 'Attach a file',
        permission: 'notes:write',
        input: z.object({ file: z.custom<{ name: string }>((value) => typeof value === 'object'), name: z.string() }),
        output: z.object({
          name: z.string(),
          declaredType: z.string().nullable(),
          bytes: z.number(),
          text: z.string(),
        }),
      },
      {
        name: 'notes.render',
        description: 'A note as HTML',
        permission: 'notes:read',
        input: z.object({ noteId: z.string() }),
        output: z.string(),
      },
      {
        name: 'notes.download',
        description: 'A note as a text file',
        permission: 'notes:read',
        input: z.object({ noteId: z.string(), copies: z.coerce.number().int().min(1).max(100_000).optional() }),
        output: FileDownloadSchema,
      },
      { name: 'notes.compact', description: 'Internal upkeep', input: z.object({}), output: z.object({}) },
    ],
    apis: [
      { method: 'POST', path: '/notes', capability: 'notes.create_note' },
      { method: 'GET', path: '/notes/{noteId}', capability: 'notes.get_note' },
      { method: 'GET', path: '/notes', capability: 'notes.list_notes' },
      { method: 'POST', path: '/attachments', capability: 'notes.attach', body: 'file' },
      {
        method: 'GET',
        path: '/notes/{noteId}/html',
        capability: 'notes.render',
        response: { mediaType: 'text/html; charset=utf-8' },
      },
      { method: 'GET', path: '/notes/{noteId}/file', capability: 'notes.download', response: { body: 'file' } },
    ],
    mcpTools: [{ name: 'write_note', description: 'Write a note down', capability: 'notes.create_note' }],
    agents: [
      {
        name: 'note_taker',
        description: 'Takes and finds notes',
        capabilities: ['notes.create_note', 'notes.get_note', 'notes.compact'],
      },
    ],
  },
});

/** A started platform with the front door roles, the Notes service and `extra` roles. */
export async function notesPlatform(
  options: { limits?: TrafficCopOptions['limits']; roles?: readonly AnyServiceDefinition[] } = {},
) {
  const platform = createPlatform({
    env: {},
    telemetrySink: () => undefined,
    adapters: { keyValueStore: new MemoryKeyValueStore() },
    modules: [
      smartCityModule({
        roles: [
          trafficCop(options.limits ? { limits: options.limits } : {}),
          apiGateway(),
          postOffice(),
          communicationDirector(),
          ...(options.roles ?? []),
        ],
      }),
    ],
    services: [notesService],
  });
  await platform.start();
  return platform;
}

/** An SDK client connected in-process to {@link createMcpServer}. */
export async function connectClient(platform: Platform, options: McpServerOptions) {
  const server = createMcpServer(platform, options);
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientTransport);
  return { client, close: () => Promise.all([client.close(), server.close()]) };
}

/** The `{ error }` of an `isError` result. */
export function errorOf(result: unknown): { code: string; message: string; traceId: string } {
  const call = result as CallToolResult;
  if (!call.isError) throw new Error(`expected an error result, got ${JSON.stringify(call)}`);
  const text = call.content[0]?.type === 'text' ? call.content[0].text : '{}';
  return (JSON.parse(text) as { error: { code: string; message: string; traceId: string } }).error;
}
