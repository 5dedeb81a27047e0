import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** Options of {@link startWorkerHealthServer}. */
export interface WorkerHealthServerOptions {
  /** Port to listen on; 0 for any free one. */
  port: number;
  /**
   * Address to listen on. Default `127.0.0.1` (this machine only). Probes that come from outside
   * the process's network namespace, as the kubelet's do (to the pod's IP), need `0.0.0.0`.
   */
  host?: string;
  /** Whether the worker should be sent work: `/readyz` answers 200 only when this says ready. */
  ready: () => Promise<{ ready: boolean; reason?: string }>;
  /** `/readyz` answers 503 when `ready` takes longer. Default 5000 ms. */
  readyTimeoutMs?: number;
}

/** A running health server. */
export interface WorkerHealthServer {
  /** The port it listens on. */
  port: number;
  close(): Promise<void>;
}

/**
 * Serves a worker's probes: `GET /healthz` (200 while the process answers; its body gives the
 * event loop's recent delay) and `GET /readyz` (200 while `ready()` says so, else 503 with the
 * reason). Anything else is 404; only GET and HEAD are answered.
 */
export async function startWorkerHealthServer(options: WorkerHealthServerOptions): Promise<WorkerHealthServer> {
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const timeoutMs = options.readyTimeoutMs ?? 5000;
  const server = createServer((request, response) => {
    const send = (status: number, body: Record<string, unknown>) => {
      response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const body = { status: 'ok', eventLoopDelayMs: Math.round(delay.percentile(99) / 1e6) };
      delay.reset();
      return send(200, body);
    }
    if (path !== '/readyz') return send(404, { error: 'not found' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ ready: boolean; reason?: string }>((resolve) => {
      timer = setTimeout(() => resolve({ ready: false, reason: `readiness took over ${timeoutMs} ms` }), timeoutMs);
    });
    Promise.race([options.ready(), timeout])
      .catch((error: unknown) => ({ ready: false, reason: error instanceof Error ? error.message : String(error) }))
      .then((answer) => {
        clearTimeout(timer);
        send(
          answer.ready ? 200 : 503,
          answer.ready ? { status: 'ready' } : { status: 'not ready', reason: answer.reason },
        );
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        delay.disable();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
