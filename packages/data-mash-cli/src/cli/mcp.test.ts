import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Platform } from '@platform/foundations';
import { serviceIdentity, type VerifiedUserContext } from '@platform/smart-city';
import { createMcpServer } from '@platform/smart-city/mcp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin, testUser } from './cli.test-helpers.js';
import { mcpPlatform } from './mcp.js';

const CSV = [
  'region,customer_email,amount,remark',
  'north,ada@example.com,10,quokka lantern shipment',
  'south,bob@example.com,20,quokka lantern refund',
  'east,cy@example.com,30,heliotrope parasol order',
  'west,di@example.com,40,heliotrope parasol return',
].join('\n');
const NOTE = '# Spring order\n\nThe east region asked for forty heliotrope parasols before the garden fair.\n';

type Structured = Record<string, unknown>;

function errorOf(result: CallToolResult): { code: string; traceId: string } {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return (JSON.parse(first?.type === 'text' ? first.text : '{}') as { error: { code: string; traceId: string } }).error;
}

/** Calls `data_mash_get_journey` until the flow is no longer running. */
async function settled(client: Client, journeyId: string): Promise<Structured> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const result = await client.callTool({ name: 'data_mash_get_journey', arguments: { journeyId } });
    const journey = (result.structuredContent as { journey: { status: string } } | undefined)?.journey;
    if (journey && journey.status !== 'running' && journey.status !== 'pending') return journey as Structured;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`journey ${journeyId} did not settle`);
}

async function ingest(client: Client): Promise<string> {
  const started = await client.callTool({
    name: 'data_mash_ingest_file',
    arguments: { name: 'customers.csv', content: CSV, type: 'text/csv' },
  });
  expect(started.isError, JSON.stringify(started.content)).toBeFalsy();
  const { journeyId } = started.structuredContent as { journeyId: string };
  expect(await settled(client, journeyId)).toMatchObject({ status: 'completed' });
  return journeyId;
}

