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
import { parseUserContext, type UserContext } from '../user-context/user-context.js';
import {
  type AuthorizationDecision,
  type AuthorizationPolicy,
  type AuthorizationRequest,
  defaultDecision,
  type RolePermissions,
} from './policy.js';

/** How the Security Guard verifies tokens and decides access. */
export interface SecurityGuardOptions {
  /** Where the signing keys are published (Supabase: `https://<project>.supabase.co/auth/v1/.well-known/jwks.json`). */
  jwksUrl?: string | URL;
  /** Or the key set itself. One of `jwksUrl` and `jwks` is required. */
  jwks?: JSONWebKeySet;
  /** Accepted `iss` values (Supabase: `https://<project>.supabase.co/auth/v1`). */
  issuer: string | string[];
  /** Accepted `aud` values (Supabase: `authenticated`). */
  audience: string | string[];
  /** Accepted signing algorithms. Default: asymmetric ones only (no `none`, no shared secrets). */
  algorithms?: string[];
  /** Seconds of clock skew tolerated on `exp` and `nbf`. Default 5. */
  clockToleranceSec?: number;
  /** Minimum milliseconds between JWKS refetches on an unknown key id (a new key). Default 30 000. */
  jwksCooldownMs?: number;
  /** How long a fetched key set is trusted; retired keys stop working after this. Default 600 000 (10 min). */
  jwksCacheMaxAgeMs?: number;
  /** Where the tenant id is in the claims. Default: `app_metadata.tenant_id` (Supabase). */
  tenantClaim?: (claims: JWTPayload) => unknown;
  /** Permissions granted by role. */
  rolePermissions?: RolePermissions;
  /** A policy consulted before the default rules. */
  policy?: AuthorizationPolicy;
}

const DEFAULT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function authenticationFailed(reason: string, message: string, cause?: unknown): PlatformError {
  return new PlatformError('AUTHENTICATION_FAILED', `authentication failed: ${message}`, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
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
  readonly #keys: Parameters<typeof jwtVerify>[1];

  constructor(deps: RoleDeps & { options: SecurityGuardOptions }) {
    super(deps);
    const { jwksUrl, jwks, jwksCooldownMs, jwksCacheMaxAgeMs } = deps.options;
    if (!jwksUrl && !jwks) throw new TypeError('SecurityGuard: give jwksUrl or jwks');
    this.#keys = jwksUrl
      ? createRemoteJWKSet(new URL(jwksUrl), {
          cooldownDuration: jwksCooldownMs ?? 30_000,
          cacheMaxAge: jwksCacheMaxAgeMs ?? 600_000,
          timeoutDuration: 5000,
        })
      : createLocalJWKSet(jwks as JSONWebKeySet);
  }

  /**
   * Verifies a bearer token (with or without the `Bearer ` prefix) and returns the caller's user
   * context.
   * @throws {PlatformError} `AUTHENTICATION_FAILED` with `details.reason`: `malformed`, `expired`,
   * `invalid_signature`, `unknown_key`, `claim_invalid` or `missing_tenant`.
   */
  async authenticate(token: string): Promise<UserContext> {
    return this.withSpan('security_guard.authenticate', undefined, async () => {
      const raw = typeof token === 'string' ? token.replace(/^Bearer\s+/i, '').trim() : '';
      if (raw.length === 0 || raw.length > 16_384)
        throw authenticationFailed('malformed', 'the token is missing or too long');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(raw, this.#keys, {
          issuer: this.deps.options.issuer,
          audience: this.deps.options.audience,
          algorithms: this.deps.options.algorithms ?? DEFAULT_ALGORITHMS,
          clockTolerance: this.deps.options.clockToleranceSec ?? 5,
          requiredClaims: ['sub', 'exp'],
        }));
      } catch (error) {
        const failure = this.#classify(error);
        this.logOperation('security_guard.authenticate', false, { reason: failure.details.reason });
        throw failure;
      }
      const tenantId = (
        this.deps.options.tenantClaim ??
        ((claims) => (claims.app_metadata as Record<string, unknown> | undefined)?.tenant_id)
      )(payload);
      if (!TenantIdSchema.safeParse(tenantId).success)
        throw authenticationFailed('missing_tenant', 'the token names no valid tenant');
      const appMetadata = (payload.app_metadata ?? {}) as Record<string, unknown>;
      const user = parseUserContext({
        userId: payload.sub,
        tenantId,
        ...(typeof payload.session_id === 'string' ? { sessionId: payload.session_id } : {}),
        roles: [
          ...new Set([...(typeof payload.role === 'string' ? [payload.role] : []), ...stringArray(appMetadata.roles)]),
        ],
        permissions: stringArray(appMetadata.permissions),
      });
      this.logOperation('security_guard.authenticate', true, { userId: user.userId, tenantId: user.tenantId });
      return user;
    });
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

  /** The tenant of a verified token. */
  async resolveTenant(token: string): Promise<string> {
    return (await this.authenticate(token)).tenantId;
  }

  /** Decides an action: the custom policy first, then cross-tenant denial and permissions. */
  authorize(request: AuthorizationRequest): AuthorizationDecision {
    const user = parseUserContext(request.user);
    const decision =
      this.deps.options.policy?.({ ...request, user }) ??
      defaultDecision({ ...request, user }, this.deps.options.rolePermissions ?? {});
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
    if (decision.reason === 'tenant_mismatch') {
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
