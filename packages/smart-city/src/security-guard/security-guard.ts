import { defineService, defineServiceRef, ErrorCode, PlatformError, TenantIdSchema } from '@platform/foundations';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { type AuthorizationDecision, type AuthorizationRequest, decideAccess } from '../authorization/access-policy.js';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { parseUserContext } from '../user-context/user-context.js';
import { isVerifiedUserContext, type VerifiedUserContext, verifiedByToken } from '../user-context/verified.js';
import { ApiKeyRing } from './api-keys.js';
import {
  authenticationFailed,
  configInvalid,
  parseJwksUrl,
  type SecurityGuardOptions,
  stringArray,
} from './security-guard-options.js';

export type { SecurityGuardOptions } from './security-guard-options.js';

// The most verified tokens remembered at once; the oldest is forgotten first.
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

type KeyResolver = JWTVerifyGetKey;

// A token the Security Guard verified: its user, until when it may be served again, and how its
// key was resolved (to ask the key set again, cheaply, whether it still holds that key).
interface VerifiedToken {
  readonly user: VerifiedUserContext;
  readonly expiresAt: number;
  readonly header: Parameters<KeyResolver>[0];
  readonly input: Parameters<KeyResolver>[1];
  readonly key: unknown;
}

const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Security Guard: verifies JWTs against a JWKS (expiry, audience, issuer, signature, key
 * rotation), maps Supabase-style claims to a {@link UserContext}, resolves the tenant, and
 * authorizes actions through a pluggable policy, denying cross-tenant access by default.
 */
export class SecurityGuard extends SmartCityRoleBase<RoleDeps & { options: SecurityGuardOptions }> {
  readonly #keys: KeyResolver | undefined;
  readonly #apiKeys: ApiKeyRing;
  readonly #verified = new Map<string, VerifiedToken>();
  readonly #verifiedTtlMs: number;
  // A key set given inline never changes; a fetched one is refetched by jose (unknown kid, age).
  readonly #keysFetched: boolean;

  constructor(deps: RoleDeps & { options: SecurityGuardOptions }) {
    super(deps);
    const { jwksUrl, jwks, jwksCooldownMs, jwksCacheMaxAgeMs } = deps.options;
    if (!jwksUrl && !jwks && !deps.options.apiKeys?.length) throw configInvalid('give `jwksUrl`, `jwks` or `apiKeys`');
    if ((jwksUrl || jwks) && (!deps.options.issuer || !deps.options.audience))
      throw configInvalid('tokens are verified against an `issuer` and an `audience`: give both');
    this.#apiKeys = new ApiKeyRing(deps.options.apiKeys ?? []);
    const ttl = deps.options.verifiedTokenTtlMs ?? 60_000;
    if (!(Number.isFinite(ttl) && ttl >= 0)) throw configInvalid('verifiedTokenTtlMs must be 0 or more milliseconds');
    this.#verifiedTtlMs = ttl;
    const url = jwksUrl ? parseJwksUrl(jwksUrl, deps.options.allowInsecureJwksUrl === true) : undefined;
    this.#keysFetched = url !== undefined;
    this.#keys = url
      ? createRemoteJWKSet(url, {
          cooldownDuration: jwksCooldownMs ?? 30_000,
          cacheMaxAge: jwksCacheMaxAgeMs ?? 600_000,
          timeoutDuration: 5000,
        })
      : jwks
        ? createLocalJWKSet(jwks)
        : undefined;
  }

