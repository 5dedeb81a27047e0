import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { CapabilityDefinition, CuratorEvent, ServiceRegistration } from '../kernel/service-description.js';
import { defineServiceRef } from '../kernel/service-ref.js';
import { capabilitySchemas, mcpToolList, openApiDocument } from './exports.js';
import { checkPatterns, DEFAULT_PATTERN_RULES, type PatternFinding, type PatternRule } from './pattern-rules.js';
import { type PublicWorksPort, RealmAccess, type RealmAccessTable } from './realm-access.js';

/** Filters of {@link Curator.find}; all given filters must match. */
export interface DiscoveryFilter {
  /** Exact service id. */
  name?: string;
  realm?: string;
  tag?: string;
  /** Services declaring this capability. */
  capability?: string;
  status?: ServiceRegistration['status'];
}

/** Options of {@link Curator}. */
export interface CuratorOptions {
  realmAccess?: RealmAccessTable;
  rules?: readonly PatternRule[];
}

/** A view of Curator for one realm: every lookup is checked against the realm access table. */
export interface RealmView {
  readonly realm: string;
  /** @throws `REALM_ACCESS_DENIED`, or `NOT_FOUND` for an unknown service. */
  getService(id: string): ServiceRegistration;
  /** Services with the capability that this realm may use. */
  findCapability(name: string): Array<{ service: ServiceRegistration; capability: CapabilityDefinition }>;
  /** @throws `REALM_ACCESS_DENIED` */
  assertPort(port: PublicWorksPort): void;
}

/**
 * The platform-wide registry: services with their capabilities (zod contracts), SOA APIs, agents
 * and MCP tools; discovery; registration events; pattern validation; and the realm access table,
 * enforced on realm lookups. The kernel registers every service as it starts.
 */
export class Curator {
  readonly #services = new Map<string, ServiceRegistration>();
  readonly #listeners = new Set<(event: CuratorEvent) => void>();
  readonly #access: RealmAccess;
  readonly #rules: readonly PatternRule[];

  constructor(options: CuratorOptions = {}) {
    this.#access = new RealmAccess(options.realmAccess ?? {});
    this.#rules = options.rules ?? DEFAULT_PATTERN_RULES;
  }

  /**
   * Records a service. Capability names are unique across the platform.
   * @throws {PlatformError} `CONFLICT` for a service id or capability already registered.
   */
  register(
    registration: Omit<ServiceRegistration, 'status' | 'registeredAt'> & Partial<Pick<ServiceRegistration, 'status'>>,
  ): ServiceRegistration {
    if (this.#services.has(registration.id)) {
      throw new PlatformError(ErrorCode.CONFLICT, `service '${registration.id}' is already registered with Curator`, {
        details: { service: registration.id },
      });
    }
    for (const capability of registration.capabilities ?? []) {
      const owner = this.findCapability(capability.name)[0];
      if (owner) {
        throw new PlatformError(
          ErrorCode.CONFLICT,
          `capability '${capability.name}' of '${registration.id}' is already offered by '${owner.service.id}'`,
          { details: { capability: capability.name, service: owner.service.id } },
        );
      }
    }
    const entry: ServiceRegistration = {
      ...registration,
      status: registration.status ?? 'running',
      registeredAt: new Date(),
    };
    this.#services.set(entry.id, entry);
    this.#emit({ type: 'curator.service.registered', service: entry });
    return entry;
  }

  /** Removes a service; `false` when it was not registered. */
  unregister(id: string): boolean {
    const removed = this.#services.delete(id);
    if (removed) this.#emit({ type: 'curator.service.unregistered', serviceId: id });
    return removed;
  }

  /** Marks a registered service running or stopped. */
  setStatus(id: string, status: ServiceRegistration['status']): void {
    const entry = this.#services.get(id);
    if (!entry || entry.status === status) return;
    entry.status = status;
    this.#emit({ type: 'curator.service.status_changed', serviceId: id, status });
  }

  /** @throws `NOT_FOUND` */
  get(id: string): ServiceRegistration {
    const entry = this.#services.get(id);
    if (!entry)
      throw new PlatformError(ErrorCode.NOT_FOUND, `no service '${id}' is registered with Curator`, {
        details: { service: id },
      });
    return entry;
  }

  /** Services matching every given filter, by id. */
  find(filter: DiscoveryFilter = {}): ServiceRegistration[] {
    return [...this.#services.values()]
      .filter(
        (entry) =>
          (filter.name === undefined || entry.id === filter.name) &&
          (filter.realm === undefined || entry.realm === filter.realm) &&
          (filter.tag === undefined || (entry.tags ?? []).includes(filter.tag)) &&
          (filter.status === undefined || entry.status === filter.status) &&
          (filter.capability === undefined ||
            (entry.capabilities ?? []).some((capability) => capability.name === filter.capability)),
      )
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The service offering a capability, with the capability's contract. */
  findCapability(name: string): Array<{ service: ServiceRegistration; capability: CapabilityDefinition }> {
    const found = [];
    for (const service of this.#services.values()) {
      for (const capability of service.capabilities ?? [])
        if (capability.name === name) found.push({ service, capability });
    }
    return found;
  }

  /** Calls `listener` on every registration event; returns a function that stops it. */
  subscribe(listener: (event: CuratorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A view for one realm whose lookups enforce the realm access table. */
  forRealm(realm: string): RealmView {
    return {
      realm,
      getService: (id) => {
        this.#access.assertService(realm, id);
        return this.get(id);
      },
      findCapability: (name) =>
        this.findCapability(name).filter(({ service }) => this.#access.canUseService(realm, service.id)),
      assertPort: (port) => this.#access.assertPort(realm, port),
    };
  }

  /** The realm access rules in force. */
  get realmAccess(): RealmAccess {
    return this.#access;
  }

  /** Checks every registered service against the pattern rules. */
  validate(rules: readonly PatternRule[] = this.#rules): PatternFinding[] {
    return checkPatterns([...this.#services.values()], rules);
  }

  /** Every capability's input and output schemas as JSON Schema. */
  exportJsonSchemas() {
    return capabilitySchemas(this.find());
  }

  /** An OpenAPI 3.1 document of every registered SOA API. */
  exportOpenApi(info: { title: string; version: string } = { title: 'Platform APIs', version: '1.0.0' }) {
    return openApiDocument(this.find(), info);
  }

  /** The registered MCP tools, as an MCP `tools/list` result. */
  exportMcpTools() {
    return mcpToolList(this.find());
  }

  #emit(event: CuratorEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure is its own: registration goes on.
      }
    }
  }
}

/** Curator as a service, for services that discover others at run time. */
export const CuratorRef = defineServiceRef<Curator>({
  id: 'curator.registry',
  tier: 'curator',
  description: 'The platform-wide registry',
});
