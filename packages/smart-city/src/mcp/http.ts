import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { type Platform, PlatformError } from '@platform/foundations';
import { continueTrace } from '@platform/observability';
import { authenticateChallenge, authenticateRequest, type HttpAuthenticator } from '../http/authenticate.js';
import { problemResponse, toProblem } from '../http/problems.js';
import type { VerifiedUserContext } from '../user-context/verified.js';
import { buildMcpServer, type McpServerOptions } from './server.js';
import { catalogCache, DEFAULT_MAX_FILE_BYTES } from './tools.js';

/** Options of {@link mcpHttpHandler}: the server's, and how callers are authenticated. */
export interface McpHttpHandlerOptions extends Omit<McpServerOptions, 'caller' | 'headers'> {
  /**
   * The host's own authentication, tried first (as the HTTP front door's `authenticate`): return a
   * verified user context, or `undefined` to let the Security Guard read the request's
   * `Authorization: Bearer <jwt>`, `Authorization: ApiKey <key>` or `X-API-Key`.
   */
  authenticate?: HttpAuthenticator;
  /**
   * The largest request body read, in bytes (413 beyond). Default: twice `maxFileBytes` plus
   * 1 MiB, room for an upload sent base64-encoded (a third larger) or as text with JSON escapes.
   */
  maxRequestBytes?: number;
}

/** A fetch-style handler: a web `Request` in, a web `Response` out. */
export type FetchHandler = (request: Request) => Promise<Response>;

function problemFor(error: unknown, request: Request, traceId: string, headers: Record<string, string> = {}): Response {
  const problem = toProblem(error, { instance: new URL(request.url).pathname.slice(0, 2048), traceId });
  const extra: Record<string, string> = { 'x-trace-id': traceId, ...headers };
  if (problem.status === 401) {
    extra['www-authenticate'] = authenticateChallenge((error as { details?: { reason?: unknown } }).details?.reason);
  }
  return problemResponse(problem, extra);
}

/**
 * The MCP server over Streamable HTTP as a fetch-style handler, for the HTTP front door to
 * mount at `/mcp` (Hono: `app.all('/mcp', (c) => handler(c.req.raw))`).
 *
 * Each request is authenticated exactly as the rest of the front door (`authenticateRequest` of
 * `@platform/smart-city/http`: the host's `authenticate`, then a bearer JWT or an API key through
 * the Security Guard) before any MCP handling: without valid credentials the answer is 401,
 * RFC 9457 problem details with the code and the trace id, and `WWW-Authenticate: Bearer`.
 * The server is stateless: no MCP session ids, one server per request acting as that request's
 * caller, JSON responses (no SSE stream; GET and DELETE answer 405). Tool calls continue the
 * request's `traceparent`. The platform may start after the handler is made.
 */
export function mcpHttpHandler(platform: Platform, options: McpHttpHandlerOptions = {}): FetchHandler {
  const { authenticate, maxRequestBytes, ...serverOptions } = options;
  const maxFileBytes = serverOptions.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const bodyLimit = maxRequestBytes ?? 2 * maxFileBytes + 1024 * 1024;
  let catalog: ReturnType<typeof catalogCache> | undefined;
  return (request) =>
    continueTrace({ headers: request.headers }, async (traceId) => {
      let caller: VerifiedUserContext;
      try {
        caller = await authenticateRequest(platform, request, authenticate ? { authenticate } : {});
      } catch (error) {
        return problemFor(error, request, traceId);
      }
      if (request.method !== 'POST') {
        const refused = new PlatformError('METHOD_NOT_ALLOWED', 'MCP here is stateless: POST JSON-RPC messages', {
          details: { allowed: ['POST'] },
        });
        return problemFor(refused, request, traceId, { allow: 'POST' });
      }
      catalog ??= catalogCache(platform.curator, { maxFileBytes });
      let server: ReturnType<typeof buildMcpServer>;
      try {
        server = buildMcpServer(platform, { ...serverOptions, caller, headers: request.headers }, catalog);
      } catch (error) {
        return problemFor(error, request, traceId);
      }
      // No session id generator: stateless, every request stands alone.
      const transport = new WebStandardStreamableHTTPServerTransport({
        enableJsonResponse: true,
        maxRequestBodySize: bodyLimit,
      });
      try {
        await server.connect(transport);
        return await transport.handleRequest(request);
      } finally {
        await server.close().catch(() => undefined);
      }
    });
}
