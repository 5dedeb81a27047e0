import type { Redis } from 'ioredis';
import { PlatformError } from '../../errors/platform-error.js';
import type { DeadLetter, DeadLetterQuery, PlatformEvent } from '../ports/event-bus.js';
import { decode, encode, type Fields, field, messageOf, type StreamEntry } from './redis-streams-codec.js';

/**
 * The dead-letter stream of a {@link RedisStreamsEventBus}: one entry per event that failed
 * `maxAttempts` times, with the consumer group it failed in (a replay goes to that group only).
 */
/** An entry whose handler failed its last attempt: where it is, and what became of it. */
export interface FailedEntry {
  stream: string;
  entryId: string;
  group: string;
  event: PlatformEvent;
  subscription: DeadLetter['subscription'];
  attempts: number;
  error: unknown;
}

export class RedisDeadLetterStream {
  readonly #client: Promise<Redis>;
  readonly #maxLength: number;
  /** The stream's key. */
  readonly key: string;

  constructor(client: Promise<Redis>, key: string, maxLength: number) {
    this.#client = client;
    this.key = key;
    this.#maxLength = maxLength;
  }

  /** Appends a dead letter and acknowledges the failed entry in its group, atomically. */
  async add({ stream, entryId, group, event, subscription, attempts, error }: FailedEntry): Promise<void> {
    const letter = {
      event: encode(event),
      subscription: JSON.stringify(subscription),
      group,
      attempts: String(attempts),
      error: messageOf(error).slice(0, 2000),
      failedAt: new Date().toISOString(),
    };
    await (await this.#client)
      .multi([
        ['xadd', this.key, 'MAXLEN', '~', String(this.#maxLength), '*', ...Object.entries(letter).flat()],
        ['xack', stream, group, entryId],
      ])
      .exec();
  }

  /** Dead letters, oldest first, of one tenant or of all. */
  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    const letters: DeadLetter[] = [];
    let start = '-';
    while (letters.length < limit) {
      const page = (await (await this.#client).call('xrange', this.key, start, '+', 'COUNT', '500')) as StreamEntry[];
      for (const [id, fields] of page) {
        const letter = letterOf(id, fields);
        if (letter && (query.tenantId === undefined || letter.tenantId === query.tenantId)) letters.push(letter);
        if (letters.length >= limit) break;
      }
      if (page.length < 500) break;
      start = `(${page[page.length - 1]?.[0]}`;
    }
    return letters;
  }

  /**
   * The dead letter with this id, and the group it failed in.
   * @throws {PlatformError} `NOT_FOUND` when there is none, or it belongs to another tenant.
   */
  async take(letter: Pick<DeadLetter, 'id' | 'tenantId'>): Promise<{ letter: DeadLetter; group: string }> {
    // A stream id is `<ms>-<seq>`; anything else is no dead letter (not a Redis syntax error).
    if (typeof letter.id !== 'string' || !/^\d+-\d+$/.test(letter.id)) {
      throw new PlatformError('NOT_FOUND', 'no such dead letter', { details: { id: String(letter.id) } });
    }
    const [entry] = (await (await this.#client).call('xrange', this.key, letter.id, letter.id)) as StreamEntry[];
    const found = entry ? letterOf(entry[0], entry[1]) : undefined;
    if (!entry || !found || found.tenantId !== letter.tenantId) {
      throw new PlatformError('NOT_FOUND', 'no such dead letter', { details: { id: letter.id } });
    }
    return { letter: found, group: field(entry[1], 'group') ?? '' };
  }

  /** Deletes a dead letter. */
  async delete(id: string): Promise<void> {
    await (await this.#client).call('xdel', this.key, id);
  }
}

function letterOf(id: string, fields: Fields): DeadLetter | undefined {
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
