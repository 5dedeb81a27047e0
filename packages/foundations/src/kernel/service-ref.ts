/**
 * Tiers in start order. A service may depend on services of its own tier or of lower tiers,
 * never higher: Public Works is the ground everything stands on, realms stand on everything.
 */
export const SERVICE_TIERS = ['public-works', 'curator', 'foundation', 'smart-city', 'realm'] as const;

/** The tier of a service: where it sits in the start order. */
export type ServiceTier = (typeof SERVICE_TIERS)[number];

/** Rank of a tier in {@link SERVICE_TIERS}: 0 starts first. */
export function tierRank(tier: ServiceTier): number {
  return SERVICE_TIERS.indexOf(tier);
}

/**
 * A typed token naming a service. Code that needs a service asks for it by ref; the platform
 * hands back the instance typed as `T`. Create refs once, at module level, and export them.
 */
export interface ServiceRef<T> {
  /** Unique, stable id: dotted lower-case, e.g. `public-works.blob-store`. */
  readonly id: string;
  readonly tier: ServiceTier;
  readonly description?: string;
  /** Carries `T` for type inference only; never set at run time. */
  readonly $type?: T;
}

/** What {@link defineServiceRef} takes. */
export interface ServiceRefOptions {
  id: string;
  tier: ServiceTier;
  description?: string;
}

const REF_ID = /^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/;

/**
 * Defines a typed service ref.
 *
 * @throws {TypeError} when the id is not dotted lower-case or the tier is unknown.
 *
 * @example
 * ```ts
 * export interface Clock { now(): Date }
 * export const ClockRef = defineServiceRef<Clock>({ id: 'foundation.clock', tier: 'foundation' });
 * ```
 */
export function defineServiceRef<T>(options: ServiceRefOptions): ServiceRef<T> {
  if (!REF_ID.test(options.id)) {
    throw new TypeError(
      `service ref id '${options.id}' must be lower-case words joined by '.' or '-', e.g. 'smart-city.content-steward'`,
    );
  }
  if (!SERVICE_TIERS.includes(options.tier)) {
    throw new TypeError(
      `service ref '${options.id}': unknown tier '${options.tier}' (one of ${SERVICE_TIERS.join(', ')})`,
    );
  }
  return Object.freeze({
    id: options.id,
    tier: options.tier,
    ...(options.description ? { description: options.description } : {}),
  });
}
