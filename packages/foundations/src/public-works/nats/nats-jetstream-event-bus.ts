import { createHash, randomUUID } from 'node:crypto';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg, MsgRequest } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ServiceHealth } from '../../kernel/service-definition.js';
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
  retryDelayMs,
  type SubscribeOptions,
  type Unsubscribe,
} from '../ports/event-bus.js';
import { assertTenantId, parseRecord } from '../ports/tenancy.js';

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
  /** Told about every failed attempt. Default: a process warning. */
  onHandlerError?: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

interface Clients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  headers: typeof import('@nats-io/transport-node').headers;
}

const DELIVER_TO = 'Platform-Deliver-To';
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Loads the NATS client packages, optional peer dependencies, and connects. */
async function open(servers: string | string[]): Promise<Clients> {
  const [transport, jetstreamModule] = await Promise.all([
    import('@nats-io/transport-node'),
    import('@nats-io/jetstream'),
  ]).catch((error: unknown) => {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      'the NATS JetStream event bus needs the optional peer dependencies @nats-io/transport-node and @nats-io/jetstream: install them (e.g. pnpm add @nats-io/transport-node @nats-io/jetstream)',
      { details: { adapter: 'nats-jetstream' }, cause: error },
    );
  });
  const nc = await transport.connect({ servers });
  return {
    nc,
    js: jetstreamModule.jetstream(nc),
    jsm: await jetstreamModule.jetstreamManager(nc),
    headers: transport.headers,
  };
}

function encode(event: PlatformEvent): Uint8Array {
  return encoder.encode(JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() }));
}

