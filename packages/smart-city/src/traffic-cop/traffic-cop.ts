import { randomUUID } from 'node:crypto';
import {
  defineService,
  defineServiceRef,
  ErrorCode,
  type KeyValueStore,
  KeyValueStoreRef,
  PlatformError,
} from '@platform/foundations';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { parseUserContext, type UserContext } from '../user-context/user-context.js';

/** A fixed-window limit: at most `limit` requests per `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** What the Traffic Cop enforces. */
export interface TrafficCopOptions {
  /** Session lifetime after creation or the last touch. Default 30 minutes. */
  sessionTtlMs?: number;
  /** Limits per user, per tenant and per API (each optional). */
  limits?: { perUser?: RateLimit; perTenant?: RateLimit; perApi?: RateLimit };
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** A session as stored. */
export interface Session {
  sessionId: string;
  userId: string;
  tenantId: string;
  createdAt: number;
  expiresAt: number;
  data: Record<string, string | number | boolean>;
}

/** The outcome of a rate-limit check. */
export interface RateDecision {
  allowed: boolean;
  /** The scope that refused (`user`, `tenant`, `api`), when one did. */
  scope?: 'user' | 'tenant' | 'api';
  /** Requests left in the tightest window. */
  remaining: number;
  /** Milliseconds until the refusing window ends. */
  retryAfterMs?: number;
}

/**
 * Traffic Cop: sessions with a time to live, and fixed-window rate limits per user, per tenant
 * and per API, on the platform's key-value store (so several processes share them when the store
 * is shared).
 */
export class TrafficCop extends SmartCityRoleBase<RoleDeps & { keyValue: KeyValueStore; options: TrafficCopOptions }> {
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
    await this.deps.keyValue.set(user.tenantId, `session:${session.sessionId}`, { ...session }, { ttlMs: this.#ttl() });
    this.logOperation('traffic_cop.session_created', true, { userId: user.userId });
    return session;
  }

  /** The live session, or `undefined` when it expired, ended or belongs to another tenant. */
  async getSession(tenantId: string, sessionId: string): Promise<Session | undefined> {
    return (await this.deps.keyValue.get(tenantId, `session:${sessionId}`)) as Session | undefined;
  }

  /** Extends a live session by its time to live; `undefined` when there is none. */
  async touchSession(tenantId: string, sessionId: string): Promise<Session | undefined> {
    const session = await this.getSession(tenantId, sessionId);
    if (!session) return undefined;
    const touched = { ...session, expiresAt: this.#now() + this.#ttl() };
    await this.deps.keyValue.set(tenantId, `session:${sessionId}`, { ...touched }, { ttlMs: this.#ttl() });
    return touched;
  }

  /** Ends a session; `false` when there was none. */
  async endSession(tenantId: string, sessionId: string): Promise<boolean> {
    return this.deps.keyValue.delete(tenantId, `session:${sessionId}`);
  }

  /** Counts one request against every configured limit and says whether it may pass. */
  async checkRateLimit(userContext: UserContext, api: string): Promise<RateDecision> {
    const user = parseUserContext(userContext);
    const limits = this.deps.options.limits ?? {};
    const scopes: Array<['user' | 'tenant' | 'api', RateLimit | undefined, string]> = [
      ['user', limits.perUser, `user:${user.userId}`],
      ['tenant', limits.perTenant, 'tenant'],
      ['api', limits.perApi, `api:${api}`],
    ];
    let remaining = Number.POSITIVE_INFINITY;
    for (const [scope, limit, subject] of scopes) {
      if (!limit) continue;
      const now = this.#now();
      const window = Math.floor(now / limit.windowMs);
      const count = await this.deps.keyValue.increment(
        user.tenantId,
        `rate:${subject}:${limit.windowMs}:${window}`,
        1,
        {
          ttlMs: limit.windowMs,
        },
      );
      if (count > limit.limit) {
        const retryAfterMs = (window + 1) * limit.windowMs - now;
        this.deps.observability.metrics.incrementCounter('platform.rate_limited', 1, { scope });
        return { allowed: false, scope, remaining: 0, retryAfterMs };
      }
      remaining = Math.min(remaining, limit.limit - count);
    }
    return { allowed: true, remaining: Number.isFinite(remaining) ? remaining : Number.MAX_SAFE_INTEGER };
  }

  /**
   * Like {@link checkRateLimit}, but throws when refused.
   * @throws {PlatformError} `RATE_LIMITED` with `details.retryAfterMs` and the refusing `scope`.
   */
  async enforceRateLimit(userContext: UserContext, api: string): Promise<RateDecision> {
    const decision = await this.checkRateLimit(userContext, api);
    if (!decision.allowed) {
      const seconds = Math.ceil((decision.retryAfterMs ?? 0) / 1000);
      throw new PlatformError(
        ErrorCode.RATE_LIMITED,
        `rate limit per ${decision.scope} reached for '${api}': retry in ${seconds} s`,
        {
          details: { scope: decision.scope, api, retryAfterMs: decision.retryAfterMs },
        },
      );
    }
    return decision;
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
