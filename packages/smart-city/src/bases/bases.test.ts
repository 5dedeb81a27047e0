import {
  type Curator,
  CuratorRef,
  createPlatform,
  defineService,
  defineServiceRef,
  MetadataStoreRef,
} from '@platform/foundations';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CityManagerRef, smartCityModule } from '../city-manager/city-manager.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { trustUserContext } from '../user-context/verified.js';
import { RealmServiceBase } from './realm-service-base.js';
import { type RoleDeps, SmartCityRoleBase } from './smart-city-role-base.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

class EchoRole extends SmartCityRoleBase {
  echo(userContext: unknown, record: { tenantId: string; text: string }) {
    const user = this.requireUserContext(userContext);
    this.guardTenant(user, record, 'note');
    this.recordHealthMetric('echo.length', record.text.length);
    return record.text;
  }
  callEcho() {
    return this.getSmartCityApi(EchoRef).echo;
  }
  misuse() {
    return this.getSmartCityApi(MetadataStoreRef as never);
  }
  fail() {
    const error = Object.assign(new Error('broken'), { code: 'INTERNAL' });
    return this.auditError(error, { operation: 'echo.fail' });
  }
}
type RealmAccessTableInput = NonNullable<NonNullable<Parameters<typeof createPlatform>[0]>['realmAccess']>;
const EchoRef = defineServiceRef<EchoRole>({ id: 'smart-city.echo', tier: 'smart-city' });

class Reporter extends RealmServiceBase<RoleDeps & { curator: Curator }> {
  readonly realm = 'insights';
  echoRole() {
    return this.getSmartCityApi(EchoRef);
  }
}
const ReporterRef = defineServiceRef<Reporter>({ id: 'realm.reporter', tier: 'realm' });

function platformWith(realmAccess?: RealmAccessTableInput) {
  return createPlatform({
    env: {},
    telemetrySink: recorder.sink,
    ...(realmAccess ? { realmAccess } : {}),
    modules: [
      smartCityModule({ roles: [defineService({ ref: EchoRef, factory: (_deps, context) => new EchoRole(context) })] }),
    ],
    services: [
      defineService({
        ref: ReporterRef,
        deps: { curator: CuratorRef },
        description: { realm: 'insights' },
        factory: ({ curator }, context) => new Reporter({ ...context, curator }),
      }),
    ],
  });
}

const user = testUser('u1', 'acme', { permissions: [] });

describe('SmartCityRoleBase', () => {
  it('guards the user context and the tenant of every record touched', async () => {
    const platform = platformWith();
    await platform.start();
    const echo = platform.get(EchoRef);
    expect(echo.echo(user, { tenantId: 'acme', text: 'hi' })).toBe('hi');
    expect(() => echo.echo(user, { tenantId: 'globex', text: 'theirs' })).toThrow(
      expect.objectContaining({ code: 'TENANT_ACCESS_DENIED' }),
    );
    // A well-shaped plain object, or a copy of a verified context, is not a verified caller.
    expect(() => echo.echo({ ...user }, { tenantId: 'acme', text: '' })).toThrow(
      expect.objectContaining({ code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } }),
    );
    // A malformed one cannot even be vouched for.
    expect(() => trustUserContext({ ...user, tenantId: '../x' }, { verifiedBy: 'test' })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(echo.roleName).toBe('smart-city.echo');
    expect(echo.fail()).toMatchObject({ code: 'INTERNAL', operation: 'echo.fail' });
    expect(() => echo.misuse()).toThrow(/takes Smart City refs/);
    expect(typeof echo.callEcho()).toBe('function');
    const gauge = (await recorder.collectMetrics()).find((metric) => metric.name === 'echo.length');
    expect(gauge?.points[0]?.value).toBe(2);
    await platform.stop();
  });

  it('City Manager hands out roles by ref and reports their lifecycle state', async () => {
    const platform = platformWith();
    await platform.start();
    const cityManager = platform.get(CityManagerRef);
    expect(cityManager.getSmartCityApi(EchoRef)).toBe(platform.get(EchoRef));
    expect(cityManager.roles()).toEqual([
      {
        id: 'smart-city.echo',
        status: 'running',
        lifecycle: { initialize: false, shutdown: false, health: true },
        capabilities: [],
      },
    ]);
    expect(await cityManager.health()).toEqual({ status: 'healthy' });
    await platform.stop();
    expect(cityManager.roles()[0]?.status).toBe('stopped');
    expect(() =>
      smartCityModule({ roles: [defineService({ ref: ReporterRef, factory: () => ({}) as never })] }),
    ).toThrow(/not a Smart City role/);
  });
});

describe('several Smart City modules', () => {
  it('share one City Manager, which hands out the roles of each', async () => {
    const OtherRef = defineServiceRef<EchoRole>({ id: 'smart-city.other-echo', tier: 'smart-city' });
    const platform = createPlatform({
      env: {},
      telemetrySink: recorder.sink,
      modules: [
        smartCityModule({
          roles: [defineService({ ref: EchoRef, factory: (_deps, context) => new EchoRole(context) })],
        }),
        smartCityModule({
          id: 'host-roles',
          roles: [defineService({ ref: OtherRef, factory: (_deps, context) => new EchoRole(context) })],
        }),
      ],
    });
    await platform.start();
    const cityManager = platform.get(CityManagerRef);
    expect(cityManager.roles().map((role) => role.id)).toEqual(['smart-city.echo', 'smart-city.other-echo']);
    expect(cityManager.getSmartCityApi(OtherRef)).toBe(platform.get(OtherRef));
    await platform.stop();
  });

  it('still refuse two different definitions of one role', () => {
    const echo = () => defineService({ ref: EchoRef, factory: (_deps, context) => new EchoRole(context) });
    expect(() =>
      createPlatform({
        env: {},
        telemetrySink: recorder.sink,
        modules: [smartCityModule({ roles: [echo()] }), smartCityModule({ id: 'host-roles', roles: [echo()] })],
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'SERVICE_WIRING_INVALID',
        details: {
          problems: ["service 'smart-city.echo' is defined twice: in module 'smart-city' and in module 'host-roles'"],
        },
      }),
    );
  });
});

describe('RealmServiceBase', () => {
  it('checks every Smart City lookup against the realm access table', async () => {
    const denied = platformWith({ insights: { ports: [], services: ['curator.registry'] } });
    await denied.start();
    expect(() => denied.get(ReporterRef).echoRole()).toThrow(expect.objectContaining({ code: 'REALM_ACCESS_DENIED' }));
    await denied.stop();

    const allowed = platformWith({ insights: { ports: [], services: ['smart-city.*', 'curator.registry'] } });
    await allowed.start();
    expect(allowed.get(ReporterRef).echoRole()).toBe(allowed.get(EchoRef));
    await allowed.stop();
  });
});
