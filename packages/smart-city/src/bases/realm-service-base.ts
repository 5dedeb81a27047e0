import type { Curator, ServiceRef } from '@platform/foundations';
import { type RoleDeps, SmartCityRoleBase } from './smart-city-role-base.js';

/** What a realm service's constructor takes: the role deps plus Curator for realm access checks. */
export interface RealmServiceDeps extends RoleDeps {
  /** When given, every `getSmartCityApi` call is checked against the realm access table. */
  curator?: Curator;
}

/**
 * The base of realm services (a team's own services on top of Smart City): everything
 * {@link SmartCityRoleBase} has, with `getSmartCityApi` checked against the realm access table.
 */
export abstract class RealmServiceBase<D extends RealmServiceDeps = RealmServiceDeps> extends SmartCityRoleBase<D> {
  /** The realm this service belongs to, as named in the realm access table. */
  abstract readonly realm: string;

  /** @throws `REALM_ACCESS_DENIED` when the realm may not use the role. */
  protected override getSmartCityApi<T>(ref: ServiceRef<T>): T {
    this.deps.curator?.forRealm(this.realm).getService(ref.id);
    return super.getSmartCityApi(ref);
  }
}
