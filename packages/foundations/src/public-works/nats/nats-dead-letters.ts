import type { MsgRequest } from '@nats-io/jetstream';
import { PlatformError } from '../../errors/platform-error.js';
import type { DeadLetter, DeadLetterQuery, PlatformEvent } from '../ports/event-bus.js';
import { type Clients, decode, decoder, encoder, messageOf, token } from './nats-connection.js';

/**
 * The dead-letter stream of a {@link NatsJetStreamEventBus}: one message per event that failed
 * `maxAttempts` times (subjects `<prefix>_dlq.<tenant>`), with the consumer it failed in (a replay
 * goes to that consumer only). A letter's id is its sequence number in the stream.
 */
export class NatsDeadLetterStream {
  readonly #opening: Promise<Clients>;
  readonly #prefix: string;
  /** The stream's name. */
  readonly name: string;

  constructor(opening: Promise<Clients>, prefix: string, name: string) {
    this.#opening = opening;
    this.#prefix = prefix;
    this.name = name;
  }

  /** Publishes a dead letter (the caller then terminates the message). */
  async add(
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

  /** Dead letters, oldest first, of one tenant or of all. */
  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const { jsm } = await this.#opening;
    const subject = `${this.#prefix}_dlq.${query.tenantId === undefined ? '*' : token(query.tenantId)}`;
    const limit = query.limit ?? 100;
    const letters: DeadLetter[] = [];
    let seq = 1;
    while (letters.length < limit) {
      // The server's "next message on or after `seq` with this subject" request.
      const stored = await jsm.streams.getMessage(this.name, {
        seq,
        next_by_subj: subject,
      } as unknown as MsgRequest);
      if (!stored) break;
      const found = letterOf(stored.seq, stored.data);
      if (found) letters.push(found.letter);
      seq = stored.seq + 1;
    }
    return letters;
  }

  /**
   * The dead letter with this id, and the consumer it failed in.
   * @throws {PlatformError} `NOT_FOUND` when there is none, or it belongs to another tenant.
   */
  async take(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<{ letter: DeadLetter; consumer: string }> {
    const { jsm } = await this.#opening;
    const seq = Number(letter.id);
    const stored = Number.isSafeInteger(seq) && seq > 0 ? await jsm.streams.getMessage(this.name, { seq }) : null;
    const found = stored ? letterOf(stored.seq, stored.data) : undefined;
    if (!found || found.letter.tenantId !== letter.tenantId) {
      throw new PlatformError('NOT_FOUND', 'no such dead letter', { details: { id: letter.id } });
    }
    return found;
  }

  /** Deletes a dead letter. */
  async delete(id: string): Promise<void> {
    const { jsm } = await this.#opening;
    await jsm.streams.deleteMessage(this.name, Number(id));
  }
}

function letterOf(seq: number, data: Uint8Array): { letter: DeadLetter; consumer: string } | undefined {
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
