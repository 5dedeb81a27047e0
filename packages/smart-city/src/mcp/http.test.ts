import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Platform } from '@platform/foundations';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyEntry } from '../security-guard/api-keys.js';
import { securityGuard } from '../security-guard/security-guard.js';
import { mcpHttpHandler } from './http.js';
import { errorOf, notesPlatform } from './mcp.test-helpers.js';

const ISSUER = 'https://auth.test/auth/v1';
const AUDIENCE = 'authenticated';
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
};

let server: Server;
let base: string;
let platform: Platform;
let sign: (claims: { sub: string; permissions: string[] }) => Promise<string>;
const machine = apiKeyEntry({ name: 'importer', tenantId: 'acme', permissions: ['notes:write', 'notes:read'] });

// The front door's shape: a node:http server handing web Requests to the fetch-style handler,
// and the identity provider's key set on the same host (an http JWKS, allowed for 127.0.0.1 tests).
beforeAll(async () => {
  const keys = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  sign = ({ sub, permissions }) =>
    new SignJWT({ role: 'authenticated', app_metadata: { tenant_id: 'acme', permissions } })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(keys.privateKey);
  let handler: ((request: Request) => Promise<Response>) | undefined;
  server = createServer(async (req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const item of [value ?? []].flat()) headers.append(name, item);
    }
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks);
    const response = await (handler as NonNullable<typeof handler>)(
      new Request(`${base}${req.url}`, { method: req.method ?? 'GET', headers, ...(body ? { body } : {}) }),
    );
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  platform = await notesPlatform({
    roles: [
      securityGuard({
        jwksUrl: `${base}/.well-known/jwks.json`,
        allowInsecureJwksUrl: true,
        issuer: ISSUER,
        audience: AUDIENCE,
        apiKeys: [machine.entry],
      }),
    ],
  });
  handler = mcpHttpHandler(platform, { name: 'notes' });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await platform?.stop();
});

function post(headers: Record<string, string>, body: unknown = INITIALIZE) {
  return fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

async function connect(headers: Record<string, string>) {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
  return client;
}

describe('MCP over Streamable HTTP', () => {
  it('answers 401 before any MCP handling without valid credentials', async () => {
    const missing = await post({ traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect(await missing.json()).toMatchObject({
      status: 401,
      code: 'AUTHENTICATION_FAILED',
      traceId: TRACE_ID,
      details: { reason: 'missing' },
    });
    const forged = await post({ authorization: 'Bearer not.a.jwt' });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ code: 'AUTHENTICATION_FAILED', details: { reason: 'malformed' } });
    const unknownKey = await post({ 'x-api-key': 'pk_unknown' });
    expect(unknownKey.status).toBe(401);
    await expect(connect({})).rejects.toThrow();
  });

  it('serves tools to a caller with a JWT, acting as that user', async () => {
    const client = await connect({
      authorization: `Bearer ${await sign({ sub: 'ada', permissions: ['notes:write', 'notes:read'] })}`,
    });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('write_note');
    expect(tools.find((tool) => tool.name === 'notes_get_note')?.inputSchema).toMatchObject({
      type: 'object',
      required: ['noteId'],
    });
    const created = await client.callTool({ name: 'write_note', arguments: { id: 'jwt-note', text: 'via http' } });
    expect(created.structuredContent).toEqual({ id: 'jwt-note' });
    const read = await client.callTool({ name: 'notes_get_note', arguments: { noteId: 'jwt-note' } });
    expect(read.structuredContent).toMatchObject({ text: 'via http' });
    await client.close();
  });

  it("checks each caller's permissions", async () => {
    const client = await connect({
      authorization: `Bearer ${await sign({ sub: 'bob', permissions: ['notes:read'] })}`,
    });
    const denied = await client.callTool({ name: 'write_note', arguments: { text: 'no' } });
    expect(errorOf(denied).code).toBe('PERMISSION_DENIED');
    await client.close();
  });

  it('accepts API keys, and continues the trace of the HTTP request', async () => {
    const client = await connect({ 'x-api-key': machine.key, traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    const created = await client.callTool({ name: 'write_note', arguments: { text: 'by key' } });
    expect(created.isError).toBeFalsy();
    expect(created._meta?.traceId).toBe(TRACE_ID);
    await client.close();
    const byScheme = await post({ authorization: `ApiKey ${machine.key}` });
    expect(byScheme.status).toBe(200);
    expect(await byScheme.json()).toMatchObject({ id: 1, result: { serverInfo: { name: 'notes' } } });
  });

  it('is stateless: no session id, and GET (an SSE stream) answers 405', async () => {
    const initialized = await post({ 'x-api-key': machine.key });
    expect(initialized.headers.get('mcp-session-id')).toBeNull();
    const stream = await fetch(`${base}/mcp`, {
      headers: { 'x-api-key': machine.key, accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(405);
    expect(stream.headers.get('allow')).toBe('POST');
  });
});
