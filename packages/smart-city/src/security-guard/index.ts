export {
  type AuthorizationDecision,
  type AuthorizationPolicy,
  type AuthorizationRequest,
  decideAccess,
  defaultDecision,
  permissionCovers,
  type RolePermissions,
  tenantDecision,
} from '../authorization/access-policy.js';
export { type ApiKeyEntry, apiKeyEntry, hashApiKey } from './api-keys.js';
export { type DevelopmentIdentity, type DevelopmentUser, developmentIdentity } from './development-identity.js';
export { SecurityGuard, type SecurityGuardOptions, SecurityGuardRef, securityGuard } from './security-guard.js';
