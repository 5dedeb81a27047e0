/**
 * @packageDocumentation
 * `@platform/smart-city/mcp`: the Agentic Foundation. The platform's capabilities as MCP tools
 * and its agents as MCP prompts, served through the Communication Director (traces, limits,
 * permissions and contracts as on HTTP), over stdio ({@link createMcpServer} with a fixed
 * caller) or Streamable HTTP ({@link mcpHttpHandler}, authenticated per request).
 * Needs `@modelcontextprotocol/sdk` (an optional peer dependency).
 */

export { type FetchHandler, type McpHttpHandlerOptions, mcpHttpHandler } from './http.js';
export { createMcpServer, errorResult, type McpServerOptions } from './server.js';
export {
  catalogCache,
  DEFAULT_MAX_FILE_BYTES,
  type PlatformAgent,
  type PlatformCatalog,
  type PlatformTool,
  platformCatalog,
  routeRequestOf,
  toolNameOf,
} from './tools.js';
