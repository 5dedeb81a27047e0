import { upgradeWebSocket } from '@hono/node-server';
import type { Platform } from '@platform/foundations';
import { PlatformError } from '@platform/foundations';
import type { Context, Hono } from 'hono';
import { PostOfficeRef } from '../post-office/post-office.js';
import { authenticateRequest, type HttpAuthenticator } from './authenticate.js';
import {
  type AnyEventType,
  eventFilterOf,
  eventStream,
  followTenantEvents,
  requireEventsPermission,
} from './events.js';
import { locateRole } from './roles.js';

export type { AnyEventType } from './events.js';

/** What the live routes need from the app. */
export interface EventRouteDeps {
  platform: Platform;
  /** The app's one way of handling a request (trace, span, problems, trace headers). */
  handle: (c: Context, run: (request: Request, url: URL) => Promise<Response>) => Promise<Response>;
  /** Closers of the open streams, for the server's `close()`. */
  liveStreams: Set<() => void>;
  eventTypes: readonly AnyEventType[];
  eventsPermission: string;
  heartbeatMs: number;
  authenticate?: HttpAuthenticator;
}

/** Events a slow SSE client may fall behind by, and bytes a slow WebSocket client may, before it is dropped. */
const MAX_QUEUED_EVENTS = 1000;
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const EVENT_STREAM = 'text/event-stream; charset=utf-8';

/**
 * Adds `GET /events` (Server-Sent Events) and `GET /ws` (WebSocket) to the app: each streams the
 * caller's tenant's events (by default journey progress), optionally of one journey
 * (`?journeyId=`), to a caller authenticated like any other request and holding `eventsPermission`.
 */
export function eventRoutes(app: Hono, deps: EventRouteDeps): void {
  const { platform, liveStreams } = deps;
  const authenticateOptions = deps.authenticate ? { authenticate: deps.authenticate } : {};

  app.get('/events', (c) =>
    deps.handle(c, async (request, url) => {
      const user = await authenticateRequest(platform, request, authenticateOptions);
      requireEventsPermission(platform, user, deps.eventsPermission);
      const filter = eventFilterOf(url);
      // HEAD is answered by this GET handler with its body dropped unread: no stream to leave open.
      if (request.method === 'HEAD')
        return new Response(null, { status: 200, headers: { 'content-type': EVENT_STREAM } });
      const postOffice = locateRole(platform, PostOfficeRef);
      const closers: Array<() => void> = [];
      const stream = eventStream(
        (send) => followTenantEvents(postOffice, user.tenantId, deps.eventTypes, filter, send),
        {
          heartbeatMs: deps.heartbeatMs,
          maxQueuedEvents: MAX_QUEUED_EVENTS,
          onClose: () => {
            for (const closer of closers) liveStreams.delete(closer);
          },
        },
      );
      closers.push(stream.close);
      liveStreams.add(stream.close);
      return new Response(stream.body, {
        status: 200,
        headers: {
          'content-type': EVENT_STREAM,
          'cache-control': 'no-store',
          'x-accel-buffering': 'no',
          'x-content-type-options': 'nosniff',
        },
      });
    }),
  );

  app.get('/ws', (c) =>
    deps.handle(c, async (request, url) => {
      // Both headers make an upgrade request (RFC 9110 §7.8): with `Upgrade` alone the server
      // never hands the socket over, so the caller's request, not the server, is what is wrong.
      if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket' || !asksConnectionUpgrade(request)) {
        throw new PlatformError(
          'UPGRADE_REQUIRED',
          'connect with the WebSocket protocol (Connection: Upgrade, Upgrade: websocket)',
        );
      }
      // `serve()` sets up the WebSocket server; a host serving `app` itself must pass one to
      // @hono/node-server's `serve({ websocket: { server } })`.
      const env = c.env as { incoming?: unknown; wss?: unknown } | undefined;
      if (!env?.incoming || !env.wss) {
        throw new PlatformError('SERVICE_UNAVAILABLE', 'WebSockets are not enabled on this server (install `ws`)');
      }
      const user = await authenticateRequest(platform, request, { ...authenticateOptions, webSocket: true });
      requireEventsPermission(platform, user, deps.eventsPermission);
      const filter = eventFilterOf(url);
      const postOffice = locateRole(platform, PostOfficeRef);
      let stop: (() => void) | undefined;
      let closer: (() => void) | undefined;
      const upgrade = upgradeWebSocket(() => ({
        onOpen(_event, ws) {
          const following = followTenantEvents(postOffice, user.tenantId, deps.eventTypes, filter, (event) => {
            if (ws.readyState !== 1) return;
            const buffered = (ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0;
            if (buffered > MAX_BUFFERED_BYTES) ws.close(1013, 'the client reads too slowly');
            else ws.send(JSON.stringify(event));
          });
          stop = following;
          closer = () => ws.close(1001, 'the server is stopping');
          liveStreams.add(closer);
          // Tells the client the subscription is in place (on a broker: once the broker has it),
          // so that events published from now on arrive; a subscription that failed closes.
          following.ready.then(
            () => {
              if (ws.readyState === 1) ws.send(JSON.stringify({ type: 'stream.open' }));
            },
            () => ws.close(1011, 'the event stream could not be opened'),
          );
        },
        onClose() {
          stop?.();
          if (closer) liveStreams.delete(closer);
        },
      }));
      const response = await upgrade(c, async () => undefined);
      if (!(response instanceof Response)) throw new PlatformError('INTERNAL', 'the WebSocket upgrade did not answer');
      return response;
    }),
  );
}

/** Whether the `Connection` header lists the `upgrade` option (a comma-separated, case-insensitive list). */
function asksConnectionUpgrade(request: Request): boolean {
  const connection = request.headers.get('connection') ?? '';
  return connection.split(',').some((option) => option.trim().toLowerCase() === 'upgrade');
}
