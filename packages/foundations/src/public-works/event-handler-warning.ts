import type { Delivery, PlatformEvent } from './ports/event-bus.js';

/**
 * What a bus does with a failed handler when its host gave no `onHandlerError`: nothing while the
 * event will be retried (a retry is the point of at-least-once delivery), and one process warning
 * when the last attempt failed and the event went to the dead letters.
 */
export function warnWhenDeadLettered(error: unknown, event: PlatformEvent, delivery: Delivery): void {
  if (delivery.attempt < delivery.maxAttempts) return;
  const reason = error instanceof Error ? error.message : String(error);
  process.emitWarning(
    `event handler for '${event.type}' failed ${delivery.attempt} time(s): the event is dead-lettered (deadLetters() lists it): ${reason}`,
    { code: 'PLATFORM_EVENT_DEAD_LETTERED' },
  );
}
