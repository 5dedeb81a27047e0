import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { dataMashModules } from '@platform/data-mash';
import { createPlatform, type Platform, parseByteSize } from '@platform/foundations';
import { apiGateway, communicationDirector, postOffice } from '@platform/smart-city';
import { createMcpServer, DEFAULT_MAX_FILE_BYTES } from '@platform/smart-city/mcp';
import { governanceFromEnv } from './governance-env.js';
import { EXIT, jsonText, printable, UsageError } from './output.js';
import { cliUser, type GlobalOptions } from './session.js';

declare const __PACKAGE_VERSION__: string | undefined;
const VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0';

/** Options of `data-mash mcp`. */
export interface McpOptions extends GlobalOptions {
  /** `--max-bytes`: the largest file the upload tool accepts, `20MiB`, `5MB`, `1048576`. Default 20 MiB. */
  maxBytes?: string;
}

/** `--max-bytes` of `mcp`, in bytes. */
export function mcpMaxBytes(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_FILE_BYTES;
  const bytes = parseByteSize(value);
  if (bytes === undefined || bytes < 1) {
    throw new UsageError(`--max-bytes expects a size such as 20MiB, 5MB or 1048576, not '${value}'`);
  }
  return bytes;
}

/**
 * The platform `data-mash mcp` serves: the data mash on the configured stores (the embedded
 * default unless `PLATFORM_*` say otherwise), with the front door roles every MCP call goes
 * through (Communication Director, API Gateway, Post Office). Telemetry never reaches stdout,
 * which belongs to the MCP messages: it is silent, or JSON lines on stderr with `--verbose`.
 */
export function mcpPlatform(options: GlobalOptions, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Platform {
  return createPlatform({
    config: {
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      telemetry: { sink: 'silent' },
      // The upload tool's limit is the one that matters; the platform's must not be lower.
      ...(maxFileBytes > 100 * 1024 * 1024 ? { limits: { maxFileBytes } } : {}),
    },
    env: process.env,
    modules: dataMashModules({
      ...governanceFromEnv(process.env),
      roles: [apiGateway(), postOffice(), communicationDirector()],
    }),
    telemetrySink: (event) => {
      if (options.verbose) process.stderr.write(`${jsonText(event, 0)}\n`);
    },
  });
}

/**
 * `data-mash mcp`: an MCP server on stdin/stdout for MCP clients (Claude Desktop, IDEs, agents)
 * that start it as a subprocess. Its tools are the data mash's API (ingest, journeys, insights,
 * report, search, delete), each call run through the Communication Director as the CLI's
 * service identity (`cliUser`: `--tenant`, on behalf of `--user`). It serves until stdin closes,
 * or SIGINT / SIGTERM, then stops the platform (flows it started finish first) and exits 0.
 */
export async function mcp(options: McpOptions): Promise<number> {
  const maxFileBytes = mcpMaxBytes(options.maxBytes);
  const platform = mcpPlatform(options, maxFileBytes);
  await platform.start();
  const caller = cliUser(options);
  const server = createMcpServer(platform, { caller, name: 'data-mash', version: VERSION, maxFileBytes });
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.stdin.once('end', stop);
  process.stdin.once('close', stop);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    // One JSON-RPC message carries a whole upload: base64 makes it a third larger, JSON escapes
    // in text up to twice (a longer message closes the connection: the SDK's stdio transport).
    const transport = new StdioServerTransport(process.stdin, process.stdout, {
      maxBufferSize: 2 * maxFileBytes + 1024 * 1024,
    });
    server.server.onclose = stop;
    await server.connect(transport);
    process.stderr.write(
      `data-mash: MCP server on stdio, tenant ${printable(caller.tenantId)} as ${printable(caller.userId)}; stops when stdin closes\n`,
    );
    await stopped;
  } finally {
    process.stdin.off('end', stop);
    process.stdin.off('close', stop);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close().catch(() => undefined);
    await platform.stop();
  }
  return EXIT.ok;
}
