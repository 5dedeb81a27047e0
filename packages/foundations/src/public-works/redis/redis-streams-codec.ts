import type { Redis } from 'ioredis';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { type PlatformEvent, PlatformEventSchema } from '../ports/event-bus.js';

/** A stream entry's fields, as Redis returns them: name, value, name, value, ... */
export type Fields = string[];
/** One stream entry: its id and its fields. */
export type StreamEntry = [id: string, fields: Fields];

/** Loads `ioredis`, an optional peer dependency. */
export async function loadIoredis(): Promise<typeof Redis> {
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

export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An event as the JSON held in a stream entry's `e` field. */
export function encode(event: PlatformEvent): string {
  return JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() });
}

/** The event in an entry's JSON, or `undefined` when it is not a valid event. */
export function decode(json: string): PlatformEvent | undefined {
  try {
    const raw = JSON.parse(json) as Record<string, unknown>;
    const parsed = PlatformEventSchema.safeParse({ ...raw, occurredAt: new Date(String(raw.occurredAt)) });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The value of one field of an entry. */
export function field(fields: Fields, name: string): string | undefined {
  for (let index = 0; index + 1 < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
}
