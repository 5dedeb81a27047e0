import type { UserContext } from '../user-context/user-context.js';

/** What is being done to what. */
export interface AuthorizationRequest {
  user: UserContext;
  /** `<resource>:<verb>`, e.g. `files:read`, `journeys:write`. */
  action: string;
  /**
   * The record acted on, when there is one. Its `tenantId` must be the user's: a resource without
   * a `tenantId` string (e.g. one keyed `tenant_id`) is denied, never assumed to be the user's.
   */
  resource?: { tenantId?: string; [key: string]: unknown };
}

/** An authorization answer and the rule that decided it (for the decision log). */
export interface AuthorizationDecision {
  allowed: boolean;
  /**
   * Stable reason: `tenant_mismatch`, `resource_tenant_unknown`, `permission_granted`,
   * `no_permission`, `policy_error`, or a custom policy's.
   */
  reason: string;
}

/**
 * A pluggable authorization policy, consulted after the tenant check (it never sees a request
 * across tenants). Return a decision to decide, or `undefined` to leave the request to the
 * permission rules.
 */
export type AuthorizationPolicy = (request: AuthorizationRequest) => AuthorizationDecision | undefined;

/** Permissions granted by role, e.g. `{ analyst: ['files:read', 'insights:*'], admin: ['*'] }`. */
export type RolePermissions = Readonly<Record<string, readonly string[]>>;

/** True when `granted` (`files:read`, `files:*`, `*`) covers `action`. */
export function permissionCovers(granted: string, action: string): boolean {
  if (granted === '*' || granted === action) return true;
  return granted.endsWith(':*') && action.startsWith(granted.slice(0, -1));
}

/**
 * The tenant rule every decision starts with: a resource must carry the user's `tenantId`.
 * `undefined` when there is no resource or it is the user's.
 */
export function tenantDecision(request: AuthorizationRequest): AuthorizationDecision | undefined {
  if (request.resource === undefined) return undefined;
  const resourceTenant = request.resource?.tenantId;
  if (typeof resourceTenant !== 'string') return { allowed: false, reason: 'resource_tenant_unknown' };
  if (resourceTenant !== request.user.tenantId) return { allowed: false, reason: 'tenant_mismatch' };
  return undefined;
}

/**
 * The decision of the Security Guard: the tenant rule, then the policy (a throw denies), then
 * {@link defaultDecision}.
 */
export function decideAccess(
  request: AuthorizationRequest,
  options: { policy?: AuthorizationPolicy | undefined; rolePermissions?: RolePermissions | undefined },
): AuthorizationDecision {
  const tenant = tenantDecision(request);
  if (tenant) return tenant;
  if (options.policy) {
    let decided: AuthorizationDecision | undefined;
    try {
      decided = options.policy(request);
    } catch {
      return { allowed: false, reason: 'policy_error' };
    }
    if (decided !== undefined) {
      // Anything but a plain `allowed: true` denies: a policy answering `{ allowed: 'yes' }` grants nothing.
      return decided.allowed === true
        ? { allowed: true, reason: String(decided.reason ?? 'policy') }
        : { allowed: false, reason: String(decided.reason ?? 'policy') };
    }
  }
  return defaultDecision(request, options.rolePermissions ?? {});
}

/**
 * The default decision: a resource that is not of the user's tenant (or names none) is denied;
 * otherwise allowed when one of the user's permissions, or of their roles' permissions, covers
 * the action.
 */
export function defaultDecision(
  request: AuthorizationRequest,
  rolePermissions: RolePermissions,
): AuthorizationDecision {
  const tenant = tenantDecision(request);
  if (tenant) return tenant;
  const granted = [...request.user.permissions, ...request.user.roles.flatMap((role) => rolePermissions[role] ?? [])];
  return granted.some((permission) => permissionCovers(permission, request.action))
    ? { allowed: true, reason: 'permission_granted' }
    : { allowed: false, reason: 'no_permission' };
}
