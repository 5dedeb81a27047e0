import { PlatformError } from '@platform/foundations';
import { z } from 'zod';
import { parseUserContext, type UserContext } from './user-context.js';

declare const verifiedBrand: unique symbol;

/**
 * A user context that something accountable vouched for: the Security Guard after verifying a
 * token (client track), {@link serviceIdentity} for the platform's own processes (internal track),
 * or a host that verified the user itself ({@link trustUserContext}). The type is branded and the
 * value is recorded when made, so a plain object of the right shape is refused at run time and
 * does not compile where a verified one is required: a caller cannot be made by accident.
 * The object is frozen; copies (spread, JSON, `structuredClone`) are not verified.
 */
export type VerifiedUserContext = Readonly<UserContext> & { readonly [verifiedBrand]: true };

/** Who vouched for a verified user context, and on which track it calls. */
export interface CallerOrigin {
  /** `client`: a person or client app; `internal`: the platform's own process (CLI, worker). */
  track: 'client' | 'internal';
  /** What verified it, e.g. `security-guard`, `service:data-mash-cli`, or a host's own name. */
  verifiedBy: string;
}

// One registry for every copy of this package (ESM and CJS builds, or two installs), so a context
// made by one is recognised by the other.
const REGISTRY_KEY = Symbol.for('@platform/smart-city:verified-callers:v1');
const globalRegistry = globalThis as { [REGISTRY_KEY]?: WeakMap<object, CallerOrigin> };
const registry: WeakMap<object, CallerOrigin> = globalRegistry[REGISTRY_KEY] ?? new WeakMap();
globalRegistry[REGISTRY_KEY] = registry;

function freezeContext(context: UserContext): UserContext {
  Object.freeze(context.roles);
  Object.freeze(context.permissions);
  return Object.freeze(context);
}

function mint(value: unknown, origin: CallerOrigin): VerifiedUserContext {
  const context = freezeContext(parseUserContext(value));
  registry.set(context, Object.freeze({ ...origin }));
  return context as VerifiedUserContext;
}

/** True when `value` is a verified user context (made by the Security Guard, a service identity or a host's vouching). */
export function isVerifiedUserContext(value: unknown): value is VerifiedUserContext {
  return typeof value === 'object' && value !== null && registry.has(value);
}

/** Who vouched for a verified user context; `undefined` for anything else. */
export function callerOrigin(value: unknown): CallerOrigin | undefined {
  return typeof value === 'object' && value !== null ? registry.get(value) : undefined;
}

/**
 * Returns `value` when it is a verified user context.
 * @throws {PlatformError} `AUTHENTICATION_FAILED` (`details.reason: 'unverified_user_context'`)
 * for anything else, a well-shaped plain object included: get one from
 * `SecurityGuard.authenticate`, {@link serviceIdentity} or {@link trustUserContext}.
 */
export function requireVerifiedUserContext(value: unknown): VerifiedUserContext {
  if (isVerifiedUserContext(value)) return value;
  throw new PlatformError(
    'AUTHENTICATION_FAILED',
    'authentication failed: the user context was not verified (get it from SecurityGuard.authenticate, serviceIdentity() or trustUserContext())',
    { details: { reason: 'unverified_user_context' } },
  );
}

const ServiceIdentityOptionsSchema = z
  .object({
    service: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/, 'lower-case letters, digits, ".", "_" and "-", up to 100'),
    tenantId: z.string(),
    permissions: z.array(z.string().min(1).max(200)).max(1000).optional(),
    actingFor: z.string().min(1).max(255).optional(),
  })
  .strict();

/** What {@link serviceIdentity} takes. */
export interface ServiceIdentityOptions {
  /** The process acting, e.g. `data-mash-cli`, `data-mash-worker`. Becomes `userId: 'service:<name>'`. */
  service: string;
  /** The tenant it acts in. */
  tenantId: string;
  /** What it may do. Default `['*']`: the platform's own processes are trusted with their tenant. */
  permissions?: readonly string[];
  /**
   * The person it acts for, when there is one (the OS user running the CLI): becomes the
   * `userId` recorded on journeys and audit records. Default `service:<name>`.
   */
  actingFor?: string;
}

/**
 * The identity of one of the platform's own processes (internal track): the CLI, a queue worker,
 * a scheduled job. It acts in one tenant, as `service:<name>`, with the given permissions.
 *
 * @example
 * ```ts
 * const cli = serviceIdentity({ service: 'data-mash-cli', tenantId: 'local' });
 * await flow.executeDataMashFlow({ userContext: cli, file });
 * ```
 * @throws {PlatformError} `VALIDATION_FAILED` for a bad service name or tenant id.
 */
export function serviceIdentity(options: ServiceIdentityOptions): VerifiedUserContext {
  const parsed = ServiceIdentityOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new PlatformError('VALIDATION_FAILED', `service identity: ${parsed.error.issues[0]?.message}`, {
      details: { problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) },
    });
  }
  return mint(
    {
      userId: parsed.data.actingFor ?? `service:${parsed.data.service}`,
      tenantId: parsed.data.tenantId,
      roles: ['service'],
      permissions: [...(parsed.data.permissions ?? ['*'])],
    },
    { track: 'internal', verifiedBy: `service:${parsed.data.service}` },
  );
}

/**
 * Vouches for a user the host verified by its own means (its own session middleware, mTLS, an
 * identity provider the Security Guard does not speak), making a verified user context of it on
 * the client track. The shape is checked; `verifiedBy` names what verified it, for the audit log.
 * Only call this with a user your code authenticated: everything downstream trusts it.
 *
 * @throws {PlatformError} `VALIDATION_FAILED` naming each bad field.
 */
export function trustUserContext(context: UserContext, options: { verifiedBy: string }): VerifiedUserContext {
  if (typeof options?.verifiedBy !== 'string' || options.verifiedBy.trim() === '') {
    throw new PlatformError('VALIDATION_FAILED', 'trustUserContext: name what verified the user in `verifiedBy`', {
      details: { field: 'verifiedBy' },
    });
  }
  if (isVerifiedUserContext(context)) return context;
  return mint(context, { track: 'client', verifiedBy: options.verifiedBy });
}

/** @internal The Security Guard's way in: a context from a verified token. */
export function verifiedByToken(context: UserContext): VerifiedUserContext {
  return mint(context, { track: 'client', verifiedBy: 'security-guard' });
}