  /**
   * Verifies a bearer token (with or without the `Bearer ` prefix) and returns the caller's user
   * context.
   * @throws {PlatformError} `AUTHENTICATION_FAILED` with `details.reason`: `malformed`, `expired`,
   * `invalid_signature`, `unknown_key`, `claim_invalid` (wrong `iss`/`aud`, `iat` in the future,
   * too old or too long-lived, a bad `sub`) or `missing_tenant`.
   */
  async authenticate(token: string): Promise<VerifiedUserContext> {
    return this.withSpan('security_guard.authenticate', undefined, async () => {
      const raw = typeof token === 'string' ? token.replace(/^Bearer\s+/i, '').trim() : '';
      if (raw.length === 0 || raw.length > 16_384)
        throw authenticationFailed('malformed', 'the token is missing or too long');
      const keys = this.#keys;
      if (!keys) throw authenticationFailed('malformed', 'this platform accepts API keys, not tokens');
      let user: VerifiedUserContext;
      let cached = false;
      try {
        const remembered = await this.#remembered(raw, keys);
        if (remembered) {
          user = remembered;
          cached = true;
        } else {
          user = await this.#verify(raw, keys);
        }
      } catch (error) {
        const failure = error instanceof PlatformError ? error : this.#classify(error);
        this.logOperation('security_guard.authenticate', false, { reason: failure.details.reason });
        throw failure;
      }
      this.logOperation('security_guard.authenticate', true, {
        userId: user.userId,
        tenantId: user.tenantId,
        ...(cached ? { cached } : {}),
      });
      return user;
    });
  }

