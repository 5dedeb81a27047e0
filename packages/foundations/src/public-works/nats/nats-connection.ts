import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { type PlatformEvent, PlatformEventSchema } from '../ports/event-bus.js';

/** A connection and its JetStream views. */
export interface Clients {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  headers: typeof import('@nats-io/transport-node').headers;
}

/** Header naming the one consumer a replayed dead letter is for. */
export const DELIVER_TO = 'Platform-Deliver-To';
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

/** Loads the NATS client packages, optional peer dependencies, and connects. */
export async function open(servers: string | string[]): Promise<Clients> {
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
  const nc = await transport.connect({ servers }).catch((error: unknown) => {
    // Unreachable or refused: the adapter says so with the servers named, credentials hidden.
    const where = (Array.isArray(servers) ? servers : [servers]).map(hideCredentials).join(', ');
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      `nats: cannot connect to ${where}: ${(error as Error).message ?? String(error)}`,
      { details: { adapter: 'nats' }, cause: error },
    );
  });
  return {
    nc,
    js: jetstreamModule.jetstream(nc),
    jsm: await jetstreamModule.jetstreamManager(nc),
    headers: transport.headers,
  };
}

export function encode(event: PlatformEvent): Uint8Array {
  return encoder.encode(JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() }));
}

export function decode(data: Uint8Array | string): PlatformEvent | undefined {
  try {
    const raw = JSON.parse(typeof data === 'string' ? data : decoder.decode(data)) as Record<string, unknown>;
    const parsed = PlatformEventSchema.safeParse({ ...raw, occurredAt: new Date(String(raw.occurredAt)) });
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

// A tenant id may hold dots, which separate subject tokens; `~` never appears in one.
export const token = (tenantId: string) => tenantId.replaceAll('.', '~');

/** The subject filter of a type pattern: `*` is every type, `content.*` every type under `content.`. */
export function typeFilter(pattern: string): string {
  if (pattern === '*') return '>';
  return pattern.endsWith('.*') ? `${pattern.slice(0, -2)}.>` : pattern;
}

export const nanos = (ms: number) => ms * 1_000_000;

/** Creates a stream unless it exists (or another process creates it meanwhile). */
export async function ensureStream(
  jsm: JetStreamManager,
  name: string,
  subjects: string[],
  maxMessages: number,
): Promise<void> {
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

function hideCredentials(server: string): string {
  return server.replace(/\/\/[^@/]*@/, '//***@');
}
