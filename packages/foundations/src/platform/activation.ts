import type { PublicWorksPort, RealmAccess } from '../curator/realm-access.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { ServiceRef } from '../kernel/service-ref.js';
import type { ServicePlan } from '../kernel/wiring.js';
import {
  BlobStoreRef,
  EventBusRef,
  KeyValueStoreRef,
  MetadataStoreRef,
  SemanticStoreRef,
} from '../public-works/refs.js';

// Which planned services start, and whether realm services are wired within their grants:
// both decided in createPlatform, before any service runs.

const PORT_OF_REF: Readonly<Record<string, PublicWorksPort>> = {
  [BlobStoreRef.id]: 'blobStore',
  [MetadataStoreRef.id]: 'metadataStore',
  [SemanticStoreRef.id]: 'semanticStore',
  [EventBusRef.id]: 'eventBus',
  [KeyValueStoreRef.id]: 'keyValueStore',
};

/** Refuses, before start, realm services that depend on what their realm is not granted. */
export function checkRealmDependencies(plan: ServicePlan, active: ReadonlySet<string>, access: RealmAccess): void {
  const denied: string[] = [];
  for (const service of plan.values()) {
    const realm = service.definition.description?.realm;
    if (!realm || !active.has(service.id)) continue;
    for (const dependency of service.dependsOn) {
      const port = PORT_OF_REF[dependency];
      const allowed = port ? access.canUsePort(realm, port) : access.canUseService(realm, dependency);
      if (!allowed)
        denied.push(
          `realm '${realm}' (service '${service.id}') may not use ${port ? `the Public Works port '${port}'` : `service '${dependency}'`}`,
        );
    }
  }
  if (denied.length > 0) {
    throw new PlatformError(
      ErrorCode.REALM_ACCESS_DENIED,
      `the realm access table refuses:\n${denied.map((line) => `  - ${line}`).join('\n')}`,
      {
        details: { denied },
      },
    );
  }
}

/** Ids of the services to start: every service not on demand, `include`, and their dependencies. */
export function activeServices(plan: ServicePlan, include: readonly ServiceRef<unknown>[]): Set<string> {
  const active = new Set<string>();
  const visit = (id: string) => {
    if (active.has(id)) return;
    active.add(id);
    for (const dependency of plan.get(id)?.dependsOn ?? []) visit(dependency);
  };
  for (const service of plan.values()) if (!service.definition.onDemand) visit(service.id);
  for (const ref of include) {
    if (!plan.has(ref.id)) {
      throw new PlatformError(ErrorCode.NOT_FOUND, `include: no module provides service '${ref.id}'`, {
        details: { service: ref.id },
      });
    }
    visit(ref.id);
  }
  return active;
}