function decode(data: Uint8Array | string): PlatformEvent | undefined {
  try {
    const raw = JSON.parse(typeof data === 'string' ? data : decoder.decode(data)) as Record<string, unknown>;
    const parsed = PlatformEventSchema.safeParse({ ...raw, occurredAt: new Date(String(raw.occurredAt)) });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// A tenant id may hold dots, which separate subject tokens; `~` never appears in one.
const token = (tenantId: string) => tenantId.replaceAll('.', '~');

/** The subject filter of a type pattern: `*` is every type, `content.*` every type under `content.`. */
function typeFilter(pattern: string): string {
  if (pattern === '*') return '>';
  return pattern.endsWith('.*') ? `${pattern.slice(0, -2)}.>` : pattern;
}

const nanos = (ms: number) => ms * 1_000_000;

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
  readonly #deadLetterStream: string;
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
    this.#deadLetterStream = `${base}_DEAD_LETTERS`;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#ackWaitMs = options.ackWaitMs ?? 30_000;
    this.#onHandlerError =
      options.onHandlerError ??
      ((error, event, delivery) =>
        process.emitWarning(
          `event handler for '${event.type}' failed (attempt ${delivery.attempt} of ${delivery.maxAttempts}): ${messageOf(error)}`,
          { code: 'PLATFORM_EVENT_HANDLER_FAILED' },
        ));
    const maxMessages = options.maxMessages ?? 1_000_000;
    this.#opening = open(options.servers).then(async (clients) => {
      await this.#ensureStream(clients.jsm, this.#stream, [`${this.#prefix}.>`], maxMessages);
      await this.#ensureStream(clients.jsm, this.#deadLetterStream, [`${this.#prefix}_dlq.>`], 100_000);
      return clients;
    });
    this.#opening.catch(() => {});
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
    return { events: this.#stream, deadLetters: this.#deadLetterStream };
  }

  async #ensureStream(jsm: JetStreamManager, name: string, subjects: string[], maxMessages: number): Promise<void> {
    try {
      await jsm.streams.info(name);
    } catch {
      await jsm.streams
        .add({ name, subjects, max_msgs: maxMessages, storage: 'file' as never, discard: 'old' as never })
        .catch(async (error: unknown) => {
          // Another process created it meanwhile.
          await jsm.streams.info(name).catch(() => Promise.reject(error));
        });
    }
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
  async deadLetter(
    consumer: string,
    event: PlatformEvent,
    subscription: DeadLetter['subscription'],
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const { js } = await this.#opening;
    const letter = {
      event: { ...event, occurredAt: event.occurredAt.toISOString() },
      subscription,
      consumer,
      attempts,
      error: messageOf(error).slice(0, 2000),
      failedAt: new Date().toISOString(),
    };
    await js.publish(`${this.#prefix}_dlq.${token(event.tenantId)}`, encoder.encode(JSON.stringify(letter)));
  }

  #letterOf(seq: number, data: Uint8Array): { letter: DeadLetter; consumer: string } | undefined {
    try {
      const raw = JSON.parse(decoder.decode(data)) as {
        event: unknown;
        subscription: DeadLetter['subscription'];
        consumer: string;
        attempts: number;
        error: string;
        failedAt: string;
      };
      const event = decode(JSON.stringify(raw.event));
      if (!event) return undefined;
      return {
        letter: {
          id: String(seq),
          tenantId: event.tenantId,
          event,
          subscription: raw.subscription,
          attempts: raw.attempts,
          error: raw.error,
          failedAt: new Date(raw.failedAt),
        },
        consumer: raw.consumer,
      };
    } catch {
      return undefined;
    }
  }

  /** See {@link EventBus.deadLetters}: read from the dead-letter stream, oldest first. */
  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const { jsm } = await this.#opening;
    const subject = `${this.#prefix}_dlq.${query.tenantId === undefined ? '*' : token(query.tenantId)}`;
    const limit = query.limit ?? 100;
    const letters: DeadLetter[] = [];
    let seq = 1;
    while (letters.length < limit) {
      // The server's "next message on or after `seq` with this subject" request.
      const stored = await jsm.streams.getMessage(this.#deadLetterStream, {
        seq,
        next_by_subj: subject,
      } as unknown as MsgRequest);
      if (!stored) break;
      const found = this.#letterOf(stored.seq, stored.data);
      if (found) letters.push(found.letter);
      seq = stored.seq + 1;
    }
    return letters;
  }

  async #takeLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<{ letter: DeadLetter; consumer: string }> {
    const { jsm } = await this.#opening;
    const seq = Number(letter.id);
    const stored =
      Number.isSafeInteger(seq) && seq > 0 ? await jsm.streams.getMessage(this.#deadLetterStream, { seq }) : null;
    const found = stored ? this.#letterOf(stored.seq, stored.data) : undefined;
    if (!found || found.letter.tenantId !== letter.tenantId) {
      throw new PlatformError('NOT_FOUND', 'no such dead letter', { details: { id: letter.id } });
    }
    return found;
  }

  /** See {@link EventBus.replayDeadLetter}: published again, marked for the failed consumer only. */
  async replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    const found = await this.#takeLetter(letter);
    const { js, jsm, headers } = await this.#opening;
    const marks = headers();
    marks.set(DELIVER_TO, found.consumer);
    await js.publish(this.subjectOf(found.letter.event), encode(found.letter.event), {
      msgID: `replay:${randomUUID()}`,
      headers: marks,
    });
    await jsm.streams.deleteMessage(this.#deadLetterStream, Number(letter.id));
  }

  /** See {@link EventBus.dropDeadLetter}. */
  async dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    await this.#takeLetter(letter);
    const { jsm } = await this.#opening;
    await jsm.streams.deleteMessage(this.#deadLetterStream, Number(letter.id));
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

interface SubscriptionPlan {
  opening: Promise<Clients>;
  stream: string;
  name: string;
  filter: string;
  pattern: string;
  handler: EventHandler;
  options: SubscribeOptions;
  retry: Required<RetryPolicy>;
  ackWaitMs: number;
  onHandlerError: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

// One subscription: a pull consumer, its messages handled one at a time.
class NatsSubscription {
  readonly #bus: NatsJetStreamEventBus;
  readonly #plan: SubscriptionPlan;
  #messages: ConsumerMessages | undefined;
  #starting: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #closed = false;

  constructor(bus: NatsJetStreamEventBus, plan: SubscriptionPlan) {
    this.#bus = bus;
    this.#plan = plan;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { js, jsm } = await this.#plan.opening;
    const { stream, name, filter, options, ackWaitMs } = this.#plan;
    const broadcast = options.group === undefined;
    const config = {
      ...(broadcast ? { name, inactive_threshold: nanos(5 * 60_000) } : { durable_name: name }),
      ack_policy: 'explicit' as never,
      deliver_policy: 'new' as never,
      filter_subject: filter,
      ack_wait: nanos(ackWaitMs),
      max_deliver: -1,
      max_ack_pending: 1_000,
    };
    try {
      await jsm.consumers.add(stream, config);
    } catch (error) {
      // A group's consumer made by another member (perhaps with other settings) is used as it is.
      if (broadcast) throw error;
      await jsm.consumers.info(stream, name).catch(() => Promise.reject(error));
    }
    if (this.#closed) return;
    const consumer = await js.consumers.get(stream, name);
    this.#messages = await consumer.consume({ max_messages: 100 });
    const messages = this.#messages;
    this.#loop = (async () => {
      for await (const message of messages) {
        if (this.#closed) break;
        await this.#handle(message);
      }
    })().catch(() => {});
  }

  async #handle(message: JsMsg): Promise<void> {
    const { handler, options, retry, onHandlerError, name, pattern } = this.#plan;
    const only = message.headers?.get(DELIVER_TO);
    const event = decode(message.data);
    if (!event || (only && only !== name)) {
      // A replay for another consumer, or unreadable.
      message.ack();
      return;
    }
    const attempt = message.info.deliveryCount;
    const delivery: Delivery = {
      attempt,
      maxAttempts: retry.maxAttempts,
      ...(options.group !== undefined ? { group: options.group } : {}),
    };
    // Tells the server the handler is still at work, so a slow handler is not redelivered.
    const keepAlive = setInterval(() => message.working(), Math.max(100, this.#plan.ackWaitMs / 2));
    try {
      await handler(event, delivery);
      message.ack();
    } catch (error) {
      onHandlerError(error, event, delivery);
      if (attempt >= retry.maxAttempts) {
        try {
          await this.#bus.deadLetter(
            name,
            event,
            {
              type: pattern,
              ...(options.group !== undefined ? { group: options.group } : {}),
              ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
            },
            attempt,
            error,
          );
          message.term('dead-lettered');
        } catch {
          message.nak(retryDelayMs(retry, attempt));
        }
      } else {
        message.nak(retryDelayMs(retry, attempt));
      }
    } finally {
      clearInterval(keepAlive);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting?.catch(() => {});
    this.#messages?.stop();
    await this.#loop;
    if (this.#plan.options.group === undefined && this.#messages) {
      const { jsm, nc } = await this.#plan.opening;
      if (!nc.isClosed()) await jsm.consumers.delete(this.#plan.stream, this.#plan.name).catch(() => {});
    }
  }
}
