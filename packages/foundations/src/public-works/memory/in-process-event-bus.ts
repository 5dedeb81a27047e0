import { randomUUID } from 'node:crypto';
import { PlatformError } from '../../errors/platform-error.js';
import { warnWhenDeadLettered } from '../event-handler-warning.js';
import {
  DEFAULT_RETRY,
  type DeadLetter,
  type DeadLetterQuery,
  type Delivery,
  type EventBus,
  type EventHandler,
  EventTypePatternSchema,
  matchesEventType,
  type PlatformEvent,
  PlatformEventSchema,
  type RetryPolicy,
  retryDelayMs,
  type SubscribeOptions,
  type Unsubscribe,
} from '../ports/event-bus.js';
import { assertTenantId, parseRecord } from '../ports/tenancy.js';

/** Starts a timer; returns the function that cancels it. */
export type ScheduleTimer = (callback: () => void, delayMs: number) => () => void;

/** Options of {@link InProcessEventBus}. */
export interface InProcessEventBusOptions {
  /** Told about every failed attempt; failures never reach the publisher. Default: one process warning when the last attempt failed and the event is dead-lettered. */
  onHandlerError?: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
  /** Retry defaults of subscriptions that give none. */
  retry?: RetryPolicy;
  /** Starts the backoff timers (tests may run them by hand). Default: `setTimeout`. */
  schedule?: ScheduleTimer;
}

interface Member {
  handler: EventHandler;
  inFlight: Set<Promise<void>>;
}

// A group (its members compete) or a broadcast subscriber (a group of one, under its own key).
interface Route {
  key: string;
  pattern: string;
  tenantId: string | undefined;
  group: string | undefined;
  retry: Required<RetryPolicy>;
  members: Member[];
  next: number;
  timers: Set<() => void>;
}

const defaultSchedule: ScheduleTimer = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
};

/** The key of a consumer group: its name, type pattern and tenant filter. */
export function groupKey(group: string, pattern: string, tenantId: string | undefined): string {
  return `${group}\u0000${pattern}\u0000${tenantId ?? '*'}`;
}

/**
 * An {@link EventBus} within one process. Same delivery semantics as the broker adapters (ack by
 * resolving, retries with exponential backoff, dead letters, consumer groups served round-robin,
 * broadcast), but nothing survives the process: pending retries and dead letters are in memory.
 * `publish` resolves once every matching subscription's first attempt has settled; events of one
 * publisher reach a subscriber in publication order (retries excepted).
 */
export class InProcessEventBus implements EventBus {
  /** `in-process`. */
  readonly kind = 'in-process';
  readonly #routes = new Map<string, Route>();
  readonly #deadLetters = new Map<string, { letter: DeadLetter; routeKey: string }>();
  readonly #onHandlerError: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
  readonly #retry: Required<RetryPolicy>;
  readonly #schedule: ScheduleTimer;
  #closed = false;

  /** A bus with the given retry defaults, timer and failure hook. */
  constructor(options: InProcessEventBusOptions = {}) {
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#schedule = options.schedule ?? defaultSchedule;
    this.#onHandlerError = options.onHandlerError ?? warnWhenDeadLettered;
  }

