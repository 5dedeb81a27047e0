import { randomUUID } from 'node:crypto';
import {
  type DeadLetter,
  type DeadLetterQuery,
  type Delivery,
  defineService,
  defineServiceRef,
  type EventBus,
  EventBusRef,
  type PlatformEvent,
  parseRecord,
  type RetryPolicy,
  type Unsubscribe,
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

/** Options of {@link PostOffice.subscribe}. */
export interface PostOfficeSubscribeOptions {
  /**
   * A work-queue group: subscribers (in any process) sharing the group name, event type and tenant
   * each get a share of the events, each event going to one of them. Without a group every
   * subscriber gets every event published after it subscribed (broadcast: live feeds, SSE/WS).
   */
  group?: string;
  /** How a failing handler is retried before its event is dead-lettered; the bus's defaults when omitted. */
  retry?: RetryPolicy;
}

/**
 * Post Office: publishes typed platform events on the event bus with the active trace id, and
 * delivers them to subscribers inside that trace, with payloads validated on both sides. Delivery
 * is the bus's: at least once, a failing handler retried with backoff and then dead-lettered
 * (see {@link PostOffice.deadLetters}); across processes with a Redis Streams or NATS JetStream bus.
 */
export class PostOffice extends SmartCityRoleBase<RoleDeps & { eventBus: EventBus }> {
  /**
   * Validates the payload and publishes the event. Resolves when the bus has accepted it: in
   * process once the subscribers' first attempts have run, with a broker once it is stored.
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
   * payload parsed. A handler that throws is audited and its event retried, then dead-lettered;
   * an event whose payload breaks the schema is audited and not delivered (a retry would not mend
   * it). Returns the function that unsubscribes (awaiting it waits for handlers in flight); its
   * `ready` resolves once the subscription is in place.
   */
  subscribe<S extends z.ZodType<Record<string, unknown>>>(
    eventType: EventType<S>,
    tenantId: string,
    handler: (event: TypedEvent<S>, delivery: Delivery) => void | Promise<void>,
    options: PostOfficeSubscribeOptions = {},
  ): Unsubscribe {
    return this.deps.eventBus.subscribe(
      eventType.type,
      (event, delivery) => {
        const deliver = async () => {
          const parsed = eventType.payload.safeParse(event.payload);
          if (!parsed.success) {
            this.auditError(new Error(`'${event.type}' payload breaks its schema`), {
              operation: 'post_office.deliver',
              code: 'CONTRACT_VIOLATION',
            });
            return;
          }
          try {
            await handler({ ...event, payload: parsed.data }, delivery);
          } catch (error) {
            this.auditError(error, { operation: 'post_office.deliver' });
            throw error;
          }
        };
        return event.traceId && isValidTraceId(event.traceId) ? runWithTraceId(event.traceId, deliver) : deliver();
      },
      {
        tenantId,
        ...(options.group !== undefined ? { group: options.group } : {}),
        ...(options.retry ? { retry: options.retry } : {}),
      },
    );
  }

  /** The tenant's events whose handlers failed every attempt, oldest first. */
  deadLetters(tenantId: string, query: Omit<DeadLetterQuery, 'tenantId'> = {}): Promise<DeadLetter[]> {
    return this.deps.eventBus.deadLetters({ ...query, tenantId });
  }

  /** Delivers a dead letter's event again to the subscription that failed it, and removes the letter. */
  replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    return this.deps.eventBus.replayDeadLetter(letter);
  }

  /** Removes a dead letter for good. */
  dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    return this.deps.eventBus.dropDeadLetter(letter);
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
