import { z } from 'zod';
import { TenantIdSchema } from './tenancy.js';

/** A platform event: what happened, to which tenant, in which trace. */
export const PlatformEventSchema = z
  .object({
    id: z.string().min(1),
    /** Dotted lower-case type, e.g. `content.file.stored`. */
    type: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'expected a dotted lower-case event type'),
    tenantId: TenantIdSchema,
    traceId: z.string().optional(),
    occurredAt: z.date(),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict();
export type PlatformEvent = z.output<typeof PlatformEventSchema>;

/** Receives events; a handler's failure is reported and does not reach the publisher. */
export type EventHandler = (event: PlatformEvent) => void | Promise<void>;

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Only events of this tenant. */
  tenantId?: string;
}

/** Publishes platform events to subscribers. */
export interface EventBus {
  readonly kind: string;
  /** Validates and delivers `event` to every matching subscriber; resolves when they have all run. */
  publish(event: PlatformEvent): Promise<void>;
  /**
   * Calls `handler` for events of `type` (exact), of a prefix (`content.*`), or of every type
   * (`*`). Returns a function that unsubscribes.
   */
  subscribe(type: string, handler: EventHandler, options?: SubscribeOptions): () => void;
}
