import { z } from 'zod';
import { PUBLIC_WORKS_PORTS, type PublicWorksPort } from '../config/ports.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import { parseRecord } from '../public-works/ports/tenancy.js';

/** The Public Works ports a realm may be granted (the one list: `config/ports.ts`). */
export { PUBLIC_WORKS_PORTS, type PublicWorksPort };

/**
 * Which realm may use which Public Works port and which services, as data. Service patterns are
 * service ids, or a prefix ending in `.*` (`smart-city.*`). A realm not in the table may use
 * nothing; platform-internal lookups (no realm) are not restricted.
 *
 * @example
 * ```ts
 * const table = defineRealmAccessTable({
 *   insights: { ports: ['semanticStore'], services: ['smart-city.librarian', 'smart-city.data-steward'] },
 * });
 * ```
 */
export const RealmAccessTableSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_-]*$/, 'realm names are lower-case'),
  z
    .object({
      ports: z.array(z.enum(PUBLIC_WORKS_PORTS)).default([]),
      services: z
        .array(z.string().regex(/^[a-z][a-z0-9.-]*(\.\*)?$/, 'a service id or a prefix ending in .*'))
        .default([]),
    })
    .strict(),
);
export type RealmAccessTable = z.output<typeof RealmAccessTableSchema>;

/** Validates a realm access table (throws `VALIDATION_FAILED` naming each bad entry). */
export function defineRealmAccessTable(table: z.input<typeof RealmAccessTableSchema>): RealmAccessTable {
  return parseRecord(RealmAccessTableSchema, table, 'realm access table');
}

function matches(pattern: string, serviceId: string): boolean {
  return pattern.endsWith('.*') ? serviceId.startsWith(pattern.slice(0, -1)) : pattern === serviceId;
}

/** Answers and enforces realm access questions for one table. */
export class RealmAccess {
  readonly #table: RealmAccessTable;

  constructor(table: RealmAccessTable = {}) {
    this.#table = table;
  }

  canUsePort(realm: string, port: PublicWorksPort): boolean {
    return this.#table[realm]?.ports.includes(port) ?? false;
  }

  canUseService(realm: string, serviceId: string): boolean {
    return this.#table[realm]?.services.some((pattern) => matches(pattern, serviceId)) ?? false;
  }

  /** @throws {PlatformError} `REALM_ACCESS_DENIED` naming realm and port. */
  assertPort(realm: string, port: PublicWorksPort): void {
    if (!this.canUsePort(realm, port)) {
      throw new PlatformError(
        ErrorCode.REALM_ACCESS_DENIED,
        `realm '${realm}' may not use the Public Works port '${port}'`,
        {
          details: { realm, target: port },
        },
      );
    }
  }

  /** @throws {PlatformError} `REALM_ACCESS_DENIED` naming realm and service. */
  assertService(realm: string, serviceId: string): void {
    if (!this.canUseService(realm, serviceId)) {
      throw new PlatformError(ErrorCode.REALM_ACCESS_DENIED, `realm '${realm}' may not use service '${serviceId}'`, {
        details: { realm, target: serviceId },
      });
    }
  }
}
