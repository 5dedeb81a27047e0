import { randomUUID } from 'node:crypto';
import {
  defineService,
  defineServiceRef,
  type EventBus,
  EventBusRef,
  type PlatformEvent,
  parseRecord,
} from '@platform/foundations';
import { currentTraceId, isValidTraceId, runWithTraceId } from '@platform/observability';
import type { z } from 'zod';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';

/** A typed event: its dotted type and the zod schema of its payload. */
export interface EventType<S extends z.ZodType<Record<string, unknown>>> {
  readonly type: string;
  readonly payload: S;
}

/** Defines a typed platform event. */
export function defineEventType<S extends z.ZodType<Record<string, unknown>>>(type: string, payload: S): EventType<S> {
  return Object.freeze({ type, payload });
}

/** A delivered typed event: the platform event with its payload parsed. */
export type TypedEvent<S extends z.ZodType<Record<string, unknown>>> = Omit<PlatformEvent, 'payload'> & {
  payload: z.output<S>;
};

/**
 * Post Office: publishes typed platform events on the event bus with the active trace id, and
 * delivers them to subscribers inside that trace, with payloads validated on both sides.
 */
export class PostOffice extends SmartCityRoleBase<RoleDeps & { eventBus: EventBus }> {
  /**
   * Validates the payload and publishes the event.
   * @throws {PlatformError} `VALIDATION_FAILED` for a payload that breaks the event's schema.
   */
  async publish<S extends z.ZodType<Record<string, unknown>>>(
    eventType: EventType<S>,
    tenantId: string,
    payload: z.input<S>,
  ): Promise<PlatformEvent> {
    const valid = parseRecord(eventType.payload, payload, `'${eventType.type}' payload`);
    const traceId = currentTraceId();
    const event: PlatformEvent = {
      id: randomUUID(),
      type: eventType.type,
      tenantId,
      ...(traceId ? { traceId } : {}),
      occurredAt: new Date(),
      payload: valid,
    };
    await this.withSpan('post_office.publish', { 'event.type': eventType.type }, () =>
      this.deps.eventBus.publish(event),
    );
    return event;
  }

  /**
   * Calls `handler` for each event of the type for one tenant, inside the event's trace, with the
   * payload parsed; an event whose payload breaks the schema is audited and not delivered.
   */
  subscribe<S extends z.ZodType<Record<string, unknown>>>(
    eventType: EventType<S>,
    tenantId: string,
    handler: (event: TypedEvent<S>) => void | Promise<void>,
  ): () => void {
    return this.deps.eventBus.subscribe(
      eventType.type,
      (event) => {
        const deliver = () => {
          const parsed = eventType.payload.safeParse(event.payload);
          if (!parsed.success) {
            this.auditError(new Error(`'${event.type}' payload breaks its schema`), {
              operation: 'post_office.deliver',
              code: 'CONTRACT_VIOLATION',
            });
            return;
          }
          return handler({ ...event, payload: parsed.data });
        };
        return event.traceId && isValidTraceId(event.traceId) ? runWithTraceId(event.traceId, deliver) : deliver();
      },
      { tenantId },
    );
  }
}

/** The Post Office role. */
export const PostOfficeRef = defineServiceRef<PostOffice>({ id: 'smart-city.post-office', tier: 'smart-city' });

const POST_OFFICE_SERVICE = defineService({
  ref: PostOfficeRef,
  deps: { eventBus: EventBusRef },
  factory: ({ eventBus }, context) => new PostOffice({ ...context, eventBus }),
  description: { description: 'Typed platform events with trace ids', tags: ['events'] },
});

/**
 * Defines the Post Office service, on the platform's event bus. It takes no options, so every call gives the same definition: several modules may list it and
 * the platform runs it once.
 */
export function postOffice() {
  return POST_OFFICE_SERVICE;
}
