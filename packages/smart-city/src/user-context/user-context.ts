import { ErrorCode, PlatformError, parseRecord, TenantIdSchema } from '@platform/foundations';
import { z } from 'zod';

/**
 * Who is calling: the user, their tenant, their session, roles and permissions. Client-track
 * methods require one; internal-track methods run as the platform and take none.
 */
export const UserContextSchema = z
  .object({
    userId: z.string().min(1).max(255),
    tenantId: TenantIdSchema,
    sessionId: z.string().min(1).max(255).optional(),
    roles: z.array(z.string().min(1).max(100)).max(100),
    permissions: z.array(z.string().min(1).max(200)).max(1000),
    traceId: z.string().optional(),
  })
  .strict();
export type UserContext = z.output<typeof UserContextSchema>;

/** Validates a user context (`VALIDATION_FAILED` naming each bad field). */
export function parseUserContext(value: unknown): UserContext {
  return parseRecord(UserContextSchema, value, 'user context');
}

/**
 * Throws `TENANT_ACCESS_DENIED` unless `record` belongs to the user's tenant. The message names
 * neither the other tenant nor the record's content.
 */
export function assertSameTenant(user: UserContext, record: { tenantId: string }, what = 'record'): void {
  if (record.tenantId !== user.tenantId) {
    throw new PlatformError(ErrorCode.TENANT_ACCESS_DENIED, `the ${what} belongs to another tenant`, {
      details: { userId: user.userId, tenantId: user.tenantId },
    });
  }
}
