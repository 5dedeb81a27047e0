import type { UserContext } from '../user-context/user-context.js';

/** What is being done to what. */
export interface AuthorizationRequest {
  user: UserContext;
  /** `<resource>:<verb>`, e.g. `files:read`, `journeys:write`. */
  action: string;
  /** The record acted on, when there is one; its tenant is checked. */
  resource?: { tenantId?: string; [key: string]: unknown };
}

/** An authorization answer and the rule that decided it (for the decision log). */
export interface AuthorizationDecision {
  allowed: boolean;
  /** Stable reason: `tenant_mismatch`, `permission_granted`, `no_permission`, or a custom policy's. */
  reason: string;
}

/**
 * A pluggable authorization policy. Return a decision to decide, or `undefined` to leave the
 * request to the default rules (deny across tenants, then role and permission matching).
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
 * The default decision: another tenant's resource is denied; otherwise allowed when one of the
 * user's permissions, or of their roles' permissions, covers the action.
 */
export function defaultDecision(
  request: AuthorizationRequest,
  rolePermissions: RolePermissions,
): AuthorizationDecision {
  const resourceTenant = request.resource?.tenantId;
  if (resourceTenant !== undefined && resourceTenant !== request.user.tenantId)
    return { allowed: false, reason: 'tenant_mismatch' };
  const granted = [...request.user.permissions, ...request.user.roles.flatMap((role) => rolePermissions[role] ?? [])];
  return granted.some((permission) => permissionCovers(permission, request.action))
    ? { allowed: true, reason: 'permission_granted' }
    : { allowed: false, reason: 'no_permission' };
}
