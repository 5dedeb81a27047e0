import { z } from 'zod';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';

/**
 * A tenant id: 1-128 characters, letters, digits, `_`, `.` and `-`, starting with a letter or
 * digit. Every record carries one and every read and write is scoped by one.
 */
export const TenantIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a tenant id is 1-128 letters, digits, "_", "." or "-"');

// The schema's test, run directly on the hot path (every store call checks a tenant id); the
// schema still answers for anything that is not a valid id, so its message stays the one error.
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Ids of records the platform creates: a prefix and a random UUID, e.g. `file_3b2f…`. */
export const RecordIdSchema = z.string().regex(/^[a-z]+_[0-9a-f-]{36}$/, 'expected an id such as file_<uuid>');

/** Throws `VALIDATION_FAILED` unless `tenantId` is a valid tenant id. */
export function assertTenantId(tenantId: unknown): asserts tenantId is string {
  if (typeof tenantId === 'string' && TENANT_ID.test(tenantId)) return;
  const parsed = TenantIdSchema.safeParse(tenantId);
  if (!parsed.success) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `invalid tenant id: ${parsed.error.issues[0]?.message}`, {
      details: { field: 'tenantId' },
    });
  }
}

/** Parses `value` with `schema`, or throws `VALIDATION_FAILED` naming each field that is wrong. */
export function parseRecord<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
  );
  throw new PlatformError(ErrorCode.VALIDATION_FAILED, `invalid ${what}: ${problems.join('; ')}`, {
    details: { problems },
  });
}

/** A `NOT_FOUND` error for a record of `kind` in a tenant; says nothing about other tenants. */
export function notFound(kind: string, tenantId: string, id: string): PlatformError {
  return new PlatformError(ErrorCode.NOT_FOUND, `${kind} '${id}' not found in tenant '${tenantId}'`, {
    details: { kind, id, tenantId },
  });
}

/** A page of results and, when there are more, the cursor for the next page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Paging options shared by list methods. */
export interface PageOptions {
  /** At most this many items (1-1000, default 100). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
}

/** The limit a list call uses: `limit`, clamped to 1-1000, default 100. */
export function pageLimit(options: PageOptions | undefined): number {
  const limit = options?.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `limit must be a whole number from 1 to 1000, got ${limit}`, {
      details: { field: 'limit' },
    });
  }
  return limit;
}
