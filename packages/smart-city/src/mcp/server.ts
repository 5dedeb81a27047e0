import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  GetPromptRequestSchema,
  type GetPromptResult,
  ListPromptsRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ErrorCode as McpErrorCode,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, type FileDownload, isFileDownload, type Platform, PlatformError } from '@platform/foundations';
import { continueTrace, type ReadableHeaders } from '@platform/observability';
import {
  type CommunicationDirector,
  CommunicationDirectorRef,
} from '../communication-director/communication-director.js';
import { toProblem } from '../http/problems.js';
import { requireVerifiedUserContext, type VerifiedUserContext } from '../user-context/verified.js';
import {
  catalogCache,
  DEFAULT_MAX_FILE_BYTES,
  type PlatformAgent,
  type PlatformCatalog,
  type PlatformTool,
  routeRequestOf,
} from './tools.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  /**
   * Who every tool call acts as: a verified user context (`serviceIdentity(...)` for a local
   * process such as a CLI over stdio, or the Security Guard's answer for a client).
   */
  caller: VerifiedUserContext;
  /** The server's name in the MCP handshake. Default `platform`. */
  name?: string;
  /** The server's version in the MCP handshake. Default `1.0.0`. */
  version?: string;
  /**
   * The largest file an upload tool accepts (`content` as UTF-8, or `contentBase64` decoded),
   * in bytes. Default 20 MiB: the file travels inside one JSON-RPC message.
   */
  maxFileBytes?: number;
  /** The server's instructions to the model. Default: how tools, errors and uploads work, and the agents. */
  instructions?: string;
  /**
   * The headers of the transport request carrying the messages (Streamable HTTP): tool calls
   * continue its `traceparent` / `X-Trace-ID` unless the call's `_meta.traceparent` names another.
   */
  headers?: ReadableHeaders;
}

function director(platform: Platform): CommunicationDirector {
  try {
    return platform.get(CommunicationDirectorRef);
  } catch (error) {
    if (error instanceof PlatformError && error.code === ErrorCode.NOT_FOUND) {
      throw new PlatformError(
        ErrorCode.CONFIG_INVALID,
        'MCP needs the front door roles: add communicationDirector(), apiGateway() and postOffice() to a smartCityModule',
        { details: { service: CommunicationDirectorRef.id }, cause: error },
      );
    }
    throw error;
  }
}

/**
 * A failed call as an MCP tool result (`isError`, as MCP recommends for tool failures): a JSON
 * text `{ error: { code, status, message, traceId, details? } }` worded exactly as the HTTP front
 * door's problem details (`toProblem`): another tenant's resource is `NOT_FOUND`, a server-side
 * failure has a generic message (its code and trace id stay), `status` is the HTTP status.
 */
export function errorResult(error: unknown, traceId: string): CallToolResult {
  const problem = toProblem(error, { instance: '/mcp', traceId });
  const { code, status, detail: message, details } = problem;
  return {
    isError: true,
    content: [
      {
        type: 'text',
        text: JSON.stringify({ error: { code, status, message, traceId, ...(details ? { details } : {}) } }),
      },
    ],
    _meta: { code, traceId },
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// A file a tool answers (`response: { body: 'file' }`), embedded in the result as MCP resources
// are: as text when its type is text, else base64; over `maxBytes`, an error naming the HTTP route.
async function downloadResult(file: FileDownload, maxBytes: number, traceId: string): Promise<CallToolResult> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const iterator = file.data[Symbol.asyncIterator]();
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      bytes += next.value.byteLength;
      if (bytes > maxBytes) {
        throw new PlatformError(
          ErrorCode.FILE_TOO_LARGE,
          `'${file.name}' is larger than ${maxBytes} bytes, the most a tool result carries: download it over HTTP`,
          {
            details: { name: file.name, maxBytes },
          },
        );
      }
      chunks.push(next.value);
    }
  } catch (error) {
    await iterator.return?.();
    return errorResult(error, traceId);
  }
  const body = Buffer.concat(chunks);
  const uri = `urn:platform:file:${encodeURIComponent(file.name.toWellFormed())}`;
  const text = /^text\/|^application\/(json|xml)\b/.test(file.mediaType);
  return {
    content: [
      {
        type: 'resource',
        resource: text
          ? { uri, mimeType: file.mediaType, text: body.toString('utf8') }
          : { uri, mimeType: file.mediaType, blob: body.toString('base64') },
      },
    ],
    _meta: { traceId, name: file.name, mediaType: file.mediaType, bytes },
  };
}

function successResult(tool: PlatformTool, result: unknown, traceId: string): CallToolResult {
  const json = tool.api.response?.mediaType === undefined || tool.api.response.mediaType.startsWith('application/json');
  if (!json) {
    return {
      content: [{ type: 'text', text: typeof result === 'string' ? result : JSON.stringify(result) }],
      _meta: { traceId, mediaType: tool.api.response?.mediaType },
    };
  }
  const text = JSON.stringify(result ?? null);
  return {
    content: [{ type: 'text', text }],
    ...(isPlainObject(result) ? { structuredContent: JSON.parse(text) as Record<string, unknown> } : {}),
    _meta: { traceId },
  };
}

function traceHeaders(meta: Record<string, unknown> | undefined): Record<string, string> | undefined {
  const traceparent = meta?.traceparent;
  if (typeof traceparent !== 'string') return undefined;
  return { traceparent, ...(typeof meta?.tracestate === 'string' ? { tracestate: meta.tracestate } : {}) };
}

