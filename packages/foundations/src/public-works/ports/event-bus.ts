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

/** What a handler is told about the delivery it is handling. */
export interface Delivery {
  /** 1 for the first delivery; counts every delivery of this event to this subscription or group. */
  readonly attempt: number;
  /** The attempt after which a failure dead-letters the event. */
  readonly maxAttempts: number;
  /** The consumer group, when the subscription has one. */
  readonly group?: string;
}

/**
 * Receives events. Resolving acknowledges the event; throwing (or rejecting) asks for it again,
 * with exponential backoff, up to the subscription's `maxAttempts`, after which it is
 * dead-lettered. A handler's failure never reaches the publisher. Delivery is at least once: a
 * handler may see the same event (same `id`) again and must tolerate it.
 */
export type EventHandler = (event: PlatformEvent, delivery: Delivery) => void | Promise<void>;

/** How a subscription retries a failing handler: delay `initialDelayMs * 2^(attempt-1)`, capped. */
export interface RetryPolicy {
  /** Deliveries before the event is dead-lettered (the first included). Default 5. */
  maxAttempts?: number;
  /** Delay before the second attempt, in ms. Default 200. */
  initialDelayMs?: number;
  /** Largest delay between attempts, in ms. Default 10 000. */
  maxDelayMs?: number;
}

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Only events of this tenant. */
  tenantId?: string;
  /**
   * A consumer group: subscribers with the same group, type pattern and tenant filter compete,
   * and each event goes to ONE of them (a work queue). Without a group the subscriber gets every
   * matching event published after it subscribed (broadcast). With a broker, a group outlives its
   * members: events published while none runs are delivered when one comes back.
   */
  group?: string;
  /** Retries of a failing handler; the bus's defaults when omitted. */
  retry?: RetryPolicy;
}

/**
 * What {@link EventBus.subscribe} returns: call it to unsubscribe. The returned promise resolves
 * once the handler calls in flight have finished (it never rejects); no new call starts after the
 * call. Callers that do not need to wait may ignore the promise.
 */
export interface Unsubscribe {
  (): Promise<void>;
  /**
   * Resolves once the subscription is in place: events published after that reach it. In process
   * it is already resolved; with a broker the consumer is being created. Rejects when it cannot
   * be (e.g. the broker is unreachable).
   */
  readonly ready: Promise<void>;
}

/** An event whose handler failed `maxAttempts` times, kept for inspection, replay or dropping. */
export interface DeadLetter {
  /** The dead letter's own id (not the event's), unique within the bus. */
  id: string;
  /** The event's tenant. */
  tenantId: string;
  event: PlatformEvent;
  /** The subscription that failed: its type pattern, group (if any) and tenant filter (if any). */
  subscription: { type: string; group?: string; tenantId?: string };
  /** Deliveries made before giving up. */
  attempts: number;
  /** The last failure's message. */
  error: string;
  failedAt: Date;
}

/** Options of {@link EventBus.deadLetters}. */
export interface DeadLetterQuery {
  /** Only this tenant's dead letters. */
  tenantId?: string;
  /** At most this many, oldest first. Default 100. */
  limit?: number;
}

/**
 * Publishes platform events to subscribers, at least once, with acknowledgement, retries, consumer
 * groups and dead letters. Adapters: `InProcessEventBus` (one process), `RedisStreamsEventBus`,
 * `NatsJetStreamEventBus` (across processes).
 */
export interface EventBus {
  /** The adapter's name, e.g. `in-process`, `redis-streams`, `nats-jetstream`. */
  readonly kind: string;
  /**
   * Validates `event` and hands it to the bus. Resolves once the event is ACCEPTED:
   * - in process, once each matching subscription's first attempt has settled (so a caller that
   *   awaits `publish` sees the effects of handlers that succeed at once; retries come later);
   * - with a broker, once the broker has stored it durably (handlers run later, in any process).
   * @throws {PlatformError} `VALIDATION_FAILED` for a malformed event; an adapter error when the
   *   broker refuses it (the event may then not have been stored).
   */
  publish(event: PlatformEvent): Promise<void>;
  /**
   * Calls `handler` for events of `type` (exact), of a prefix (`content.*`, any depth), or of every
   * type (`*`), for one tenant or all, as a group member or as a broadcast subscriber (see
   * {@link SubscribeOptions}). Returns the function that unsubscribes.
   */
  subscribe(type: string, handler: EventHandler, options?: SubscribeOptions): Unsubscribe;
  /** The dead letters, oldest first. */
  deadLetters(query?: DeadLetterQuery): Promise<DeadLetter[]>;
  /**
   * Delivers a dead letter's event again to the subscription (group) that failed it, with a fresh
   * attempt count, and removes the dead letter. A broadcast subscriber that has gone receives nothing.
   */
  replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void>;
  /** Removes a dead letter for good. */
  dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void>;
}

/** The defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY: Readonly<Required<RetryPolicy>> = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 200,
  maxDelayMs: 10_000,
});

/** The delay before attempt `attempt + 1` after attempt `attempt` failed (exponential, capped). */
export function retryDelayMs(policy: Required<RetryPolicy>, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** True when an event of `type` matches a subscription pattern: exact, `prefix.*` (any depth) or `*`. */
export function matchesEventType(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Checks a subscription's type pattern: `*`, a dotted lower-case type, or one followed by `.*`. */
export const EventTypePatternSchema = z
  .string()
  .regex(
    /^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$/,
    'expected an event type, a prefix such as `content.*`, or `*`',
  );
