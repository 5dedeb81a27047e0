import { defineService, defineServiceRef, ErrorCode, PlatformError, TenantIdSchema } from '@platform/foundations';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { parseUserContext } from '../user-context/user-context.js';
import { type VerifiedUserContext, verifiedByToken } from '../user-context/verified.js';
import { type ApiKeyEntry, ApiKeyRing } from './api-keys.js';
import {
  type AuthorizationDecision,
  type AuthorizationPolicy,
  type AuthorizationRequest,
  decideAccess,
  type RolePermissions,
} from './policy.js';

/** How the Security Guard verifies tokens and decides access. */
export interface SecurityGuardOptions {
  /**
   * Where the signing keys are published (Supabase: `https://<project>.supabase.co/auth/v1/.well-known/jwks.json`).
   * Must be `https:`, or `http:` on a loopback address (a local `supabase start`), unless
   * {@link allowInsecureJwksUrl} is set.
   */
  jwksUrl?: string | URL;
  /**
   * Or the key set itself (public keys as JSON Web Keys), for keys the host loads from a file or a
   * secret store. One of `jwksUrl` and `jwks` is required.
   */
  jwks?: JSONWebKeySet;
  /**
   * Accept an `http:` `jwksUrl` on any host. Keys fetched in the clear can be swapped by anyone on
   * the path, so this is for tests against a key server on a private test network only. Default
   * `false` (loopback addresses are accepted without it).
   */
  allowInsecureJwksUrl?: boolean;
  /** Accepted `iss` values (Supabase: `https://<project>.supabase.co/auth/v1`). Required with `jwksUrl`/`jwks`. */
  issuer?: string | string[];
  /** Accepted `aud` values (Supabase: `authenticated`). Required with `jwksUrl`/`jwks`. */
  audience?: string | string[];
  /**
   * API keys of machine clients, checked by {@link SecurityGuard.authenticateApiKey} (the HTTP
   * front door reads them from `Authorization: ApiKey <key>` or `X-API-Key`). Only their sha256
   * is kept: make entries with {@link apiKeyEntry}.
   */
  apiKeys?: readonly ApiKeyEntry[];
  /** Accepted signing algorithms. Default: asymmetric ones only (no `none`, no shared secrets). */
  algorithms?: string[];
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. Default 5. */
  clockToleranceSec?: number;
  /**
   * Refuse tokens issued (`iat`) longer ago than this many seconds, whatever their `exp`; tokens
   * without `iat` are then refused too. Default: no limit beyond `exp`.
   */
  maxTokenAgeSec?: number;
  /**
   * Refuse tokens whose `exp` lies further than this many seconds after their `iat` (or after now,
   * without `iat`): a token valid for a century is a leaked credential waiting to happen.
   * Default 86 400 (one day).
   */
  maxTokenLifetimeSec?: number;
  /** Minimum milliseconds between JWKS refetches on an unknown key id (a new key). Default 30 000. */
  jwksCooldownMs?: number;
  /** How long a fetched key set is trusted; retired keys stop working after this. Default 600 000 (10 min). */
  jwksCacheMaxAgeMs?: number;
  /** Where the tenant id is in the claims. Default: `app_metadata.tenant_id` (Supabase). */
  tenantClaim?: (claims: JWTPayload) => unknown;
  /** Permissions granted by role. */
  rolePermissions?: RolePermissions;
  /**
   * A policy consulted after the tenant check and before the permission rules: it may deny, or
   * allow within the caller's tenant, but never allow across tenants. A policy that throws denies.
   */
  policy?: AuthorizationPolicy;
}

const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function authenticationFailed(reason: string, message: string, cause?: unknown): PlatformError {
  return new PlatformError('AUTHENTICATION_FAILED', `authentication failed: ${message}`, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

function configInvalid(message: string): PlatformError {
  return new PlatformError(ErrorCode.CONFIG_INVALID, `security guard: ${message}`, {
    details: { service: 'smart-city.security-guard' },
  });
}

function parseJwksUrl(value: string | URL, allowInsecure: boolean): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw configInvalid(`jwksUrl '${String(value).slice(0, 200)}' is not a URL`);
  }
  // Plain http is safe only where no network lies between: a loopback key server (`supabase start`).
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && (allowInsecure || loopback))) return url;
  throw configInvalid(
    url.protocol === 'http:'
      ? `jwksUrl must be https: keys fetched over http can be replaced in transit (set allowInsecureJwksUrl only for a local test key server)`
      : `jwksUrl must be an https URL, got '${url.protocol}'`,
  );
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Security Guard: verifies JWTs against a JWKS (expiry, audience, issuer, signature, key
 * rotation), maps Supabase-style claims to a {@link UserContext}, resolves the tenant, and
 * authorizes actions through a pluggable policy, denying cross-tenant access by default.
 */
export class SecurityGuard extends SmartCityRoleBase<RoleDeps & { options: SecurityGuardOptions }> {
  readonly #keys: Parameters<typeof jwtVerify>[1] | undefined;
  readonly #apiKeys: ApiKeyRing;

  constructor(deps: RoleDeps & { options: SecurityGuardOptions }) {
    super(deps);
    const { jwksUrl, jwks, jwksCooldownMs, jwksCacheMaxAgeMs } = deps.options;
    if (!jwksUrl && !jwks && !deps.options.apiKeys?.length) throw configInvalid('give `jwksUrl`, `jwks` or `apiKeys`');
    if ((jwksUrl || jwks) && (!deps.options.issuer || !deps.options.audience))
      throw configInvalid('tokens are verified against an `issuer` and an `audience`: give both');
    this.#apiKeys = new ApiKeyRing(deps.options.apiKeys ?? []);
    const url = jwksUrl ? parseJwksUrl(jwksUrl, deps.options.allowInsecureJwksUrl === true) : undefined;
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
      try {
        const { payload } = await jwtVerify(raw, keys, {
          issuer: this.deps.options.issuer as string | string[],
          audience: this.deps.options.audience as string | string[],
          algorithms: this.deps.options.algorithms ?? DEFAULT_ALGORITHMS,
          clockTolerance: this.deps.options.clockToleranceSec ?? 5,
          requiredClaims: ['sub', 'exp'],
          ...(this.deps.options.maxTokenAgeSec === undefined ? {} : { maxTokenAge: this.deps.options.maxTokenAgeSec }),
        });
        this.#checkTimes(payload);
        user = this.#userFromClaims(payload);
      } catch (error) {
        const failure = error instanceof PlatformError ? error : this.#classify(error);
        this.logOperation('security_guard.authenticate', false, { reason: failure.details.reason });
        throw failure;
      }
      this.logOperation('security_guard.authenticate', true, { userId: user.userId, tenantId: user.tenantId });
      return user;
    });
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
    if (error instanceof joseErrors.JWKSTimeout || (error as { code?: string }).code === 'ERR_JOSE_GENERIC') {
      return new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, 'security guard: the key set could not be fetched', {
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
    const user = parseUserContext(request.user);
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
