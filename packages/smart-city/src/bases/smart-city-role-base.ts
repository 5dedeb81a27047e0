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
import { assertSameTenant, parseUserContext, type UserContext } from '../user-context/user-context.js';

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

  /** Validates the caller's user context (client track). @throws `VALIDATION_FAILED` */
  protected requireUserContext(value: unknown): UserContext {
    return parseUserContext(value);
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
