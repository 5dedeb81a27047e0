import { ErrorCode, type Platform, PlatformError, type PlatformEvent } from '@platform/foundations';
import type { z } from 'zod';
import { decideAccess } from '../authorization/access-policy.js';
import type { EventType, PostOffice } from '../post-office/post-office.js';
import { SecurityGuardRef } from '../security-guard/security-guard.js';
import type { VerifiedUserContext } from '../user-context/verified.js';
import { optionalRole } from './roles.js';

/** Any typed event the live streams can carry. */
// biome-ignore lint/suspicious/noExplicitAny: any event type's payload schema
export type AnyEventType = EventType<z.ZodType<Record<string, any>>>;

/** An event as the live streams send it: the platform event without its tenant (always the caller's). */
export interface StreamedEvent {
  id: string;
  type: string;
  occurredAt: string;
  traceId?: string;
  payload: Record<string, unknown>;
}

/** What the caller asked to follow. */
export interface EventFilter {
  /** Only events whose payload names this journey. */
  journeyId?: string;
}

/**
 * Checks that `user` may follow live events (`permission`, by default `journeys:read`): through
 * the Security Guard's rules when it runs, else on the user's own permissions.
 * @throws {PlatformError} `PERMISSION_DENIED`.
 */
export function requireEventsPermission(platform: Platform, user: VerifiedUserContext, permission: string): void {
  const request = { user, action: permission };
  const guard = optionalRole(platform, SecurityGuardRef);
  const decision = guard ? guard.authorize(request) : decideAccess(request, {});
  if (!decision.allowed) {
    throw new PlatformError('PERMISSION_DENIED', `'${permission}' is not permitted`, {
      details: { action: permission, reason: decision.reason },
    });
  }
}

/** The journey filter of a `/events` or `/ws` URL (`?journeyId=`). */
export function eventFilterOf(url: URL): EventFilter {
  const journeyId = url.searchParams.get('journeyId');
  if (journeyId === null) return {};
  if (journeyId.length === 0 || journeyId.length > 200) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'journeyId must be 1 to 200 characters', {
      details: { field: 'journeyId' },
    });
  }
  return { journeyId };
}

/**
 * Subscribes `send` to the given event types of ONE tenant (the Post Office delivers only that
 * tenant's events), filtered, as a broadcast subscriber (every client gets every event). Returns
 * the function that unsubscribes from all of them; its `ready` resolves once every subscription is
 * in place (at once in process; after the consumers exist with a broker).
 */
export function followTenantEvents(
  postOffice: PostOffice,
  tenantId: string,
  eventTypes: readonly AnyEventType[],
  filter: EventFilter,
  send: (event: StreamedEvent) => void,
): (() => void) & { ready: Promise<void> } {
  const deliver = (event: Omit<PlatformEvent, 'payload'> & { payload: Record<string, unknown> }) => {
    // The bus filters by tenant already; checked again so a bus that does not cannot leak.
    if (event.tenantId !== tenantId) return;
    if (filter.journeyId !== undefined && event.payload.journeyId !== filter.journeyId) return;
    send({
      id: event.id,
      type: event.type,
      occurredAt: new Date(event.occurredAt).toISOString(),
      ...(event.traceId ? { traceId: event.traceId } : {}),
      payload: event.payload,
    });
  };
  const unsubscribers = eventTypes.map((eventType) => postOffice.subscribe(eventType, tenantId, deliver));
  const ready = Promise.all(unsubscribers.map((unsubscribe) => unsubscribe.ready)).then(() => undefined);
  ready.catch(() => {});
  const unsubscribeAll = () => {
    for (const unsubscribe of unsubscribers.splice(0)) void unsubscribe();
  };
  return Object.assign(unsubscribeAll, { ready });
}

const encoder = new TextEncoder();

/** One event in the `text/event-stream` format: `id`, `event` (its type) and `data` (JSON, one line). */
export function formatServerSentEvent(event: StreamedEvent): string {
  // JSON.stringify escapes line breaks inside strings, so `data` is one line; ids and types are
  // platform-made, but stripped of line breaks all the same.
  const line = (value: string) => value.replace(/[\r\n]/g, '');
  return `id: ${line(event.id)}\nevent: ${line(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** How an event stream behaves. */
export interface EventStreamOptions {
  /** Milliseconds between keep-alive comments. */
  heartbeatMs: number;
  /** Events queued for a client that reads too slowly before it is disconnected. */
  maxQueuedEvents: number;
  /** Called once the stream ends, whoever ends it. */
  onClose: () => void;
}

/**
 * A `text/event-stream` body that follows a tenant's events: a first comment at once (so proxies
 * and clients see the stream open), a keep-alive comment every `heartbeatMs`, each event as it is
 * published. The stream ends when the client goes away, when `close()` is called, or when the
 * client falls `maxQueuedEvents` behind (it reconnects and reads the state from the API).
 */
export function eventStream(
  follow: (send: (event: StreamedEvent) => void) => () => void,
  options: EventStreamOptions,
): { body: ReadableStream<Uint8Array>; close: () => void } {
  let stop: (() => void) | undefined;
  let closed = false;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | undefined;
  const finish = () => {
    if (closed) return;
    closed = true;
    stop?.();
    options.onClose();
  };
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controllerRef = controller;
        controller.enqueue(encoder.encode(': stream open\nretry: 5000\n\n'));
        const unsubscribe = follow((event) => {
          if (closed) return;
          if ((controller.desiredSize ?? 0) < -options.maxQueuedEvents) {
            controller.error(new Error('the client reads too slowly'));
            finish();
            return;
          }
          controller.enqueue(encoder.encode(formatServerSentEvent(event)));
        });
        const heartbeat = setInterval(() => {
          if (!closed) controller.enqueue(encoder.encode(': keep-alive\n\n'));
        }, options.heartbeatMs);
        heartbeat.unref();
        stop = () => {
          clearInterval(heartbeat);
          unsubscribe();
        };
      },
      cancel() {
        finish();
      },
    },
    { highWaterMark: 16 },
  );
  return {
    body,
    close: () => {
      if (closed) return;
      finish();
      try {
        controllerRef?.close();
      } catch {
        // Already errored or closed by the reader.
      }
    },
  };
}
