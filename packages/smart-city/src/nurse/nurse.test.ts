import { createPlatform, defineService, defineServiceRef, type ServiceHealth } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import { NurseRef, nurse } from './nurse.js';

describe('Nurse', () => {
  it('aggregates health and names the failing dependency', async () => {
    let dbHealth: ServiceHealth = { status: 'healthy' };
    const DbRef = defineServiceRef<object>({ id: 'foundation.db', tier: 'foundation' });
    const RepoRef = defineServiceRef<object>({ id: 'foundation.repo', tier: 'foundation' });
    const ApiRef = defineServiceRef<object>({ id: 'realm.api', tier: 'realm' });
    const SlowRef = defineServiceRef<object>({ id: 'realm.slow', tier: 'realm' });
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      modules: [smartCityModule({ roles: [nurse({ timeoutMs: 30 })] })],
      services: [
        defineService({ ref: DbRef, factory: () => ({ health: () => dbHealth }) }),
        defineService({
          ref: RepoRef,
          deps: { db: DbRef },
          factory: () => ({
            health: () =>
              dbHealth.status === 'healthy'
                ? { status: 'healthy' as const }
                : { status: 'degraded' as const, message: 'read-only' },
          }),
        }),
        defineService({
          ref: ApiRef,
          deps: { repo: RepoRef },
          factory: () => ({ health: () => ({ status: 'unhealthy' as const, message: 'cannot serve' }) }),
        }),
        defineService({ ref: SlowRef, factory: () => ({ health: () => new Promise<ServiceHealth>(() => {}) }) }),
      ],
    });
    await platform.start();
    const nurseRole = platform.get(NurseRef);

    const first = await nurseRole.checkup();
    expect(first.status).toBe('unhealthy');
    expect(first.diagnoses).toEqual([
      'realm.api is unhealthy: cannot serve',
      'realm.slow is unhealthy: health check timed out after 30 ms',
    ]);

    dbHealth = { status: 'unhealthy', message: 'connection refused' };
    const second = await nurseRole.checkup();
    expect(second.services.find((service) => service.id === 'realm.api')).toMatchObject({
      status: 'unhealthy',
      cause: 'foundation.db',
    });
    expect(second.diagnoses).toContain(
      'realm.api is unhealthy: cannot serve; failing dependency: foundation.db (connection refused)',
    );
    expect(second.diagnoses).toContain(
      'foundation.repo is degraded: read-only; failing dependency: foundation.db (connection refused)',
    );
    expect(second.diagnoses).toContain('foundation.db is unhealthy: connection refused');
    await platform.stop();
  });
});
