export {
  type AuthorizationDecision,
  type AuthorizationPolicy,
  type AuthorizationRequest,
  defaultDecision,
  permissionCovers,
  type RolePermissions,
} from './policy.js';
export { SecurityGuard, type SecurityGuardOptions, SecurityGuardRef, securityGuard } from './security-guard.js';
