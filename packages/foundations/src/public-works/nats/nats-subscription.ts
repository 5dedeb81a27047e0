import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import {
  type DeadLetter,
  type Delivery,
  type EventHandler,
  type PlatformEvent,
  type RetryPolicy,
  retryDelayMs,
  type SubscribeOptions,
} from '../ports/event-bus.js';
import { type Clients, DELIVER_TO, decode, nanos } from './nats-connection.js';

/** What a subscription needs of its bus: where dead letters go. */
export interface NatsSubscriptionHost {
  deadLetter(
    consumer: string,
    event: PlatformEvent,
    subscription: DeadLetter['subscription'],
    attempts: number,
    error: unknown,
  ): Promise<void>;
}

/** A subscription's consumer and settings. */
export interface SubscriptionPlan {
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

/** One subscription: a pull consumer, its messages handled one at a time. */
export class NatsSubscription {
  readonly #bus: NatsSubscriptionHost;
  readonly #plan: SubscriptionPlan;
  #messages: ConsumerMessages | undefined;
  #starting: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #closed = false;

  constructor(bus: NatsSubscriptionHost, plan: SubscriptionPlan) {
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
