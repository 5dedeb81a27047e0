import { createHash, randomUUID } from 'node:crypto';
import { PlatformError } from '../../errors/platform-error.js';
import type { ServiceHealth } from '../../kernel/service-definition.js';
import { warnWhenDeadLettered } from '../event-handler-warning.js';
import { probeHealth } from '../health-probe.js';
import {
  DEFAULT_RETRY,
  type DeadLetter,
  type DeadLetterQuery,
  type Delivery,
  type EventBus,
  type EventHandler,
  EventTypePatternSchema,
  type PlatformEvent,
  PlatformEventSchema,
  type RetryPolicy,
  type SubscribeOptions,
  type Unsubscribe,
} from '../ports/event-bus.js';
import { assertTenantId, parseRecord } from '../ports/tenancy.js';
import { type Clients, DELIVER_TO, encode, ensureStream, open, token, typeFilter } from './nats-connection.js';
import { NatsDeadLetterStream } from './nats-dead-letters.js';
import { NatsSubscription } from './nats-subscription.js';

/** Options of {@link NatsJetStreamEventBus}. */
export interface NatsJetStreamEventBusOptions {
  /** NATS server(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** First subject token(s) of the events, and the base of the stream names. Default `platform`. */
  prefix?: string;
  /** Retry defaults of subscriptions that give none. */
  retry?: RetryPolicy;
  /**
   * Time (ms) after which JetStream redelivers an event a consumer took and did not acknowledge
   * (its process died). A handler still running is kept alive (`working()`) meanwhile. Default 30 000.
   */
  ackWaitMs?: number;
  /** Most events the stream keeps (oldest dropped first). Default 1 000 000. */
  maxMessages?: number;
  /** Told about every failed attempt. Default: one process warning when the last attempt failed and the event is dead-lettered. */
  onHandlerError?: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

/**
 * An {@link EventBus} on NATS JetStream, across processes.
 *
 * One stream (`<PREFIX>_EVENTS`) over the subjects `<prefix>.<tenant>.<type>` (a `.` in a tenant
 * id is written `~`); each subscription is a pull consumer filtered on its tenant and type pattern
 * (`<prefix>.acme.content.>`): a DURABLE consumer per group (named from the group, pattern and
 * tenant filter; it outlives its members, which compete), and an EPHEMERAL consumer per broadcast
 * subscriber (deleted on unsubscribe; the server removes one left by a dead process after five
 * idle minutes). Both start at new events. A handler that resolves acks; one that throws naks with
 * the backoff delay; a consumer that dies leaves its events to be redelivered after `ackWaitMs`;
 * after `maxAttempts` deliveries (JetStream's delivery count) the event is published to the
 * dead-letter stream `<PREFIX>_DEAD_LETTERS` (subjects `<prefix>_dlq.<tenant>`) and terminated.
 *
 * Guarantees: `publish` resolves once JetStream has stored the event and acknowledged it (PubAck;
 * the stream's storage is `file`). The event id is the message id, so publishing the same event
 * again within the stream's duplicate window (2 minutes) is a no-op. Each subscription handles one
 * event at a time in stream order: one publisher's events arrive in order at each broadcast
 * subscriber and at each group member (a retried event comes after those that followed it).
 */
export class NatsJetStreamEventBus implements EventBus {
  /** `nats-jetstream`. */
  readonly kind = 'nats-jetstream';
  readonly #opening: Promise<Clients>;
  readonly #prefix: string;
  readonly #stream: string;
  readonly #letterStream: NatsDeadLetterStream;
  readonly #retry: Required<RetryPolicy>;
  readonly #ackWaitMs: number;
  readonly #onHandlerError: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
  readonly #subscriptions = new Set<NatsSubscription>();
  #closed = false;

  /**
   * A bus on the NATS servers given; connects (and creates its two streams when missing) on first
   * use, loading the client packages then: a missing package fails that use with
   * `ADAPTER_UNAVAILABLE`.
   */
  constructor(options: NatsJetStreamEventBusOptions) {
    this.#prefix = options.prefix ?? 'platform';
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(this.#prefix)) {
      throw new PlatformError('VALIDATION_FAILED', 'a NATS event prefix is dotted letters, digits, "_" or "-"');
    }
    const base = this.#prefix.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
    this.#stream = `${base}_EVENTS`;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#ackWaitMs = options.ackWaitMs ?? 30_000;
    this.#onHandlerError = options.onHandlerError ?? warnWhenDeadLettered;
    const maxMessages = options.maxMessages ?? 1_000_000;
    const deadLetterStream = `${base}_DEAD_LETTERS`;
    this.#opening = open(options.servers).then(async (clients) => {
      await ensureStream(clients.jsm, this.#stream, [`${this.#prefix}.>`], maxMessages);
      await ensureStream(clients.jsm, deadLetterStream, [`${this.#prefix}_dlq.>`], 100_000);
      return clients;
    });
    this.#opening.catch(() => {});
    this.#letterStream = new NatsDeadLetterStream(this.#opening, this.#prefix, deadLetterStream);
  }

