import { type Curator, CuratorRef, type ServiceContext, type ServiceRef } from '@platform/foundations';
import type { FlowGovernanceOptions } from './governance.js';

/** The realm of the data mash services, as named in a realm access table. */
export const DATA_MASH_REALM = 'data-mash';

/**
 * What the data mash realm uses: a host with a realm access table adds this entry to it.
 *
 * @example
 * ```ts
 * createPlatform({ realmAccess: { ...DATA_MASH_REALM_ACCESS, billing: { ports: ['metadataStore'] } } });
 * ```
 */
export const DATA_MASH_REALM_ACCESS = {
  [DATA_MASH_REALM]: {
    ports: ['blobStore', 'metadataStore', 'semanticStore'] as Array<'blobStore' | 'metadataStore' | 'semanticStore'>,
    services: ['smart-city.*', 'data-mash.*', 'curator.registry'],
  },
};

/** Options every data mash service takes. */
export interface PhaseServiceOptions {
  /**
   * Check every Smart City role lookup against the platform's realm access table (which must then
   * grant {@link DATA_MASH_REALM_ACCESS}). Default `false`: the kernel still checks the services'
   * declared dependencies when the platform has a table.
   */
  checkRealmAccess?: boolean;
  /**
   * The governance policies the flow asks before storing parsed content, embedding, indexing,
   * reporting and exporting ({@link FlowGovernanceOptions}). Default: none asked.
   */
  governance?: FlowGovernanceOptions;
}

/** A service's own dependencies plus Curator (for realm checks and service lookups). */
export function realmDeps<D extends Record<string, ServiceRef<unknown>>>(
  _options: PhaseServiceOptions,
  deps: D,
): D & { curator: typeof CuratorRef } {
  return { ...deps, curator: CuratorRef };
}

/** The constructor deps of a realm service: the kernel's context, its own deps, Curator only when realm checks are on. */
export function realmServiceDeps<D extends { curator: Curator }>(
  options: PhaseServiceOptions,
  deps: D,
  context: ServiceContext,
): Omit<D, 'curator'> & ServiceContext & { curator?: Curator } {
  const { curator, ...rest } = deps;
  return { ...context, ...rest, ...(options.checkRealmAccess ? { curator } : {}) };
}
