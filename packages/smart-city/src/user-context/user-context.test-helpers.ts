import type { UserContext } from './user-context.js';
import { trustUserContext, type VerifiedUserContext } from './verified.js';

/**
 * A verified user context for tests, vouched for by `test` (as a host vouches for a user it
 * verified). Give the permissions the test's actions need; `['*']` is for tests that are not
 * about permissions.
 */
export function testUser(
  userId: string,
  tenantId: string,
  overrides: Partial<Omit<UserContext, 'userId' | 'tenantId'>> = {},
): VerifiedUserContext {
  return trustUserContext({ userId, tenantId, roles: [], permissions: ['*'], ...overrides }, { verifiedBy: 'test' });
}
