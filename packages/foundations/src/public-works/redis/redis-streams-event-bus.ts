import type { Redis } from 'ioredis';
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
import { redactConnectionString } from '../postgres/redact.js';
import { encode, loadIoredis } from './redis-streams-codec.js';
import { type FailedEntry, RedisDeadLetterStream } from './redis-streams-dead-letters.js';
import { RedisSubscription } from './redis-streams-subscription.js';

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
  /**
   * How long (ms) a broadcast subscriber's heartbeat key lives unless refreshed (every third of
   * it, while the subscriber runs). A broadcast group whose heartbeat has expired (its process died
   * without unsubscribing) is destroyed by the next broadcast subscriber that starts on its stream,
   * or by a running one's periodic check. Longer than the longest pause of your event loop.
   * Default 10 × `blockMs`, at least 10 000.
   */
  heartbeatTtlMs?: number;
  /** Told about every failed attempt. Default: one process warning when the last attempt failed and the event is dead-lettered. */
  onHandlerError?: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

/** Options of {@link RedisStreamsEventBus}: a URL (the bus opens and closes its connections) or a client (the caller's). */
export type RedisStreamsEventBusOptions = ({ url: string } | { client: Redis }) & RedisStreamsEventBusTuning;

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
 * destroyed on unsubscribe. While it runs, it keeps a heartbeat key `<prefix>:alive:b:<uuid>`
 * with a TTL (`heartbeatTtlMs`); a group left by a crashed process loses its heartbeat and is
 * destroyed (`XINFO GROUPS` + `XGROUP DESTROY`) by the next broadcast subscriber that starts on its
 * stream, or by a running one's check (one stream per TTL). Named groups are never removed.
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
  readonly #letterStream: RedisDeadLetterStream;
  readonly #blockMs: number;
  readonly #heartbeatTtlMs: number;
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
    this.#letterStream = new RedisDeadLetterStream(
      this.#opening,
      `${this.#prefix}:dead-letters`,
      tuning.maxDeadLetters ?? 10_000,
    );
    this.#blockMs = tuning.blockMs ?? 1_000;
    this.#heartbeatTtlMs = tuning.heartbeatTtlMs ?? Math.max(10_000, 10 * this.#blockMs);
    this.#onHandlerError = tuning.onHandlerError ?? warnWhenDeadLettered;
  }

  /**
   * Opens a bus and waits for its connection.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when `ioredis` is not installed or the server
   *   does not answer (naming it, without its password; the connection is closed).
   */
  static async connect(options: RedisStreamsEventBusOptions): Promise<RedisStreamsEventBus> {
    const bus = new RedisStreamsEventBus(options);
    const client = await bus.#opening;
    try {
      await client.ping();
    } catch (error) {
      // Closed here: nothing else holds the bus, and a reconnecting client keeps the process alive.
      if (bus.#ownsClient) client.disconnect();
      const where = 'url' in options ? ` ${redactConnectionString(options.url)}` : '';
      throw new PlatformError('ADAPTER_UNAVAILABLE', `redis: cannot connect to${where}: ${(error as Error).message}`, {
        details: { adapter: 'redis' },
        cause: error,
      });
    }
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

  /** The heartbeat key of a broadcast subscriber's group (`b:<uuid>`), kept while it runs. */
  aliveKeyOf(group: string): string {
    return `${this.#prefix}:alive:${group}`;
  }

  /** The dead-letter stream. */
  get deadLetterStream(): string {
    return this.#letterStream.key;
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
      heartbeatTtlMs: this.#heartbeatTtlMs,
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
  deadLetter(entry: FailedEntry): Promise<void> {
    return this.#letterStream.add(entry);
  }

  /** See {@link EventBus.deadLetters}: read from the dead-letter stream, oldest first. */
  deadLetters(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    return this.#letterStream.list(query);
  }

  /** See {@link EventBus.replayDeadLetter}: appended again to the tenant's stream, for the failed group only. */
  async replayDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    const { letter: found, group } = await this.#letterStream.take(letter);
    await this.#append(found.event, group);
    await this.#letterStream.delete(letter.id);
  }

  /** See {@link EventBus.dropDeadLetter}. */
  async dropDeadLetter(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<void> {
    await this.#letterStream.take(letter);
    await this.#letterStream.delete(letter.id);
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
