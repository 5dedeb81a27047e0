import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
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
  matchesEventType,
  type PlatformEvent,
  PlatformEventSchema,
  type RetryPolicy,
  retryDelayMs,
  type SubscribeOptions,
  type Unsubscribe,
} from '../ports/event-bus.js';
import { assertTenantId, parseRecord } from '../ports/tenancy.js';

/** Tuning shared by both ways of building a {@link RedisStreamsEventBus}. */
export interface RedisStreamsEventBusTuning {
  /** Key prefix of the streams, the tenant set and the dead-letter stream. Default `platform:events`. */
  prefix?: string;
  /** Retry defaults of subscriptions that give none. */
  retry?: RetryPolicy;
  /**
   * Idle time (ms) after which another member claims an event a member took and did not
   * acknowledge (it died, or is stuck). Longer than your slowest handler. Default 30 000.
   */
  claimIdleMs?: number;
  /** Approximate length each tenant's stream is trimmed to (`XADD MAXLEN ~`). Default 100 000. */
  maxLength?: number;
  /** Approximate length of the dead-letter stream. Default 10 000. */
  maxDeadLetters?: number;
  /** How long a blocking read waits before looking again (ms); also how often new tenants are noticed. Default 1 000. */
  blockMs?: number;
  /** Told about every failed attempt. Default: a process warning. */
  onHandlerError?: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

/** Options of {@link RedisStreamsEventBus}: a URL (the bus opens and closes its connections) or a client (the caller's). */
export type RedisStreamsEventBusOptions = ({ url: string } | { client: Redis }) & RedisStreamsEventBusTuning;

type Fields = string[];
type StreamEntry = [id: string, fields: Fields];

/** Loads `ioredis`, an optional peer dependency. */
async function loadIoredis(): Promise<typeof Redis> {
  try {
    // A CommonJS package: the class is a named export or hangs off the default one.
    const loaded = (await import('ioredis')) as unknown as { Redis?: typeof Redis; default: { Redis?: typeof Redis } };
    return (loaded.Redis ?? loaded.default.Redis ?? loaded.default) as typeof Redis;
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      'the Redis Streams event bus needs the optional peer dependency ioredis: install it (e.g. pnpm add ioredis)',
      { details: { adapter: 'redis-streams' }, cause: error },
    );
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function encode(event: PlatformEvent): string {
  return JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() });
}

function decode(json: string): PlatformEvent | undefined {
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    const parsed = PlatformEventSchema.safeParse({ ...raw, occurredAt: new Date(String(raw.occurredAt)) });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function field(fields: Fields, name: string): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
}

/**
 * An {@link EventBus} on Redis Streams (Redis 6.2 or later), across processes.
 *
 * Layout: ONE STREAM PER TENANT (`<prefix>:t:<tenant>`), because every Post Office subscription is
 * for one tenant: a subscriber reads only its tenant's stream, a tenant's traffic never passes
 * through another tenant's consumers, and a tenant's events can be trimmed or erased on their own.
 * Subscribers for all tenants follow the set `<prefix>:tenants` (added to atomically with each
 * publish) and join new tenants' streams as they appear. Type patterns are matched by the
 * consumer (events of other types are acknowledged and skipped).
 *
 * Each subscription is a Redis consumer group: a named group is `g:<group>:<pattern>:<tenant|*>`
 * and persists (members compete; events published while none runs wait for the next one); a
 * broadcast subscriber gets a group of its own (`b:<uuid>`), created at the stream's end and
 * destroyed on unsubscribe (one left by a crashed process stays until removed by hand).
 * Delivery: `XREADGROUP`, `XACK` after the handler resolves; a failed event stays pending and is
 * taken again (`XCLAIM`, which counts the delivery) after its backoff; an event pending with a
 * member idle longer than `claimIdleMs` is claimed by another (`XPENDING` + `XCLAIM`); after
 * `maxAttempts` deliveries it goes to the dead-letter stream `<prefix>:dead-letters`.
 *
 * Guarantees: `publish` resolves once Redis has appended the event (`MULTI`/`XADD`), which is as
 * durable as the server's persistence (AOF/RDB) makes it. Each subscription handles one event at a
 * time in stream order, so one publisher's events to one tenant arrive in order at each broadcast
 * subscriber and each group member (a retried event comes after those that followed it). Streams
 * are trimmed to about `maxLength` entries: a group more than that far behind loses the oldest.
 * Blocking reads use one extra connection per subscription.
 */
