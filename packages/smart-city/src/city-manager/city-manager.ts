import {
  type AnyServiceDefinition,
  type Curator,
  CuratorRef,
  definePlatformModule,
  defineService,
  defineServiceRef,
  type PlatformModule,
  type ServiceRef,
  type ServiceRegistration,
} from '@platform/foundations';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';

/** A role as the City Manager reports it. */
export interface RoleState {
  id: string;
  status: ServiceRegistration['status'];
  lifecycle: ServiceRegistration['lifecycle'];
  capabilities: string[];
}

/**
 * The Smart City gateway: hands out roles by ref and reports their lifecycle state from Curator.
 * `smartCityModule` registers it together with the roles.
 */
export class CityManager extends SmartCityRoleBase<RoleDeps & { curator: Curator }> {
  /** A running Smart City role. @throws `SERVICE_UNAVAILABLE` when it is not running. */
  override getSmartCityApi<T>(ref: ServiceRef<T>): T {
    return super.getSmartCityApi(ref);
  }

  /** Every Smart City role Curator knows, with its state. */
  roles(): RoleState[] {
    return this.deps.curator
      .find()
      .filter((entry) => entry.tier === 'smart-city' && entry.id !== CityManagerRef.id)
      .map((entry) => ({
        id: entry.id,
        status: entry.status,
        lifecycle: entry.lifecycle,
        capabilities: (entry.capabilities ?? []).map((capability) => capability.name),
      }));
  }

  override health() {
    const stopped = this.roles().filter((role) => role.status !== 'running');
    return stopped.length === 0
      ? { status: 'healthy' as const }
      : { status: 'degraded' as const, message: `not running: ${stopped.map((role) => role.id).join(', ')}` };
  }
}

/** The City Manager service. */
export const CityManagerRef = defineServiceRef<CityManager>({
  id: 'smart-city.city-manager',
  tier: 'smart-city',
  description: 'The Smart City gateway',
});

// One definition for every Smart City module, so that a host adding roles in a module of its own
// beside `dataMashModules()` gets one City Manager (the kernel merges the same definition).
const CITY_MANAGER = defineService({
  ref: CityManagerRef,
  deps: { curator: CuratorRef },
  factory: ({ curator }, context) => new CityManager({ ...context, curator }),
  description: { description: 'Hands out Smart City roles by ref and reports their state', tags: ['gateway'] },
});

/**
 * The Smart City module: the City Manager and the given roles. Several Smart City modules may be
 * combined (they share the City Manager), as long as each role is defined once. Every role must be a Smart City
 * tier service.
 *
 * @throws {TypeError} for a role outside the Smart City tier.
 */
export function smartCityModule(options: {
  roles: readonly AnyServiceDefinition[];
  /** The module's id (default `smart-city`), for hosts that add roles in a module of their own. */
  id?: string;
}): PlatformModule {
  for (const role of options.roles) {
    if (role.ref.tier !== 'smart-city') {
      throw new TypeError(`smartCityModule: '${role.ref.id}' is a ${role.ref.tier} service, not a Smart City role`);
    }
  }
  return definePlatformModule({
    id: options.id ?? 'smart-city',
    services: [CITY_MANAGER as AnyServiceDefinition, ...options.roles],
  });
}
