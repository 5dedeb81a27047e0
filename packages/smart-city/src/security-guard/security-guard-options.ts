import { ErrorCode, PlatformError } from '@platform/foundations';
import type { JSONWebKeySet, JWTPayload } from 'jose';
import type { AuthorizationPolicy, RolePermissions } from '../authorization/access-policy.js';
import type { ApiKeyEntry } from './api-keys.js';

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
  /**
   * How long a verified token is remembered, in milliseconds, so that the same token presented
   * again is not verified (signature, claims) anew: at most this long, never past its `exp` (nor
   * past `iat` + {@link maxTokenAgeSec}), and only while the key set still gives the very key that
   * verified it (so a retired key stops working exactly when it would without the cache, within
   * {@link jwksCacheMaxAgeMs}). Kept by the exact token string; failures are never remembered.
   * Sessions (the Traffic Cop's `enforceSessions`) are still checked on every request. `0` turns
   * it off. Default 60 000 (one minute).
   */
  verifiedTokenTtlMs?: number;
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

export function authenticationFailed(reason: string, message: string, cause?: unknown): PlatformError {
  return new PlatformError('AUTHENTICATION_FAILED', `authentication failed: ${message}`, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

export function configInvalid(message: string): PlatformError {
  return new PlatformError(ErrorCode.CONFIG_INVALID, `security guard: ${message}`, {
    details: { service: 'smart-city.security-guard' },
  });
}

export function parseJwksUrl(value: string | URL, allowInsecure: boolean): URL {
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

export function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
