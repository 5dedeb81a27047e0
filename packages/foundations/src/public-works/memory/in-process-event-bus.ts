import {
  type EventBus,
  type EventHandler,
  type PlatformEvent,
  PlatformEventSchema,
  type SubscribeOptions,
} from '../ports/event-bus.js';
import { assertTenantId, parseRecord } from '../ports/tenancy.js';

interface Subscription {
  pattern: string;
  handler: EventHandler;
  tenantId: string | undefined;
}

/** Options of {@link InProcessEventBus}. */
export interface InProcessEventBusOptions {
  /** Told about every handler failure; handlers' failures never reach the publisher. Default: a process warning. */
  onHandlerError?: (error: unknown, event: PlatformEvent) => void;
}

function matches(pattern: string, type: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** An {@link EventBus} within one process: delivery to subscribers in the same process only. */
export class InProcessEventBus implements EventBus {
  readonly kind = 'in-process';
  readonly #subscriptions = new Set<Subscription>();
  readonly #onHandlerError: (error: unknown, event: PlatformEvent) => void;

  constructor(options: InProcessEventBusOptions = {}) {
    this.#onHandlerError =
      options.onHandlerError ??
      ((error, event) =>
        process.emitWarning(
          `event handler for '${event.type}' failed: ${error instanceof Error ? error.message : String(error)}`,
          {
            code: 'PLATFORM_EVENT_HANDLER_FAILED',
          },
        ));
  }

  async publish(event: PlatformEvent): Promise<void> {
    const valid = parseRecord(PlatformEventSchema, event, 'event');
    const targets = [...this.#subscriptions].filter(
      (subscription) =>
        matches(subscription.pattern, valid.type) &&
        (subscription.tenantId === undefined || subscription.tenantId === valid.tenantId),
    );
    await Promise.all(
      targets.map(async (subscription) => {
        try {
          // Each subscriber gets its own copy: one handler cannot change what another sees.
          await subscription.handler(structuredClone(valid));
        } catch (error) {
          this.#onHandlerError(error, valid);
        }
      }),
    );
  }

  subscribe(type: string, handler: EventHandler, options: SubscribeOptions = {}): () => void {
    if (options.tenantId !== undefined) assertTenantId(options.tenantId);
    const subscription: Subscription = { pattern: type, handler, tenantId: options.tenantId };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }
}
