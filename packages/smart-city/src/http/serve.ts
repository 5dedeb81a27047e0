import type { AddressInfo } from 'node:net';
import { type ServerType, serve, type WebSocketServerLike } from '@hono/node-server';
import type { Hono } from 'hono';

/** Where {@link HttpApp.serve} listens. */
export interface ServeOptions {
  /** Default 0: a free port (read it from `url`). */
  port?: number;
  /** Default `127.0.0.1` (this machine only); `0.0.0.0` or `::` to take outside connections. */
  hostname?: string;
  /**
   * Milliseconds a client has to send a whole request, body included (Node's `requestTimeout`).
   * Default 300 000; raise it for large uploads over slow links (0: no limit).
   */
  requestTimeoutMs?: number;
}

/** A running server. */
export interface HttpServer {
  /** `http://<host>:<port>`, without a trailing slash. */
  url: string;
  /**
   * Stops taking connections, ends the live streams, lets requests in flight finish (up to
   * `graceMs`, default 10 000), then closes what is left.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

// `ws` is an optional peer: without it the server runs without `/ws`.
async function webSocketServer(): Promise<
  (WebSocketServerLike & { clients?: Set<{ terminate(): void }> }) | undefined
> {
  try {
    const { WebSocketServer } = await import('ws');
    return new WebSocketServer({
      noServer: true,
      maxPayload: 64 * 1024,
      // A browser sends its token as `Sec-WebSocket-Protocol: bearer, <token>`: the server answers
      // with `bearer` (never echoing the token), as the handshake requires one of the offers back.
      handleProtocols: (protocols: Set<string>) => (protocols.has('bearer') ? 'bearer' : false),
    }) as unknown as WebSocketServerLike & { clients?: Set<{ terminate(): void }> };
  } catch {
    return undefined;
  }
}

/** Serves a Hono app with `@hono/node-server`, leaving the process's global `Request`/`Response` alone. */
export async function serveApp(app: Hono, liveStreams: Set<() => void>, options: ServeOptions): Promise<HttpServer> {
  const wss = await webSocketServer();
  const hostname = options.hostname ?? '127.0.0.1';
  const server = await new Promise<ServerType>((resolve, reject) => {
    const started = serve(
      {
        fetch: app.fetch,
        port: options.port ?? 0,
        hostname,
        overrideGlobalObjects: false,
        ...(wss ? { websocket: { server: wss } } : {}),
      },
      () => {
        started.off('error', reject);
        resolve(started);
      },
    );
    started.once('error', reject);
  });
  const http = server as import('node:http').Server;
  if (options.requestTimeoutMs !== undefined) http.requestTimeout = options.requestTimeoutMs;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    close: ({ graceMs = 10_000 } = {}) => {
      closing ??= new Promise<void>((resolve) => {
        for (const close of [...liveStreams]) close();
        for (const client of wss?.clients ?? []) client.terminate();
        const force = setTimeout(() => http.closeAllConnections(), graceMs);
        force.unref();
        // Connections go idle as their last response ends (the streams just closed, requests in
        // flight): each is closed then, not left to its keep-alive timeout.
        const sweep = setInterval(() => http.closeIdleConnections(), 25);
        sweep.unref();
        http.close(() => {
          clearTimeout(force);
          clearInterval(sweep);
          resolve();
        });
        http.closeIdleConnections();
      });
      return closing;
    },
  };
}
