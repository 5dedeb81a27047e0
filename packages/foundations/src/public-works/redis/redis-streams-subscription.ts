import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import {
  type Delivery,
  type EventHandler,
  matchesEventType,
  type PlatformEvent,
  type RetryPolicy,
  retryDelayMs,
  type SubscribeOptions,
} from '../ports/event-bus.js';
import { BROADCAST_GROUP_PREFIX, reapOrphanedBroadcastGroups } from './redis-streams-broadcast-groups.js';
import { decode, type Fields, field, messageOf, type StreamEntry } from './redis-streams-codec.js';
import type { FailedEntry } from './redis-streams-dead-letters.js';

/** What a subscription needs of its bus: where the streams are, and where dead letters go. */
export interface RedisSubscriptionHost {
  streamOf(tenantId: string): string;
  readonly tenantsKey: string;
  /** The heartbeat key of a broadcast group: present (with a TTL) while its subscriber lives. */
  aliveKeyOf(group: string): string;
  deadLetter(entry: FailedEntry): Promise<void>;
}

/** A subscription's settings, from the bus's tuning and the subscription's options. */
export interface SubscriptionContext {
  client: Promise<Redis>;
  retry: Required<RetryPolicy>;
  claimIdleMs: number;
  blockMs: number;
  /** TTL (ms) of a broadcast subscriber's heartbeat key, refreshed every third of it. */
  heartbeatTtlMs: number;
  onHandlerError: (error: unknown, event: PlatformEvent, delivery: Delivery) => void;
}

/**
 * One subscription: a consumer in a Redis consumer group, on one stream (a tenant) or on all.
 * A read loop takes new entries (`XREADGROUP`); a reclaim loop retries this member's failed
 * entries after their backoff and claims entries other members left idle (`XPENDING` + `XCLAIM`).
 * A broadcast subscription keeps a heartbeat key (`SET PX`, on a timer of its own, so a slow
 * handler does not stop it) and, when it starts, joins a stream, and then once per heartbeat TTL
 * (one of its streams each time), destroys the broadcast groups whose heartbeat has expired.
 */
export class RedisSubscription {
  readonly #bus: RedisSubscriptionHost;
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
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #beating: Promise<void> = Promise.resolve();
  #beats = 0;

  constructor(
    bus: RedisSubscriptionHost,
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
      options.group === undefined
        ? `${BROADCAST_GROUP_PREFIX}${randomUUID()}`
        : `g:${options.group}:${pattern}:${options.tenantId ?? '*'}`;
  }

  start(): Promise<void> {
    this.#starting ??= this.#start();
    return this.#starting;
  }

  get #broadcast(): boolean {
    return this.#options.group === undefined;
  }

  async #start(): Promise<void> {
    this.#client = await this.#context.client;
    if (this.#broadcast) {
      // The heartbeat exists before the group does, so no other subscriber takes the group for an orphan.
      await this.#beat();
      this.#heartbeat = setInterval(
        () => {
          this.#beating = this.#beating.then(() => this.#tick());
        },
        Math.max(1, Math.floor(this.#context.heartbeatTtlMs / 3)),
      );
      this.#heartbeat.unref();
    }
    try {
      await this.#open();
    } catch (error) {
      clearInterval(this.#heartbeat);
      throw error;
    }
  }

  async #open(): Promise<void> {
    const streams =
      this.#options.tenantId !== undefined
        ? [this.#bus.streamOf(this.#options.tenantId)]
        : ((await this.#client.smembers(this.#bus.tenantsKey)) as string[]).map((tenant) => this.#bus.streamOf(tenant));
    for (const stream of streams) await this.#join(stream, '$');
    if (this.#broadcast) for (const stream of streams) await this.#reap(stream);
    this.#lastTenantCheck = Date.now();
    if (this.#closed) return;
    this.#reader = this.#client.duplicate();
    this.#reader.on('error', () => {});
    this.#loops = [this.#readLoop(), this.#reclaimLoop()];
  }

  #beat(): Promise<unknown> {
    const ttl = String(Math.max(1, Math.round(this.#context.heartbeatTtlMs)));
    return this.#client.set(this.#bus.aliveKeyOf(this.#group), '1', 'PX', ttl);
  }

  // Refreshes the heartbeat; every third beat (once per TTL), checks one of the streams for orphans.
  async #tick(): Promise<void> {
    if (this.#closed) return;
    await this.#beat().catch(() => {});
    this.#beats += 1;
    const streams = [...this.#streams];
    if (this.#beats % 3 !== 0 || streams.length === 0) return;
    await this.#reap(streams[Math.floor(this.#beats / 3) % streams.length] as string);
  }

  #reap(stream: string): Promise<unknown> {
    const aliveKeyOf = (group: string) => this.#bus.aliveKeyOf(group);
    return reapOrphanedBroadcastGroups(this.#client, stream, aliveKeyOf, this.#group).catch(() => []);
  }

  async #join(stream: string, from: '$' | '0'): Promise<void> {
    try {
      await this.#client.call('xgroup', 'CREATE', stream, this.#group, from, 'MKSTREAM');
    } catch (error) {
      if (!messageOf(error).includes('BUSYGROUP')) throw error;
    }
    this.#streams.add(stream);
    if (this.#broadcast && from === '0') await this.#reap(stream);
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
          // The stream or the group was deleted under us: make them again (heartbeat first).
          if (this.#broadcast) await this.#beat().catch(() => {});
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
        await this.#bus.deadLetter({
          stream,
          entryId: id,
          group: this.#group,
          event,
          subscription: {
            type: this.#pattern,
            ...(this.#options.group !== undefined ? { group: this.#options.group } : {}),
            ...(this.#options.tenantId !== undefined ? { tenantId: this.#options.tenantId } : {}),
          },
          attempts: attempt,
          error,
        });
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
    clearInterval(this.#heartbeat);
    await this.#beating;
    if (this.#broadcast && this.#client) {
      // A broadcast subscriber's group is its own: nobody else will read it.
      for (const stream of this.#streams) {
        await this.#client.call('xgroup', 'DESTROY', stream, this.#group).catch(() => {});
      }
      await this.#client.del(this.#bus.aliveKeyOf(this.#group)).catch(() => {});
    }
  }
}
