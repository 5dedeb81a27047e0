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
import { callerOrigin, isVerifiedUserContext } from '../user-context/verified.js';

/** A fixed-window limit: at most `limit` requests per `windowMs`. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

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
  /** The limit of that window (`undefined` when no limit applies). */
  limit?: number;
  /** Milliseconds until that window resets. */
  resetMs?: number;
  /** Milliseconds until the refusing window ends. */
  retryAfterMs?: number;
}

// A verified context was parsed when it was made, and is frozen: it is not parsed again.
function checkedUser(userContext: unknown): UserContext {
  return isVerifiedUserContext(userContext) ? userContext : parseUserContext(userContext);
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

  /**
   * Counts one request against every configured limit and says whether it may pass. `api` names
   * what is called by its template (`GET /files/{fileId}`), never by a concrete path.
   */
  async checkRateLimit(userContext: UserContext, api: string): Promise<RateDecision> {
    const user = checkedUser(userContext);
    const limits = this.deps.options.limits ?? {};
    const scopes: Array<['user' | 'tenant' | 'api', RateLimit | undefined, string]> = [
      ['user', limits.perUser, `user:${user.userId}`],
      ['tenant', limits.perTenant, 'tenant'],
      ['api', limits.perApi, `api:${api}`],
    ];
    let tightest: { remaining: number; limit: number; resetMs: number } | undefined;
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
        return { allowed: false, scope, remaining: 0, limit: limit.limit, resetMs: retryAfterMs, retryAfterMs };
      }
      const left = limit.limit - count;
      if (!tightest || left < tightest.remaining) {
        tightest = { remaining: left, limit: limit.limit, resetMs: (window + 1) * limit.windowMs - now };
      }
    }
    return tightest ? { allowed: true, ...tightest } : { allowed: true, remaining: Number.MAX_SAFE_INTEGER };
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
    const session = await this.touchSession(user.tenantId, user.sessionId);
    if (!session || session.userId !== user.userId) {
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