function defaultInstructions(caller: VerifiedUserContext, agents: readonly PlatformAgent[], maxFileBytes: number) {
  const lines = [
    `Tools are the platform's capabilities; every call runs as '${caller.userId}' in tenant '${caller.tenantId}', with the same permission checks, rate limits and traces as its HTTP API.`,
    'A failed call answers isError with a JSON text {"error":{"code","status","message","traceId"}}: match on the code (e.g. PERMISSION_DENIED, NOT_FOUND, VALIDATION_FAILED, RATE_LIMITED).',
    `Upload tools take the file as "content" (text) or "contentBase64" (bytes), with its "name"; at most ${maxFileBytes} bytes.`,
  ];
  if (agents.length > 0) {
    lines.push(
      `Agents (prompts): ${agents.map((agent) => `${agent.name} (${agent.description}; tools: ${agent.tools.map((tool) => tool.name).join(', ')})`).join('; ')}.`,
    );
  }
  return lines.join('\n');
}

function promptOf(agent: PlatformAgent, task: string | undefined): GetPromptResult {
  const tools = agent.tools.map((tool) => `- ${tool.name}: ${tool.description}`).join('\n');
  const missing =
    agent.unavailable.length > 0 ? `\nNot available over MCP (no API): ${agent.unavailable.join(', ')}.` : '';
  return {
    description: agent.description,
    messages: [
      {
        role: 'user',
        content: {
          type: 'text',
          text: `Act as the '${agent.name}' agent of ${agent.service}: ${agent.description}\nUse these tools:\n${tools}${missing}\nA tool result with isError carries the error code and the trace id: report them as they are.${task ? `\n\nTask: ${task}` : ''}`,
        },
      },
    ],
  };
}

/** @internal {@link createMcpServer} with a catalog shared by many servers (one per HTTP request). */
export function buildMcpServer(
  platform: Platform,
  options: McpServerOptions,
  catalog: () => PlatformCatalog,
): McpServer {
  const caller = requireVerifiedUserContext(options.caller);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  director(platform);
  const server = new McpServer(
    { name: options.name ?? 'platform', version: options.version ?? '1.0.0' },
    { instructions: options.instructions ?? defaultInstructions(caller, catalog().agents, maxFileBytes) },
  );
  const low = server.server;
  low.registerCapabilities({ tools: { listChanged: false }, prompts: { listChanged: false } });
  low.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: catalog().tools.map(({ name, description, inputSchema, outputSchema, annotations }) => ({
      name,
      description,
      inputSchema,
      ...(outputSchema ? { outputSchema } : {}),
      annotations,
    })),
  }));
  low.setRequestHandler(CallToolRequestSchema, async (request) => {
    const tool = catalog().byName.get(request.params.name);
    if (!tool) throw new McpError(McpErrorCode.InvalidParams, `no tool '${request.params.name}'`);
    const headers = traceHeaders(request.params._meta) ?? options.headers;
    return continueTrace(headers ? { headers } : undefined, async (traceId): Promise<CallToolResult> => {
      let routed: ReturnType<typeof routeRequestOf>;
      try {
        routed = routeRequestOf(tool, request.params.arguments ?? {}, { maxFileBytes });
      } catch (error) {
        return errorResult(error, traceId);
      }
      const envelope = await director(platform).routeRequest({
        ...routed,
        userContext: caller,
        ...(headers ? { headers } : {}),
      });
      if (!envelope.success) return errorResult(envelope.error, envelope.traceId);
      return tool.api.response?.body === 'file' && isFileDownload(envelope.result)
        ? downloadResult(envelope.result, maxFileBytes, envelope.traceId)
        : successResult(tool, envelope.result, envelope.traceId);
    });
  });
  low.setRequestHandler(ListPromptsRequestSchema, () => ({
    prompts: catalog().agents.map((agent) => ({
      name: agent.name,
      description: `${agent.description} (tools: ${agent.tools.map((tool) => tool.name).join(', ')})`,
      arguments: [{ name: 'task', description: 'What to do, in your words', required: false }],
    })),
  }));
  low.setRequestHandler(GetPromptRequestSchema, (request) => {
    const agent = catalog().agents.find((candidate) => candidate.name === request.params.name);
    if (!agent) throw new McpError(McpErrorCode.InvalidParams, `no prompt '${request.params.name}'`);
    return promptOf(agent, request.params.arguments?.task);
  });
  return server;
}

/**
 * An MCP server serving the platform's capabilities as tools, through the Communication
 * Director: every call has its trace, the Traffic Cop's limits by route template, the API
 * Gateway's permission check (failing closed) and contract checks, exactly as on HTTP.
 *
 * Tools: every capability with an SOA API in Curator, named by its Curator MCP tool or by the
 * capability's name with `.` as `_`; the input schema is the capability's (JSON Schema). Uploads
 * (`body: 'file'`) take `{ name, content | contentBase64, type? }`. Results: JSON as text and as
 * `structuredContent`; failures as `isError` results with the stable code and the trace id.
 * Agents of Curator are MCP prompts. The platform must be started, with the Communication
 * Director, the API Gateway and the Post Office among its roles.
 *
 * @example
 * ```ts
 * import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
 * const server = createMcpServer(platform, { caller: serviceIdentity({ service: 'my-cli', tenantId: 'local' }) });
 * await server.connect(new StdioServerTransport());
 * ```
 * @throws {PlatformError} `AUTHENTICATION_FAILED` for a caller that is not a verified user
 * context; `CONFIG_INVALID` when the platform has no Communication Director.
 */
export function createMcpServer(platform: Platform, options: McpServerOptions): McpServer {
  return buildMcpServer(
    platform,
    options,
    catalogCache(platform.curator, { maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES }),
  );
}
