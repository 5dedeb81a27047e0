import { setTimeout as sleep } from 'node:timers/promises';
import { type KeyValueNamespace, type KeyValueStore, keyValueNamespace } from '@platform/foundations';
import { z } from 'zod';

/**
 * A rate limit: at most `limit` requests per `windowMs`. Enforced as GCRA (the generic cell rate
 * algorithm, a leaky bucket kept as one timestamp): a burst of up to `limit` requests is allowed
 * at once, after which one more is allowed every `windowMs / limit`. Over any `windowMs`, no more
 * than `limit` requests pass (plus the ones whose time the bucket regained meanwhile).
 */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** A limiter's verdict on one request against one limit. */
export interface GcraVerdict {
  allowed: boolean;
  /** Requests that could pass right after this one. */
  remaining: number;
  /** Milliseconds until the bucket is full again (every request of the limit available). */
  resetMs: number;
  /** When refused: milliseconds until one request may pass. */
  retryAfterMs: number;
}

// Float arithmetic on windowMs / limit must not refuse the last request of a burst.
const EPSILON_MS = 1e-6;
// Of many processes racing on one key, each retry lets at least one through; past this many
// lost races in a row, a request is refused (never let through unchecked).
const MAX_ATTEMPTS = 32;

/** Where a limit's state is: its theoretical arrival time (TAT), in the limiter's clock. */
interface Reading {
  key: string;
  limit: RateLimit;
  /** The stored TAT (`undefined` when absent or expired: the bucket is full). */
  tat: number | undefined;
}

/**
 * GCRA over a {@link KeyValueStore}: one number a limit and subject (the TAT), moved forward with
 * `compareAndSet`, so any adapter (memory, SQLite, Postgres, Redis) shares the limit between every
 * process using the same store, without store-specific scripts. The entry expires when the bucket
 * is full again, so idle subjects leave nothing behind.
 */
export class GcraLimiter {
  readonly #state: KeyValueNamespace<number>;
  readonly #now: () => number;

  constructor(store: KeyValueStore, now: () => number = Date.now) {
    this.#state = keyValueNamespace(store, 'rate', z.number().finite());
    this.#now = now;
  }

  /** Reads the state of `limit` for `subject`, consuming nothing. */
  async read(tenantId: string, subject: string, limit: RateLimit): Promise<Reading> {
    const key = `${subject}:${limit.limit}/${limit.windowMs}`;
    return { key, limit, tat: await this.#state.get(tenantId, key) };
  }

  /** The verdict `reading` would give a request now, consuming nothing. */
  judge(reading: Reading): GcraVerdict {
    return verdict(reading.limit, reading.tat, this.#now()).verdict;
  }

  /**
   * Counts one request against the limit read in `reading`: allowed when the bucket has room,
   * written with `compareAndSet` from the value read, and read again and re-judged when another
   * request (of any process) moved it first.
   */
  async take(tenantId: string, reading: Reading): Promise<GcraVerdict> {
    let tat = reading.tat;
    for (let attempt = 1; ; attempt += 1) {
      const now = this.#now();
      const judged = verdict(reading.limit, tat, now);
      if (!judged.verdict.allowed) return judged.verdict;
      const ttlMs = Math.max(1, Math.ceil(judged.nextTat - now));
      if (await this.#state.compareAndSet(tenantId, reading.key, tat, judged.nextTat, { ttlMs })) {
        return judged.verdict;
      }
      if (attempt >= MAX_ATTEMPTS) {
        const emission = reading.limit.windowMs / reading.limit.limit;
        return { allowed: false, remaining: 0, resetMs: Math.ceil(emission), retryAfterMs: Math.ceil(emission) };
      }
      // Lost a race: back off a little (jittered) once contention persists, then read again.
      if (attempt > 2) await sleep(Math.random() * Math.min(attempt, 10));
      tat = await this.#state.get(tenantId, reading.key);
    }
  }
}

function verdict(limit: RateLimit, stored: number | undefined, now: number): { verdict: GcraVerdict; nextTat: number } {
  const emission = limit.windowMs / limit.limit;
  const tat = Math.max(stored ?? now, now);
  const nextTat = tat + emission;
  if (nextTat - now > limit.windowMs + EPSILON_MS) {
    const retryAfterMs = Math.max(1, Math.ceil(nextTat - limit.windowMs - now - EPSILON_MS));
    return { verdict: { allowed: false, remaining: 0, resetMs: Math.ceil(tat - now), retryAfterMs }, nextTat };
  }
  const remaining = Math.max(0, Math.floor((limit.windowMs - (nextTat - now)) / emission + EPSILON_MS));
  return {
    verdict: { allowed: true, remaining, resetMs: Math.ceil(nextTat - now - EPSILON_MS), retryAfterMs: 0 },
    nextTat,
  };
}
