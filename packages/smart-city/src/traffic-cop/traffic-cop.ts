import { randomUUID } from 'node:crypto';
import {
  defineService,
  defineServiceRef,
  ErrorCode,
  type KeyValueNamespace,
  type KeyValueStore,
  KeyValueStoreRef,
  keyValueNamespace,
  PlatformError,
} from '@platform/foundations';
import { z } from 'zod';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { parseUserContext, type UserContext } from '../user-context/user-context.js';
import { callerOrigin, isVerifiedUserContext } from '../user-context/verified.js';
import { GcraLimiter, type RateLimit } from './gcra-limiter.js';

export type { RateLimit } from './gcra-limiter.js';

/** What the Traffic Cop enforces. */
export interface TrafficCopOptions {
  /** Session lifetime after creation or the last touch. Default 30 minutes. */
  sessionTtlMs?: number;
  /**
   * Limits per user, per tenant, and per tenant and API (each optional). An API is counted by its
   * route template (`GET /files/{fileId}`), so varying a path parameter does not dodge it.
   */
  limits?: { perUser?: RateLimit; perTenant?: RateLimit; perApi?: RateLimit };
  /**
   * Require a live Traffic Cop session for routed requests of users whose context names one
   * (`sessionId`): an ended or expired session is refused, a live one is extended. Service
   * identities and contexts without `sessionId` are not affected. Default `false`.
   */
  enforceSessions?: boolean;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A session as stored (under `session:<sessionId>` in the tenant's key-value entries). */
export type Session = {
  sessionId: string;
  userId: string;
  tenantId: string;
  createdAt: number;
  expiresAt: number;
  data: Record<string, string | number | boolean>;
};

// Checked on every write and read: a stored session that does not match is CONTRACT_VIOLATION.
const SessionSchema: z.ZodType<Session> = z.object({
  sessionId: z.string().min(1),
  userId: z.string().min(1),
  tenantId: z.string().min(1),
  createdAt: z.number(),
  expiresAt: z.number(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

// How many times touching a session re-reads it after a concurrent touch moved it first.
const TOUCH_ATTEMPTS = 5;

/** The outcome of a rate-limit check. */
export interface RateDecision {
  allowed: boolean;
  /** The scope that refused (`user`, `tenant`, `api`), when one did. */
  scope?: 'user' | 'tenant' | 'api';
  /** Requests that could pass right after this one under the tightest limit. */
  remaining: number;
  /** The limit of that window (`undefined` when no limit applies). */
  limit?: number;
  /** Milliseconds until that limit is whole again (every request of it available). */
  resetMs?: number;
  /** Milliseconds until the refusing limit lets one request pass. */
  retryAfterMs?: number;
}

// A verified context was parsed when it was made, and is frozen: it is not parsed again.
function checkedUser(userContext: unknown): UserContext {
  return isVerifiedUserContext(userContext) ? userContext : parseUserContext(userContext);
}

/**
 * Traffic Cop: sessions with a time to live, and rate limits per user, per tenant and per API, on
 * the platform's key-value store. Both live entirely in the store, so every process using the
 * same store (an SQLite file, Postgres, Redis) shares them: a limit of 100 a minute is 100 a
 * minute across all of them, and a session ended in one process is refused by the others.
 *
 * Rate limits are GCRA (see {@link RateLimit}) moved with `compareAndSet`, which every adapter
 * provides. Sessions are checked against their schema when read: a malformed stored session is
 * `CONTRACT_VIOLATION`, never trusted.
 */
export class TrafficCop extends SmartCityRoleBase<RoleDeps & { keyValue: KeyValueStore; options: TrafficCopOptions }> {
  readonly #sessions: KeyValueNamespace<Session> = keyValueNamespace(this.deps.keyValue, 'session', SessionSchema);
  readonly #limiter = new GcraLimiter(this.deps.keyValue, () => this.#now());

  #now(): number {
    return (this.deps.options.now ?? Date.now)();
  }

  #ttl(): number {
    return this.deps.options.sessionTtlMs ?? 30 * 60_000;
  }

  /** Opens a session for the user; returns it with its id and expiry. */
  async createSession(userContext: unknown, data: Session['data'] = {}): Promise<Session> {
    const user = parseUserContext(userContext);
    const now = this.#now();
    const session: Session = {
      sessionId: randomUUID(),
      userId: user.userId,
      tenantId: user.tenantId,
      createdAt: now,
      expiresAt: now + this.#ttl(),
      data,
    };
    await this.#sessions.set(user.tenantId, session.sessionId, session, { ttlMs: this.#ttl() });
    this.logOperation('traffic_cop.session_created', true, { userId: user.userId });
    return session;
  }

  /**
   * The live session, or `undefined` when it expired, ended or belongs to another tenant.
   * @throws {PlatformError} `CONTRACT_VIOLATION` when the stored session is malformed.
   */
  async getSession(tenantId: string, sessionId: string): Promise<Session | undefined> {
    const session = await this.#sessions.get(tenantId, sessionId);
    // The store's expiry runs on its own clock (Redis: the server's); the session's on ours.
    return session && session.expiresAt > this.#now() && session.tenantId === tenantId ? session : undefined;
  }

  /**
   * Extends a live session by its time to live; `undefined` when there is none. The extension is
   * a `compareAndSet` from the session read, so a session ended meanwhile (by any process) stays
   * ended instead of being written back.
   */
  touchSession(tenantId: string, sessionId: string): Promise<Session | undefined> {
    return this.#touch(tenantId, sessionId);
  }

  // Touches the session only when it is live (and, given `userId`, that user's).
  async #touch(tenantId: string, sessionId: string, userId?: string): Promise<Session | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      const session = await this.getSession(tenantId, sessionId);
      if (!session || (userId !== undefined && session.userId !== userId)) return undefined;
      const touched = { ...session, expiresAt: this.#now() + this.#ttl() };
      if (await this.#sessions.compareAndSet(tenantId, sessionId, session, touched, { ttlMs: this.#ttl() })) {
        return touched;
      }
      // Another request touched it first: it is live and was just extended.
      if (attempt >= TOUCH_ATTEMPTS) return session;
    }
  }

  /** Ends a session; `false` when there was none. */
  async endSession(tenantId: string, sessionId: string): Promise<boolean> {
    return this.#sessions.delete(tenantId, sessionId);
  }

  /**
   * Counts one request against every configured limit and says whether it may pass. `api` names
   * what is called by its template (`GET /files/{fileId}`), never by a concrete path.
   *
   * Every limit is read first; when one refuses, nothing is counted (a refused request does not
   * use up the other limits). Otherwise each limit is taken in turn (user, tenant, API) with
   * `compareAndSet`; when another process fills a later limit in between, the request is refused
   * and the earlier limits keep it counted: a limit is never exceeded, at worst a refused request
   * was counted once.
   */
  async checkRateLimit(userContext: UserContext, api: string): Promise<RateDecision> {
    const user = checkedUser(userContext);
    const limits = this.deps.options.limits ?? {};
    type Scope = [scope: 'user' | 'tenant' | 'api', limit: RateLimit, subject: string];
    const scopes: Scope[] = [];
    if (limits.perUser) scopes.push(['user', limits.perUser, `user:${user.userId}`]);
    if (limits.perTenant) scopes.push(['tenant', limits.perTenant, 'tenant']);
    if (limits.perApi) scopes.push(['api', limits.perApi, `api:${api}`]);
    if (scopes.length === 0) return { allowed: true, remaining: Number.MAX_SAFE_INTEGER };
    const readings = await Promise.all(
      scopes.map(([, limit, subject]) => this.#limiter.read(user.tenantId, subject, limit)),
    );
    for (const [index, [scope, limit]] of scopes.entries()) {
      const verdict = this.#limiter.judge(readings[index] as (typeof readings)[number]);
      if (!verdict.allowed) return this.#refused(scope, limit, verdict);
    }
    let tightest: { remaining: number; limit: number; resetMs: number } | undefined;
    for (const [index, [scope, limit]] of scopes.entries()) {
      const verdict = await this.#limiter.take(user.tenantId, readings[index] as (typeof readings)[number]);
      if (!verdict.allowed) return this.#refused(scope, limit, verdict);
      if (!tightest || verdict.remaining < tightest.remaining) {
        tightest = { remaining: verdict.remaining, limit: limit.limit, resetMs: verdict.resetMs };
      }
    }
    return { allowed: true, ...(tightest as NonNullable<typeof tightest>) };
  }

  #refused(
    scope: 'user' | 'tenant' | 'api',
    limit: RateLimit,
    verdict: { resetMs: number; retryAfterMs: number },
  ): RateDecision {
    this.deps.observability.metrics.incrementCounter('platform.rate_limited', 1, { scope });
    // Retry after: one more request may pass; reset: the whole limit is available again.
    return {
      allowed: false,
      scope,
      remaining: 0,
      limit: limit.limit,
      resetMs: Math.max(verdict.resetMs, verdict.retryAfterMs),
      retryAfterMs: verdict.retryAfterMs,
    };
  }

  /**
   * With `enforceSessions`, checks (and extends) the session a user context names.
   * @throws {PlatformError} `AUTHENTICATION_FAILED` (`details.reason: 'session_expired'`) when
   * the session ended, expired or is another user's.
   */
  async enforceSession(userContext: UserContext): Promise<void> {
    if (!this.deps.options.enforceSessions) return;
    const user = checkedUser(userContext);
    if (user.sessionId === undefined || callerOrigin(userContext)?.track === 'internal') return;
    // Another user's session is refused without extending it.
    const session = await this.#touch(user.tenantId, user.sessionId, user.userId);
    if (!session) {
      throw new PlatformError('AUTHENTICATION_FAILED', 'authentication failed: the session has ended or expired', {
        details: { reason: 'session_expired' },
      });
    }
  }

  /**
   * Like {@link checkRateLimit}, but throws when refused.
   * @throws {PlatformError} `RATE_LIMITED` with `details.retryAfterMs` and the refusing `scope`.
   */
  async enforceRateLimit(userContext: UserContext, api: string): Promise<RateDecision> {
    const decision = await this.checkRateLimit(userContext, api);
    if (!decision.allowed) throw this.refusal(decision, api);
    return decision;
  }

  /** The `RATE_LIMITED` error of a refused decision (`details`: scope, api, retryAfterMs, limit). */
  refusal(decision: RateDecision, api: string): PlatformError {
    const seconds = Math.ceil((decision.retryAfterMs ?? 0) / 1000);
    return new PlatformError(
      ErrorCode.RATE_LIMITED,
      `rate limit per ${decision.scope} reached for '${api}': retry in ${seconds} s`,
      {
        details: { scope: decision.scope, api, retryAfterMs: decision.retryAfterMs, limit: decision.limit },
      },
    );
  }
}

/** The Traffic Cop role. */
export const TrafficCopRef = defineServiceRef<TrafficCop>({ id: 'smart-city.traffic-cop', tier: 'smart-city' });

/** Defines the Traffic Cop service, on the platform's key-value store. */
export function trafficCop(options: TrafficCopOptions = {}) {
  return defineService({
    ref: TrafficCopRef,
    deps: { keyValue: KeyValueStoreRef },
    factory: ({ keyValue }, context) => new TrafficCop({ ...context, keyValue, options }),
    description: { description: 'Sessions with TTL and rate limits', tags: ['traffic'] },
  });
}
