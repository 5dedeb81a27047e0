import { loadPlatformConfig } from '@platform/foundations';
import { type InstalledTraceBuffer, installTraceBuffer } from '@platform/observability/trace-buffer';
import {
  apiGateway,
  ContentStewardRef,
  communicationDirector,
  developmentIdentity,
  securityGuard,
  trafficCop,
} from '@platform/smart-city';
import { createHttpApp } from '@platform/smart-city/http';
import { EXIT, errorLine, print, printable, printJson, UsageError } from './output.js';
import { cliUser, type GlobalOptions, openSession } from './session.js';

declare const __PACKAGE_VERSION__: string | undefined;
const VERSION = typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0';

/** Options of `data-mash serve`. */
export interface ServeOptions extends GlobalOptions {
  /** `--port`: default 7070; 0 picks a free port. */
  port?: string;
  /** `--host`: default 127.0.0.1 (this machine only). */
  host?: string;
}

function portOf(value: string | undefined): number {
  if (value === undefined) return 7070;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port expects a port number from 0 to 65535, not '${value}'`);
  }
  return port;
}

/**
 * `data-mash serve`: the console at `/`, the HTTP API (and live events, and MCP over Streamable HTTP at `/mcp`) on the
 * configured stores, the embedded default unless `PLATFORM_*` say otherwise. Callers sign in with
 * a development identity: a key pair kept in the data directory, whose token for `--tenant` and
 * `--user` the command prints. Serves until SIGINT or SIGTERM, then lets flows it started finish.
 */
export async function serve(options: ServeOptions): Promise<number> {
  const port = portOf(options.port);
  const hostname = options.host ?? '127.0.0.1';
  const config = loadPlatformConfig({ ...(options.dataDir ? { dataDir: options.dataDir } : {}) }, { env: process.env });
  const identity = await developmentIdentity(config.dataDir);
  // The console's trace view: the spans of the flows this process runs, kept in memory. Only
  // traces with a journey in them are kept: other requests (probes, refusals) cannot push them out.
  let tracing: InstalledTraceBuffer | undefined;
  try {
    tracing = installTraceBuffer({ keepTrace: (span) => span.name.startsWith('journey.') });
  } catch (error) {
    // Another OpenTelemetry SDK is registered: the trace view answers recorded: false.
    process.stderr.write(`data-mash: the console's trace view is off (${errorLine(error)})\n`);
  }
  const session = await openSession(
    options,
    undefined,
    undefined,
    {},
    [securityGuard(identity.guardOptions), trafficCop(), apiGateway(), communicationDirector()],
    tracing ? { traces: tracing.buffer } : {},
  );
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const [{ mcpHttpHandler, DEFAULT_MAX_FILE_BYTES }, { consoleRoutes }] = await Promise.all([
      import('@platform/smart-city/mcp'),
      import('@platform/data-mash-console'),
    ]);
    const front = createHttpApp(session.platform, {
      info: { title: 'data-mash', version: VERSION },
      mount: {
        ...consoleRoutes(),
        // Files in and out of MCP tools within the upload limit (PLATFORM_MAX_FILE_BYTES), and
        // within what one JSON-RPC message should carry.
        '/mcp': mcpHttpHandler(session.platform, {
          name: 'data-mash',
          version: VERSION,
          maxFileBytes: Math.min(session.platform.get(ContentStewardRef).maxSizeBytes, DEFAULT_MAX_FILE_BYTES),
        }),
      },
    });
    const server = await front.serve({ port, hostname });
    const user = cliUser(options);
    const token = await identity.issueToken({ userId: user.userId, tenantId: user.tenantId, permissions: ['*'] });
    // The token rides in the fragment, which browsers never send to a server nor put in a Referer.
    const consoleUrl = `${server.url}/#token=${token}`;
    if (options.json)
      printJson({ url: server.url, console: consoleUrl, token, tenant: user.tenantId, user: user.userId });
    else {
      print(`data-mash API on ${server.url} (tenant ${printable(user.tenantId)}, as ${printable(user.userId)})`);
      print(`  console:       ${consoleUrl}`);
      print(`  token (12 h):  ${token}`);
      print(`  try:           curl -H "Authorization: Bearer $TOKEN" ${server.url}/journeys`);
      print(
        `  upload:        curl -H "Authorization: Bearer $TOKEN" --data-binary @orders.csv "${server.url}/files?name=orders.csv"`,
      );
      print(`  API:           ${server.url}/openapi.json   events: ${server.url}/events   MCP: ${server.url}/mcp`);
      print('Ctrl-C stops the server.');
    }
    await stopped;
    await server.close({ graceMs: 5000 });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await session.close();
    await tracing?.uninstall();
  }
  return EXIT.ok;
}