describe('the data mash over MCP, in process', () => {
  let dataDir: string;
  let platform: Platform;
  const clients: Array<() => Promise<unknown>> = [];

  async function connect(caller: VerifiedUserContext) {
    const server = createMcpServer(platform, { caller, name: 'data-mash' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientSide);
    clients.push(
      () => client.close(),
      () => server.close(),
    );
    return client;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'data-mash-mcp-'));
    // The same platform `data-mash mcp` serves: the data mash with the front door roles.
    platform = mcpPlatform({ tenant: 'acme', dataDir });
    await platform.start();
  });
  afterAll(async () => {
    for (const close of clients) await close();
    await platform?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lists the data mash API as tools with JSON Schemas', async () => {
    const client = await connect(testUser('acme'));
    const { tools } = await client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of [
      'data_mash_ingest_file',
      'data_mash_search',
      'data_mash_read_insights',
      'data_mash_get_journey',
    ]) {
      expect(byName.get(name)?.inputSchema.type, name).toBe('object');
    }
    expect(byName.get('data_mash_search')?.inputSchema).toMatchObject({
      properties: { q: { type: 'string' }, mode: { enum: ['text', 'vector', 'hybrid'] } },
      required: ['q'],
    });
    expect(Object.keys(byName.get('data_mash_ingest_file')?.inputSchema.properties ?? {}).sort()).toEqual([
      'content',
      'contentBase64',
      'name',
      'type',
    ]);
    expect(byName.get('data_mash_read_insights')?.inputSchema).toMatchObject({ required: ['journeyId'] });
  });

  it('ingests a CSV given as text, follows its journey, reads its insights and finds its content', async () => {
    const client = await connect(testUser('acme'));
    const journeyId = await ingest(client);
    const insights = await client.callTool({ name: 'data_mash_read_insights', arguments: { journeyId } });
    expect(insights.isError).toBeFalsy();
    expect(JSON.stringify(insights.structuredContent)).toContain('customer_email');
    // Search looks in text chunks (the API's default kind): a note's content is found.
    const note = await client.callTool({
      name: 'data_mash_ingest_file',
      arguments: { name: 'notes.md', content: NOTE, type: 'text/markdown' },
    });
    await settled(client, (note.structuredContent as { journeyId: string }).journeyId);
    const search = await client.callTool({
      name: 'data_mash_search',
      arguments: { q: 'heliotrope parasol', limit: 5 },
    });
    const hits = (search.structuredContent as { hits: Array<{ text?: string }> }).hits;
    expect(hits.map((hit) => hit.text).join(' ')).toContain('heliotrope parasols');
    const report = await client.callTool({ name: 'data_mash_report', arguments: { journeyId } });
    expect((report as CallToolResult).content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining('<html'),
    });
  }, 60_000);

  it('answers a caller without the permission with PERMISSION_DENIED and the trace id', async () => {
    const client = await connect(testUser('acme', { permissions: ['journeys:read'] }));
    const refused = await client.callTool({
      name: 'data_mash_ingest_file',
      arguments: { name: 'a.csv', content: 'a\n1\n' },
    });
    expect(errorOf(refused as CallToolResult)).toMatchObject({
      code: 'PERMISSION_DENIED',
      traceId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  it("does not show one tenant another tenant's journey", async () => {
    const acme = await connect(testUser('acme'));
    const { items } = (await acme.callTool({ name: 'data_mash_list_journeys', arguments: { limit: 1 } }))
      .structuredContent as { items: Array<{ id: string }> };
    const journeyId = items[0]?.id as string;
    expect(journeyId).toMatch(/^journey_/);
    const globex = await connect(serviceIdentity({ service: 'data-mash-cli', tenantId: 'globex' }));
    const result = await globex.callTool({ name: 'data_mash_get_journey', arguments: { journeyId } });
    expect(errorOf(result as CallToolResult).code).toMatch(/^(NOT_FOUND|TENANT_ACCESS_DENIED)$/);
  });
});

describe('data-mash mcp (the built bin over stdio)', () => {
  let workDir: string;
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-mcp-cli-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('serves tools to an MCP client that spawns it, as the CLI identity', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BIN, 'mcp', '--data-dir', join(workDir, 'data'), '--tenant', 'acme', '--user', 'ada'],
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', HOME: workDir },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    const protocolErrors: Error[] = [];
    client.onerror = (error) => protocolErrors.push(error);
    await client.connect(transport);
    expect(client.getServerVersion()?.name).toBe('data-mash');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['data_mash_ingest_file', 'data_mash_search']),
    );
    const journeyId = await ingest(client);
    const insights = await client.callTool({ name: 'data_mash_read_insights', arguments: { journeyId } });
    expect(JSON.stringify(insights.structuredContent)).toContain('amount');
    const journey = await client.callTool({ name: 'data_mash_get_journey', arguments: { journeyId } });
    expect((journey.structuredContent as { journey: { tenantId: string } }).journey.tenantId).toBe('acme');
    await client.close();
    // Every line on stdout was an MCP message; the one human line went to stderr.
    expect(protocolErrors).toEqual([]);
    expect(stderr).toContain('MCP server on stdio, tenant acme as ada');
  }, 60_000);

  it('refuses a bad --max-bytes as a usage error, before starting anything', () => {
    const run = runBin(workDir, ['mcp', '--max-bytes', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain("--max-bytes expects a size such as 20MiB, 5MB or 1048576, not 'lots'");
  });

  it('writes nothing but JSON-RPC on stdout and exits 0 when stdin closes', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp', '--data-dir', join(workDir, 'data')], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', HOME: workDir },
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    };
    child.stdin.write(`${JSON.stringify(initialize)}\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    while (stdout.split('\n').filter(Boolean).length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
    child.stdin.end();
    expect(await exited).toBe(0);
    const messages = stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: number });
    expect(messages.map((message) => message.id)).toEqual([1, 2]);
  }, 60_000);
});