export class RedisStreamsEventBus implements EventBus {
  /** `redis-streams`. */
  readonly kind = 'redis-streams';
  readonly #opening: Promise<Redis>;
  readonly #ownsClient: boolean;
  readonly #prefix: string;
  readonly #retry: Required<RetryPolicy>;
  readonly #claimIdleMs: number;
  readonly #maxLength: number;
  readonly #maxDeadLetters: number;
  readonly #blockMs: number;
  readonly #onHandlerError: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
  readonly #subscriptions = new Set<RedisSubscription>();
  readonly #knownTenants = new Set<string>();
  #closed = false;

  /**
   * A bus on the Redis at `url` (it opens and closes its own connections) or on the caller's
   * `client` (left open by {@link shutdown}; the bus duplicates it for blocking reads). With a URL,
   * `ioredis` is loaded on first use; a missing package fails that use with `ADAPTER_UNAVAILABLE`.
   */
  constructor(options: RedisStreamsEventBusOptions) {
    const tuning = options;
    if ('client' in options) {
      this.#opening = Promise.resolve(options.client);
      this.#ownsClient = false;
    } else {
      this.#opening = loadIoredis().then((Client) => {
        const client = new Client(options.url, { maxRetriesPerRequest: 3 });
        // Connection errors reach the commands (which reject) and health(); not the process.
        client.on('error', () => {});
        return client;
      });
      this.#ownsClient = true;
    }
    this.#opening.catch(() => {});
    this.#prefix = tuning.prefix ?? 'platform:events';
    this.#retry = { ...DEFAULT_RETRY, ...tuning.retry };
    this.#claimIdleMs = tuning.claimIdleMs ?? 30_000;
    this.#maxLength = tuning.maxLength ?? 100_000;
    this.#maxDeadLetters = tuning.maxDeadLetters ?? 10_000;
    this.#blockMs = tuning.blockMs ?? 1_000;
    this.#onHandlerError =
      tuning.onHandlerError ??
      ((error, event, delivery) =>
        process.emitWarning(
          `event handler for '${event.type}' failed (attempt ${delivery.attempt} of ${delivery.maxAttempts}): ${messageOf(error)}`,
          { code: 'PLATFORM_EVENT_HANDLER_FAILED' },
        ));
  }

  /**
   * Opens a bus and waits for its connection.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when `ioredis` is not installed.
   */
  static async connect(options: RedisStreamsEventBusOptions): Promise<RedisStreamsEventBus> {
    const bus = new RedisStreamsEventBus(options);
    await (await bus.#opening).ping();
    return bus;
  }

  /** The stream of a tenant's events. */
  streamOf(tenantId: string): string {
    return `${this.#prefix}:t:${tenantId}`;
  }

  /** The set of tenants that have a stream. */
  get tenantsKey(): string {
    return `${this.#prefix}:tenants`;
  }

  /** The dead-letter stream. */
  get deadLetterStream(): string {
    return `${this.#prefix}:dead-letters`;
  }

  /** Validates the event and appends it to its tenant's stream; resolves once Redis has it. */
  async publish(event: PlatformEvent): Promise<void> {
    this.#assertOpen();
    const valid = parseRecord(PlatformEventSchema, event, 'event');
    await this.#append(valid);
  }

  async #append(event: PlatformEvent, only?: string): Promise<void> {
    const xadd = [
      'xadd',
      this.streamOf(event.tenantId),
      'MAXLEN',
      '~',
      String(this.#maxLength),
      '*',
      'e',
      encode(event),
    ];
    if (only !== undefined) xadd.push('to', only);
    if (this.#knownTenants.has(event.tenantId)) {
      await (await this.#opening).call(...(xadd as [string, ...string[]]));
      return;
    }
    const results = await (await this.#opening).multi([['sadd', this.tenantsKey, event.tenantId], xadd]).exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
    this.#knownTenants.add(event.tenantId);
  }

  /** See {@link EventBus.subscribe}; `ready` resolves once the consumer group exists. */
  subscribe(type: string, handler: EventHandler, options: SubscribeOptions = {}): Unsubscribe {
    this.#assertOpen();
    parseRecord(EventTypePatternSchema, type, 'event type pattern');
    if (options.tenantId !== undefined) assertTenantId(options.tenantId);
    const subscription = new RedisSubscription(this, type, handler, options, {
      client: this.#opening,
      retry: { ...this.#retry, ...options.retry },
      claimIdleMs: this.#claimIdleMs,
      blockMs: this.#blockMs,
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

  /** @internal Moves a failed event to the dead-letter stream and acknowledges it, atomically. */
  async deadLetter(
    stream: string,
    entryId: string,
    group: string,
    event: PlatformEvent,
    subscription: DeadLetter['subscription'],
    attempts: number,
    error: unknown,
  ): Promise<void> {
    const letter = {
      event: encode(event),
      subscription: JSON.stringify(subscription),
      group,
      attempts: String(attempts),
      error: messageOf(error).slice(0, 2000),
      failedAt: new Date().toISOString(),
    };
    await (await this.#opening)
      .multi([
        [
          'xadd',
          this.deadLetterStream,
          'MAXLEN',
          '~',
          String(this.#maxDeadLetters),
          '*',
          ...Object.entries(letter).flat(),
        ],
        ['xack', stream, group, entryId],
      ])
      .exec();
  }

  /** See {@link EventBus.deadLetters}: read from the dead-letter stream, oldest first. */
  async deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    const letters: DeadLetter[] = [];
    let start = '-';
    while (letters.length < limit) {
      const page = (await (
        await this.#opening
      ).call('xrange', this.deadLetterStream, start, '+', 'COUNT', '500')) as StreamEntry[];
      for (const [id, fields] of page) {
        const letter = this.#letterOf(id, fields);
        if (letter && (query.tenantId === undefined || letter.tenantId === query.tenantId)) letters.push(letter);
        if (letters.length >= limit) break;
      }
      if (page.length < 500) break;
      start = `(${page[page.length - 1]?.[0]}`;
    }
    return letters;
  }

  #letterOf(id: string, fields: Fields): DeadLetter | undefined {
    const event = decode(field(fields, 'event') ?? '');
    if (!event) return undefined;
    return {
      id,
      tenantId: event.tenantId,
      event,
      subscription: JSON.parse(field(fields, 'subscription') ?? '{}') as DeadLetter['subscription'],
      attempts: Number(field(fields, 'attempts')),
      error: field(fields, 'error') ?? '',
      failedAt: new Date(field(fields, 'failedAt') ?? 0),
    };
  }

  async #takeLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<{ letter: DeadLetter; group: string }> {
    const [entry] = (await (
      await this.#opening
    ).call('xrange', this.deadLetterStream, letter.id, letter.id)) as StreamEntry[];
    const found = entry ? this.#letterOf(entry[0], entry[1]) : undefined;
    if (!entry || !found || found.tenantId !== letter.tenantId) {
      throw new PlatformError('NOT_FOUND', 'no such dead letter', { details: { id: letter.id } });
    }
    return { letter: found, group: field(entry[1], 'group') ?? '' };
  }

  /** See {@link EventBus.replayDeadLetter}: appended again to the tenant's stream, for the failed group only. */
  async replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    const { letter: found, group } = await this.#takeLetter(letter);
    await this.#append(found.event, group);
    await (await this.#opening).call('xdel', this.deadLetterStream, letter.id);
  }

  /** See {@link EventBus.dropDeadLetter}. */
  async dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    await this.#takeLetter(letter);
    await (await this.#opening).call('xdel', this.deadLetterStream, letter.id);
  }

  /** Pings Redis. */
  health(): Promise<ServiceHealth> {
    return probeHealth(async () => (await this.#opening).ping());
  }

  /**
   * Stops every subscription (waiting for the handlers in flight; what they had not acknowledged
   * is claimed by other members later), closes their connections, and the bus's own connection
   * when the bus opened it (`url`), not a client the caller passed.
   */
  async shutdown(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.close()));
    this.#subscriptions.clear();
    if (!this.#ownsClient) return;
    const client = await this.#opening.catch(() => undefined);
    await client?.quit().catch(() => client.disconnect());
  }

  #assertOpen(): void {
    if (this.#closed) throw new PlatformError('ADAPTER_UNAVAILABLE', 'the event bus is shut down');
  }
}

interface SubscriptionContext {
  client: Promise<Redis>;
  retry: Required<RetryPolicy>;
  claimIdleMs: number;
  blockMs: number;
  onHandlerError: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

// One subscription: a consumer in a Redis consumer group, on one stream (a tenant) or on all.
class RedisSubscription {
  readonly #bus: RedisStreamsEventBus;
  readonly #pattern: string;
  readonly #handler: EventHandler;
  readonly #options: SubscribeOptions;
  readonly #context: SubscriptionContext;
  readonly #group: string;
  readonly #consumer = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #streams = new Set<string>();
  readonly #inFlight = new Set<string>();
  #reader: Redis | undefined;
  #client!: Redis;
  #starting: Promise<void> | undefined;
  readonly #acks = new Set<Promise<void>>();
  #closed = false;
  #loops: Promise<void>[] = [];
  #queue: Promise<void> = Promise.resolve();
  #lastTenantCheck = 0;

  constructor(
    bus: RedisStreamsEventBus,
    pattern: string,
    handler: EventHandler,
    options: SubscribeOptions,
    context: SubscriptionContext,
  ) {
    this.#bus = bus;
    this.#pattern = pattern;
    this.#handler = handler;
    this.#options = options;
    this.#context = context;
    this.#group =
      options.group === undefined ? `b:${randomUUID()}` : `g:${options.group}:${pattern}:${options.tenantId ?? '*'}`;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    this.#client = await this.#context.client;
    const streams =
      this.#options.tenantId !== undefined
        ? [this.#bus.streamOf(this.#options.tenantId)]
        : ((await this.#client.smembers(this.#bus.tenantsKey)) as string[]).map((tenant) => this.#bus.streamOf(tenant));
    for (const stream of streams) await this.#join(stream, '$');
    this.#lastTenantCheck = Date.now();
    if (this.#closed) return;
    this.#reader = this.#client.duplicate();
    this.#reader.on('error', () => {});
    this.#loops = [this.#readLoop(), this.#reclaimLoop()];
  }

  async #join(stream: string, from: '$' | '0'): Promise<void> {
    try {
      await this.#client.call('xgroup', 'CREATE', stream, this.#group, from, 'MKSTREAM');
    } catch (error) {
      if (!messageOf(error).includes('BUSYGROUP')) throw error;
    }
    this.#streams.add(stream);
  }

  // Subscribers for all tenants join the streams of tenants that appeared since (from their start:
  // all their entries were appended after this subscription looked at the set).
  async #joinNewTenants(): Promise<void> {
    if (this.#options.tenantId !== undefined || Date.now() - this.#lastTenantCheck < this.#context.blockMs) return;
    this.#lastTenantCheck = Date.now();
    const tenants = (await this.#client.smembers(this.#bus.tenantsKey)) as string[];
    for (const tenant of tenants) {
      const stream = this.#bus.streamOf(tenant);
      if (!this.#streams.has(stream)) await this.#join(stream, '0');
    }
  }

  async #readLoop(): Promise<void> {
    while (!this.#closed) {
      try {
        await this.#joinNewTenants();
        const streams = [...this.#streams];
        if (streams.length === 0) {
          await new Promise((resolve) => setTimeout(resolve, this.#context.blockMs));
          continue;
        }
        const reply = (await this.#reader?.call(
          'xreadgroup',
          'GROUP',
          this.#group,
          this.#consumer,
          'COUNT',
          '100',
          'BLOCK',
          String(this.#context.blockMs),
          'STREAMS',
          ...streams,
          ...streams.map(() => '>'),
        )) as Array<[string, StreamEntry[]]> | null;
        for (const [stream, entries] of reply ?? []) {
          for (const [id, fields] of entries) await this.#run(stream, id, fields, 1);
        }
      } catch (error) {
        if (this.#closed) return;
        if (messageOf(error).includes('NOGROUP')) {
          // The stream or the group was deleted under us: make them again.
          for (const stream of [...this.#streams]) await this.#join(stream, '$').catch(() => {});
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  // Retries this member's failed events after their backoff, and claims events that another
  // member took and left unacknowledged for longer than `claimIdleMs`.
  async #reclaimLoop(): Promise<void> {
    const { retry, claimIdleMs } = this.#context;
    const client = this.#client;
    const every = Math.max(10, Math.min(250, retry.initialDelayMs, claimIdleMs / 4));
    const minIdle = Math.min(retry.initialDelayMs, claimIdleMs);
    while (!this.#closed) {
      await new Promise((resolve) => setTimeout(resolve, every));
      for (const stream of [...this.#streams]) {
        if (this.#closed) return;
        try {
          const pending = (await client.call(
            'xpending',
            stream,
            this.#group,
            'IDLE',
            String(minIdle),
            '-',
            '+',
            '100',
          )) as Array<[string, string, number, number]>;
          for (const [id, consumer, idle, deliveries] of pending) {
            if (this.#closed) return;
            const mine = consumer === this.#consumer;
            if (mine ? this.#inFlight.has(id) || idle < retryDelayMs(retry, deliveries) : idle < claimIdleMs) continue;
            const claimed = (await client.call(
              'xclaim',
              stream,
              this.#group,
              this.#consumer,
              String(mine ? 0 : claimIdleMs),
              id,
            )) as Array<StreamEntry | null>;
            const entry = claimed[0];
            if (entry) await this.#run(stream, entry[0], entry[1], deliveries + 1);
          }
        } catch {
          // A missing group is made again by the read loop; other failures are retried next round.
        }
      }
    }
  }

  // Runs the handler on one entry, one at a time per subscription (stream order).
  #run(stream: string, id: string, fields: Fields, attempt: number): Promise<void> {
    const step = this.#queue.then(() => this.#handle(stream, id, fields, attempt));
    this.#queue = step.catch(() => {});
    return this.#queue;
  }

  async #handle(stream: string, id: string, fields: Fields, attempt: number): Promise<void> {
    if (this.#closed) return;
    const { retry, onHandlerError } = this.#context;
    const event = decode(field(fields, 'e') ?? '');
    const only = field(fields, 'to');
    if (
      !event ||
      (only !== undefined && only !== this.#group) ||
      !matchesEventType(this.#pattern, event.type) ||
      (this.#options.tenantId !== undefined && event.tenantId !== this.#options.tenantId)
    ) {
      // Not for this subscription (another type, a replay for another group, or unreadable).
      this.#ack(stream, id);
      return;
    }
    const delivery: Delivery = {
      attempt,
      maxAttempts: retry.maxAttempts,
      ...(this.#options.group !== undefined ? { group: this.#options.group } : {}),
    };
    this.#inFlight.add(id);
    try {
      await this.#handler(event, delivery);
      this.#ack(stream, id);
    } catch (error) {
      onHandlerError(error, event, delivery);
      if (attempt >= retry.maxAttempts) {
        await this.#bus.deadLetter(
          stream,
          id,
          this.#group,
          event,
          {
            type: this.#pattern,
            ...(this.#options.group !== undefined ? { group: this.#options.group } : {}),
            ...(this.#options.tenantId !== undefined ? { tenantId: this.#options.tenantId } : {}),
          },
          attempt,
          error,
        );
      }
      // Otherwise the entry stays pending: the reclaim loop takes it again after its backoff.
    } finally {
      this.#inFlight.delete(id);
    }
  }

  // Acknowledges without waiting for the reply (ioredis pipelines it with what follows); an ack
  // that fails leaves the entry pending, to be delivered again: at least once.
  #ack(stream: string, id: string): void {
    const ack = this.#client.call('xack', stream, this.#group, id).then(
      () => {},
      () => {},
    );
    this.#acks.add(ack);
    void ack.finally(() => this.#acks.delete(ack));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#starting?.catch(() => {});
    // Ends the blocking read at once; the handler in flight finishes first.
    this.#reader?.disconnect();
    await this.#queue;
    await Promise.allSettled(this.#loops);
    await Promise.allSettled([...this.#acks]);
    if (this.#options.group === undefined) {
      // A broadcast subscriber's group is its own: nobody else will read it.
      for (const stream of this.#streams) {
        await this.#client.call('xgroup', 'DESTROY', stream, this.#group).catch(() => {});
      }
    }
  }
}