  // Verifies a token in full (signature, claims, times, user) and remembers it when allowed.
  async #verify(raw: string, keys: KeyResolver): Promise<VerifiedUserContext> {
    let resolvedWith: { header: Parameters<KeyResolver>[0]; input: Parameters<KeyResolver>[1] } | undefined;
    const resolver: KeyResolver = (header, input) => {
      resolvedWith = { header, input };
      return keys(header, input);
    };
    const { payload, key } = await jwtVerify(raw, this.#verifiedTtlMs > 0 ? resolver : keys, {
      issuer: this.deps.options.issuer as string | string[],
      audience: this.deps.options.audience as string | string[],
      algorithms: this.deps.options.algorithms ?? DEFAULT_ALGORITHMS,
      clockTolerance: this.deps.options.clockToleranceSec ?? 5,
      requiredClaims: ['sub', 'exp'],
      ...(this.deps.options.maxTokenAgeSec === undefined ? {} : { maxTokenAge: this.deps.options.maxTokenAgeSec }),
    });
    this.#checkTimes(payload);
    const user = this.#userFromClaims(payload);
    if (resolvedWith && key !== undefined) this.#remember(raw, payload, user, { ...resolvedWith, key });
    return user;
  }

  // Remembers a verified token until the earliest of: the cache TTL, its `exp`, and `iat` plus the
  // maximum token age (no clock tolerance: a remembered token never outlives a fresh verification).
  #remember(
    raw: string,
    payload: JWTPayload,
    user: VerifiedUserContext,
    resolved: Pick<VerifiedToken, 'header' | 'input' | 'key'>,
  ): void {
    const now = Date.now();
    let expiresAt = Math.min(now + this.#verifiedTtlMs, (payload.exp as number) * 1000);
    const maxAge = this.deps.options.maxTokenAgeSec;
    if (maxAge !== undefined && typeof payload.iat === 'number') {
      expiresAt = Math.min(expiresAt, (payload.iat + maxAge) * 1000);
    }
    if (!(expiresAt > now)) return;
    this.#verified.delete(raw);
    if (this.#verified.size >= VERIFIED_TOKEN_CACHE_SIZE) {
      const oldest = this.#verified.keys().next();
      if (!oldest.done) this.#verified.delete(oldest.value);
    }
    this.#verified.set(raw, { user, expiresAt, ...resolved });
  }

  // The user of a token verified before, while it may still be served: not expired, and a fetched
  // key set (refetched by jose once older than jwksCacheMaxAgeMs, or for an unknown kid) still
  // resolves its header to the very key that verified it. Anything else forgets it, and the token
  // is verified in full again.
  async #remembered(raw: string, keys: KeyResolver): Promise<VerifiedUserContext | undefined> {
    const entry = this.#verified.get(raw);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.#verified.delete(raw);
      return undefined;
    }
    // An inline key set holds the same keys for the guard's whole life: the key is still there.
    if (!this.#keysFetched) return entry.user;
    let key: unknown;
    try {
      key = await keys(entry.header, entry.input);
    } catch (error) {
      if (this.#verified.get(raw) === entry) this.#verified.delete(raw);
      // Several keys under one kid: jose tries each in a full verification. Any other failure
      // (the key gone, the key set unreachable) is what a full verification would meet too.
      if (error instanceof joseErrors.JWKSMultipleMatchingKeys) return undefined;
      throw error;
    }
    if (key !== entry.key) {
      if (this.#verified.get(raw) === entry) this.#verified.delete(raw);
      return undefined;
    }
    return entry.user;
  }

  #userFromClaims(payload: JWTPayload): VerifiedUserContext {
    const tenantId = (
      this.deps.options.tenantClaim ??
      ((claims) => (claims.app_metadata as Record<string, unknown> | undefined)?.tenant_id)
    )(payload);
    if (!TenantIdSchema.safeParse(tenantId).success)
      throw authenticationFailed('missing_tenant', 'the token names no valid tenant');
    const appMetadata = (payload.app_metadata ?? {}) as Record<string, unknown>;
    const user = this.#userOf({
      userId: payload.sub,
      tenantId,
      ...(typeof payload.session_id === 'string' ? { sessionId: payload.session_id } : {}),
      roles: [
        ...new Set([...(typeof payload.role === 'string' ? [payload.role] : []), ...stringArray(appMetadata.roles)]),
      ],
      permissions: stringArray(appMetadata.permissions),
    });
    return user;
  }

  // A token the signature vouches for can still carry a user id or roles the platform cannot hold:
  // that is the token's fault, so the caller hears AUTHENTICATION_FAILED, not VALIDATION_FAILED.
  #userOf(claims: Record<string, unknown>): VerifiedUserContext {
    try {
      return verifiedByToken(parseUserContext(claims));
    } catch (error) {
      const fields = ((error as PlatformError).details?.problems as string[] | undefined) ?? [];
      throw authenticationFailed(
        'claim_invalid',
        `the token's claims do not make a user (${fields.join('; ')})`,
        error,
      );
    }
  }

  // jose checks `exp`, `nbf` and (with maxTokenAge) the age; a token issued in the future or
  // valid for far longer than any session is refused here.
  #checkTimes(payload: JWTPayload): void {
    const now = Math.floor(Date.now() / 1000);
    const tolerance = this.deps.options.clockToleranceSec ?? 5;
    if (payload.iat !== undefined && payload.iat > now + tolerance) {
      throw authenticationFailed('claim_invalid', "claim 'iat' is in the future");
    }
    const lifetime = this.deps.options.maxTokenLifetimeSec ?? 86_400;
    const issued = payload.iat ?? now;
    if (typeof payload.exp === 'number' && payload.exp - issued > lifetime + tolerance) {
      throw authenticationFailed('claim_invalid', `claim 'exp' is more than ${lifetime} s after the token was issued`);
    }
  }

  #classify(error: unknown): PlatformError {
    if (error instanceof joseErrors.JWTExpired) return authenticationFailed('expired', 'the token has expired', error);
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      return authenticationFailed('claim_invalid', `claim '${error.claim}' is not accepted`, error);
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey)
      return authenticationFailed('unknown_key', 'no published key matches the token', error);
    if (error instanceof joseErrors.JWSSignatureVerificationFailed)
      return authenticationFailed('invalid_signature', 'the signature does not verify', error);
    if (error instanceof joseErrors.JOSEAlgNotAllowed)
      return authenticationFailed('invalid_signature', 'the signing algorithm is not accepted', error);
    // Not a verdict on the token: the key server did not answer (timeout, refused, DNS, a non-200,
    // a body that is no key set). Clients should retry, not drop the token; operators look at the IdP.
    if (
      error instanceof joseErrors.JWKSTimeout ||
      error instanceof joseErrors.JWKSInvalid ||
      (error as { code?: string }).code === 'ERR_JOSE_GENERIC' ||
      !(error instanceof joseErrors.JOSEError)
    ) {
      return new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, 'security guard: the key set could not be fetched', {
        details: { service: 'smart-city.security-guard' },
        cause: error,
      });
    }
    return authenticationFailed('malformed', 'the token is not a valid JWT', error);
  }

  /**
   * Verifies a machine client's API key and returns its user context (`userId: 'api-key:<name>'`,
   * the entry's tenant and permissions).
   * @throws {PlatformError} `AUTHENTICATION_FAILED` (`details.reason: 'unknown_key'` or `malformed`).
   */
  async authenticateApiKey(key: string): Promise<VerifiedUserContext> {
    return this.withSpan('security_guard.authenticate_api_key', undefined, async () => {
      const entry = typeof key === 'string' && key.length <= 512 ? this.#apiKeys.find(key.trim()) : undefined;
      if (!entry) {
        this.logOperation('security_guard.authenticate_api_key', false, { reason: 'unknown_key' });
        throw authenticationFailed('unknown_key', 'the API key is not known');
      }
      const user = this.#userOf({
        userId: `api-key:${entry.name}`,
        tenantId: entry.tenantId,
        roles: [...(entry.roles ?? [])],
        permissions: [...entry.permissions],
      });
      this.logOperation('security_guard.authenticate_api_key', true, { key: entry.name, tenantId: entry.tenantId });
      return user;
    });
  }

  /** The tenant of a verified token. */
  async resolveTenant(token: string): Promise<string> {
    return (await this.authenticate(token)).tenantId;
  }

  /**
   * Decides an action, failing closed: a resource of another tenant, or one whose tenant is not
   * known, is denied first; then the custom policy may deny or allow; then the user's permissions
   * and their roles' decide. A policy that throws denies (`policy_error`).
   */
  authorize(request: AuthorizationRequest): AuthorizationDecision {
    // A verified context was parsed when it was made, and is frozen: it is not parsed again.
    const user = isVerifiedUserContext(request.user) ? request.user : parseUserContext(request.user);
    const decision = decideAccess({ ...request, user }, this.deps.options);
    this.logOperation('security_guard.authorize', decision.allowed, {
      action: request.action,
      reason: decision.reason,
      userId: user.userId,
    });
    return decision;
  }

  /**
   * Like {@link authorize}, but throws when denied.
   * @throws {PlatformError} `TENANT_ACCESS_DENIED` across tenants, `PERMISSION_DENIED` otherwise.
   */
  assertAuthorized(request: AuthorizationRequest): void {
    const decision = this.authorize(request);
    if (decision.allowed) return;
    if (decision.reason === 'tenant_mismatch' || decision.reason === 'resource_tenant_unknown') {
      throw new PlatformError(
        ErrorCode.TENANT_ACCESS_DENIED,
        `'${request.action}' on a resource of another tenant is denied`,
        {
          details: { action: request.action, reason: decision.reason },
        },
      );
    }
    throw new PlatformError('PERMISSION_DENIED', `'${request.action}' is not permitted`, {
      details: { action: request.action, reason: decision.reason },
    });
  }
}

/** The Security Guard role. */
export const SecurityGuardRef = defineServiceRef<SecurityGuard>({
  id: 'smart-city.security-guard',
  tier: 'smart-city',
});

/** Defines the Security Guard service with its options. */
export function securityGuard(options: SecurityGuardOptions) {
  return defineService({
    ref: SecurityGuardRef,
    factory: (_deps, context) => new SecurityGuard({ ...context, options }),
    description: {
      description: 'Authentication (JWT with JWKS), tenant resolution and authorization',
      tags: ['security'],
    },
  });
}
