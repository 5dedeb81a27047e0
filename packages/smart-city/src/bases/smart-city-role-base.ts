import type { Attributes } from '@opentelemetry/api';
import {
  ErrorCode,
  PlatformError,
  type ServiceContext,
  type ServiceHealth,
  type ServiceLifecycle,
  type ServiceRef,
} from '@platform/foundations';
import type { ErrorAuditContext, ErrorAuditRecord, Observability, SpanFunction } from '@platform/observability';
import type { AuthorizationDecision, AuthorizationRequest } from '../authorization/access-policy.js';
import { decideAccess } from '../authorization/access-policy.js';
import { assertSameTenant, type UserContext } from '../user-context/user-context.js';
import { requireVerifiedUserContext, type VerifiedUserContext } from '../user-context/verified.js';

// Looked up by id, not by SecurityGuardRef, so that the bases do not import the role.
const SECURITY_GUARD = { id: 'smart-city.security-guard', tier: 'smart-city' } as ServiceRef<{
  authorize(request: AuthorizationRequest): AuthorizationDecision;
}>;

/** What every role's constructor takes (the kernel's service context has all of it). */
export interface RoleDeps {
  observability: Observability;
  locate: ServiceContext['locate'];
}

/**
 * The base of Smart City roles: telemetry, spans, health metrics, error audit, calls to other
 * roles through the City Manager (`getSmartCityApi`), and the user-context and tenant guards.
 * It takes one typed deps object; pass the kernel's service context plus the role's own deps.
 *
 * @example
 * ```ts
 * class Librarian extends SmartCityRoleBase<RoleDeps & { semantic: SemanticStore }> { ... }
 * defineService({ ref: LibrarianRef, deps: { semantic: SemanticStoreRef },
 *   factory: (deps, context) => new Librarian({ ...context, ...deps }) });
 * ```
 */
export abstract class SmartCityRoleBase<D extends RoleDeps = RoleDeps> implements ServiceLifecycle {
  protected readonly deps: D;

  constructor(deps: D) {
    this.deps = deps;
  }

  /** The role's name: its service id. */
  get roleName(): string {
    return this.deps.observability.service;
  }

  /** Logs one operation as a telemetry event with the active trace id. */
  protected logOperation(operation: string, success: boolean, details?: Record<string, unknown>): void {
    this.deps.observability.logOperation({ operation, success, ...(details ? { details } : {}) });
  }

  /** Runs `fn` in a span of this role (see `withSpan` in @platform/observability). */
  protected withSpan<T>(name: string, attributes: Attributes | undefined, fn: SpanFunction<T>): T {
    return this.deps.observability.withSpan(name, attributes, fn);
  }

  /** Records a gauge value (queue depth, cache size, ...) for this role. */
  protected recordHealthMetric(name: string, value: number, attributes?: Attributes): void {
    this.deps.observability.metrics.recordHealthMetric(name, value, attributes);
  }

  /** Records an error with its trace id and code; the caller still throws or returns it. */
  protected auditError(error: unknown, context?: ErrorAuditContext): ErrorAuditRecord {
    return this.deps.observability.auditError(error, context);
  }

  /**
   * Another Smart City role, by ref, looked up when called.
   * @throws {PlatformError} `VALIDATION_FAILED` for a ref outside the Smart City tier;
   * `SERVICE_UNAVAILABLE` when the role is not running.
   */
  protected getSmartCityApi<T>(ref: ServiceRef<T>): T {
    if (ref.tier !== 'smart-city') {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `getSmartCityApi takes Smart City refs; '${ref.id}' is ${ref.tier}`,
        {
          details: { ref: ref.id },
        },
      );
    }
    return this.deps.locate(ref);
  }

  /**
   * The caller, when it is a verified user context (from the Security Guard, a service identity,
   * or a host's `trustUserContext`).
   * @throws {PlatformError} `AUTHENTICATION_FAILED` (`unverified_user_context`) for anything else.
   */
  protected requireUserContext(value: unknown): VerifiedUserContext {
    return requireVerifiedUserContext(value);
  }

  /**
   * Checks that `user` may do `action` (`files:write`, `journeys:read`, ...) on `resource`: through
   * the Security Guard when the platform has one (its role permissions and policy), else on the
   * user's own permissions. Fails closed: a Security Guard that is configured but not running
   * denies everything (`SERVICE_UNAVAILABLE`) rather than being skipped.
   * @throws {PlatformError} `TENANT_ACCESS_DENIED` for another tenant's resource (or one naming no
   * tenant), `PERMISSION_DENIED` otherwise.
   */
  protected requirePermission(user: UserContext, action: string, resource?: AuthorizationRequest['resource']): void {
    const request: AuthorizationRequest = { user, action, ...(resource === undefined ? {} : { resource }) };
    let decision: AuthorizationDecision;
    try {
      decision = this.deps.locate(SECURITY_GUARD).authorize(request);
    } catch (error) {
      if (!(error instanceof PlatformError) || error.code !== ErrorCode.NOT_FOUND) throw error;
      decision = decideAccess(request, {});
    }
    if (decision.allowed) return;
    const acrossTenants = decision.reason === 'tenant_mismatch' || decision.reason === 'resource_tenant_unknown';
    throw new PlatformError(
      acrossTenants ? ErrorCode.TENANT_ACCESS_DENIED : 'PERMISSION_DENIED',
      acrossTenants ? `'${action}' on a resource of another tenant is denied` : `'${action}' is not permitted`,
      { details: { action, reason: decision.reason, userId: user.userId } },
    );
  }

  /** @throws `TENANT_ACCESS_DENIED` when `record` is not of the user's tenant. */
  protected guardTenant(user: UserContext, record: { tenantId: string }, what?: string): void {
    assertSameTenant(user, record, what);
  }

  /** Healthy unless a role says otherwise. */
  health(): ServiceHealth | Promise<ServiceHealth> {
    return { status: 'healthy' };
  }
}