  /**
   * Opens a bus and waits until it is connected and its streams exist.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the client packages are not installed.
   */
  static async connect(options: NatsJetStreamEventBusOptions): Promise<NatsJetStreamEventBus> {
    const bus = new NatsJetStreamEventBus(options);
    await bus.#opening;
    return bus;
  }

  /** The names of the event stream and of the dead-letter stream. */
  get streams(): { events: string; deadLetters: string } {
    return { events: this.#stream, deadLetters: this.#letterStream.name };
  }

  /** The subject of an event. */
  subjectOf(event: Pick<PlatformEvent, 'tenantId' | 'type'>): string {
    return `${this.#prefix}.${token(event.tenantId)}.${event.type}`;
  }

  /** Validates the event and publishes it; resolves once JetStream has stored it (PubAck). */
  async publish(event: PlatformEvent): Promise<void> {
    this.#assertOpen();
    const valid = parseRecord(PlatformEventSchema, event, 'event');
    const { js } = await this.#opening;
    await js.publish(this.subjectOf(valid), encode(valid), { msgID: valid.id });
  }

  /** See {@link EventBus.subscribe}; `ready` resolves once the consumer exists and is pulling. */
  subscribe(type: string, handler: EventHandler, options: SubscribeOptions = {}): Unsubscribe {
    this.#assertOpen();
    parseRecord(EventTypePatternSchema, type, 'event type pattern');
    if (options.tenantId !== undefined) assertTenantId(options.tenantId);
    const filter = `${this.#prefix}.${options.tenantId === undefined ? '*' : token(options.tenantId)}.${typeFilter(type)}`;
    const name =
      options.group === undefined
        ? `b_${randomUUID()}`
        : `g_${options.group.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)}_${createHash('sha256')
            .update(`${options.group}\u0000${type}\u0000${options.tenantId ?? '*'}`)
            .digest('hex')
            .slice(0, 16)}`;
    const subscription = new NatsSubscription(this, {
      opening: this.#opening,
      stream: this.#stream,
      name,
      filter,
      pattern: type,
      handler,
      options,
      retry: { ...this.#retry, ...options.retry },
      ackWaitMs: this.#ackWaitMs,
      onHandlerError: this.#onHandlerError,
    });
    this.#subscriptions.add(subscription);
    const ready = subscription.start();
    ready.catch(() => {});
    let done: Promise<void> | undefined;
    const unsubscribe = () => {
      done ??= subscription.close().finally(() => this.#subscriptions.delete(subscription));
      return done;
    };
    return Object.assign(unsubscribe, { ready });
  }

  /** @internal Publishes a dead letter (the caller then terminates the message). */
  deadLetter(
    consumer: string,
    event: PlatformEvent,
    subscription: DeadLetter['subscription'],
    attempts: number,
    error: unknown,
  ): Promise<void> {
    return this.#letterStream.add(consumer, event, subscription, attempts, error);
  }

  /** See {@link EventBus.deadLetters}: read from the dead-letter stream, oldest first. */
  deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    return this.#letterStream.list(query);
  }

  /** See {@link EventBus.replayDeadLetter}: published again, marked for the failed consumer only. */
  async replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    const found = await this.#letterStream.take(letter);
    const { js, headers } = await this.#opening;
    const marks = headers();
    marks.set(DELIVER_TO, found.consumer);
    await js.publish(this.subjectOf(found.letter.event), encode(found.letter.event), {
      msgID: `replay:${randomUUID()}`,
      headers: marks,
    });
    await this.#letterStream.delete(letter.id);
  }

  /** See {@link EventBus.dropDeadLetter}. */
  async dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    await this.#letterStream.take(letter);
    await this.#letterStream.delete(letter.id);
  }

  /** Measures a round trip to the server. */
  health(): Promise<ServiceHealth> {
    return probeHealth(async () => (await this.#opening).nc.rtt());
  }

  /**
   * Stops every subscription (waiting for the handlers in flight; what they had not acknowledged
   * is redelivered later), deletes the broadcast consumers, and drains the connection.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.close()));
    this.#subscriptions.clear();
    const clients = await this.#opening.catch(() => undefined);
    if (clients && !clients.nc.isClosed()) await clients.nc.drain().catch(() => clients.nc.close());
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlatformError('ADAPTER_UNAVAILABLE', 'the event bus is shut down');
  }
}