  /** Validates the event and runs each matching subscription's first attempt; see {@link EventBus.publish}. */
  async publish(event: PlatformEvent): Promise<void> {
    this.#assertOpen();
    const valid = parseRecord(PlatformEventSchema, event, 'event');
    const targets = [...this.#routes.values()].filter(
      (route) =>
        matchesEventType(route.pattern, valid.type) &&
        (route.tenantId === undefined || route.tenantId === valid.tenantId),
    );
    await Promise.all(targets.map((route) => this.#attempt(route, valid, 1)));
  }

  /** See {@link EventBus.subscribe}; the subscription is in place when this returns. */
  subscribe(type: string, handler: EventHandler, options: SubscribeOptions = {}): Unsubscribe {
    this.#assertOpen();
    parseRecord(EventTypePatternSchema, type, 'event type pattern');
    if (options.tenantId !== undefined) assertTenantId(options.tenantId);
    const key =
      options.group === undefined ? `broadcast:${randomUUID()}` : groupKey(options.group, type, options.tenantId);
    let route = this.#routes.get(key);
    if (!route) {
      route = {
        key,
        pattern: type,
        tenantId: options.tenantId,
        group: options.group,
        retry: { ...this.#retry, ...options.retry },
        members: [],
        next: 0,
        timers: new Set(),
      };
      this.#routes.set(key, route);
    }
    const member: Member = { handler, inFlight: new Set() };
    route.members.push(member);
    const owner = route;
    let done: Promise<void> | undefined;
    const unsubscribe = () => {
      done ??= (async () => {
        owner.members = owner.members.filter((candidate) => candidate !== member);
        if (owner.members.length === 0) {
          // Nobody is left to retry for: the group's pending retries end with it.
          for (const cancel of owner.timers) cancel();
          owner.timers.clear();
          this.#routes.delete(owner.key);
        }
        await Promise.allSettled([...member.inFlight]);
      })();
      return done;
    };
    return Object.assign(unsubscribe, { ready: Promise.resolve() });
  }

  /** See {@link EventBus.deadLetters}. */
  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    return [...this.#deadLetters.values()]
      .map(({ letter }) => letter)
      .filter((letter) => query.tenantId === undefined || letter.tenantId === query.tenantId)
      .slice(0, query.limit ?? 100)
      .map((letter) => structuredClone(letter));
  }

  /** See {@link EventBus.replayDeadLetter}. */
  async replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    const stored = this.#take(letter);
    const route = this.#routes.get(stored.routeKey);
    if (route) await this.#attempt(route, stored.letter.event, 1);
  }

  /** See {@link EventBus.dropDeadLetter}. */
  async dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    this.#take(letter);
  }

  /** Cancels pending retries, refuses new work, and waits for the handler calls in flight. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    const inFlight: Promise<void>[] = [];
    for (const route of this.#routes.values()) {
      for (const cancel of route.timers) cancel();
      route.timers.clear();
      for (const member of route.members) inFlight.push(...member.inFlight);
    }
    this.#routes.clear();
    await Promise.allSettled(inFlight);
  }

  #take(letter: Pick<DeadLetter, 'id' | 'tenantId'>): { letter: DeadLetter; routeKey: string } {
    const stored = this.#deadLetters.get(letter.id);
    if (!stored || stored.letter.tenantId !== letter.tenantId) {
      throw new PlatformError('NOT_FOUND', 'no such dead letter', { details: { id: letter.id } });
    }
    this.#deadLetters.delete(letter.id);
    return stored;
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlatformError('ADAPTER_UNAVAILABLE', 'the event bus is shut down');
  }

  async #attempt(route: Route, event: PlatformEvent, attempt: number): Promise<void> {
    // Round-robin over the group's members (a broadcast route has one).
    const member = route.members[route.next++ % Math.max(1, route.members.length)];
    if (!member) return;
    const delivery: Delivery = {
      attempt,
      maxAttempts: route.retry.maxAttempts,
      ...(route.group !== undefined ? { group: route.group } : {}),
    };
    const run = (async () => {
      try {
        // Each subscriber gets its own copy: one handler cannot change what another sees.
        await member.handler(structuredClone(event), delivery);
      } catch (error) {
        this.#onHandlerError(error, event, delivery);
        if (attempt >= route.retry.maxAttempts) this.#deadLetter(route, event, attempt, error);
        else this.#retryLater(route, event, attempt);
      }
    })();
    member.inFlight.add(run);
    try {
      await run;
    } finally {
      member.inFlight.delete(run);
    }
  }

  #retryLater(route: Route, event: PlatformEvent, attempt: number): void {
    const cancel = this.#schedule(
      () => {
        route.timers.delete(cancel);
        if (this.#routes.get(route.key) === route) void this.#attempt(route, event, attempt + 1);
      },
      retryDelayMs(route.retry, attempt),
    );
    route.timers.add(cancel);
  }

  #deadLetter(route: Route, event: PlatformEvent, attempts: number, error: unknown): void {
    const letter: DeadLetter = {
      id: `dead_${randomUUID()}`,
      tenantId: event.tenantId,
      event: structuredClone(event),
      subscription: {
        type: route.pattern,
        ...(route.group !== undefined ? { group: route.group } : {}),
        ...(route.tenantId !== undefined ? { tenantId: route.tenantId } : {}),
      },
      attempts,
      error: error instanceof Error ? error.message : String(error),
      failedAt: new Date(),
    };
    this.#deadLetters.set(letter.id, { letter, routeKey: route.key });
  }
}
