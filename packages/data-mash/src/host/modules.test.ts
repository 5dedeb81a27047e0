import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform, MetadataStoreRef, PlatformError, type PlatformModule } from '@platform/foundations';
import {
  ApiGatewayRef,
  apiGateway,
  CityManagerRef,
  CommunicationDirectorRef,
  ContentStewardRef,
  communicationDirector,
  contentSteward,
  postOffice,
  SecurityGuardRef,
  securityGuard,
  smartCityModule,
  TrafficCopRef,
  trafficCop,
} from '@platform/smart-city';
import { afterEach, describe, expect, it } from 'vitest';
import { salesCsv, testUser } from '../phases/flow.test-helpers.js';
import { DataMashSolutionOrchestratorRef } from '../phases/solution-orchestrator.js';
import { dataMashModules } from './modules.js';

// A Security Guard that verifies no tokens (no keys published): these tests vouch for their users.
const guard = (rolePermissions: Record<string, string[]> = {}) =>
  securityGuard({ jwks: { keys: [] }, issuer: 'https://issuer.example', audience: 'data-mash', rolePermissions });

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(modules: PlatformModule[]) {
  const dataDir = await mkdtemp(join(tmpdir(), 'data-mash-modules-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const platform = createPlatform({ env: {}, config: { dataDir, telemetry: { sink: 'silent' } }, modules });
  await platform.start();
  cleanups.push(() => platform.stop());
  return platform;
}

describe('dataMashModules composed with Smart City modules of the host', () => {
  it("starts with the host's roles in a smartCityModule of its own beside dataMashModules({ roles: [securityGuard] })", async () => {
    // The composition issue 15 reported failing with "'smart-city.city-manager' is defined twice".
    const platform = await start([
      ...dataMashModules({ roles: [guard({ uploader: ['files:write', 'journeys:read'] })] }),
      // No id of its own: the host's module is a second 'smart-city' module with the same City Manager.
      smartCityModule({ roles: [trafficCop(), apiGateway(), postOffice(), communicationDirector()] }),
    ]);
    const cityManager = platform.get(CityManagerRef);
    const roles = cityManager.roles().map((role) => role.id);
    for (const id of [
      SecurityGuardRef.id,
      ContentStewardRef.id,
      TrafficCopRef.id,
      ApiGatewayRef.id,
      CommunicationDirectorRef.id,
    ]) {
      expect(roles).toContain(id);
    }
    expect(cityManager.getSmartCityApi(SecurityGuardRef)).toBe(platform.get(SecurityGuardRef));

    // The flow's permission check goes through that Security Guard: a role's permissions count.
    const flow = platform.get(DataMashSolutionOrchestratorRef);
    const uploader = testUser('acme', { userId: 'uma', roles: ['uploader'], permissions: [] });
    const result = await flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv(5) },
      userContext: uploader,
    });
    expect(result, JSON.stringify(result)).toMatchObject({ success: true });
    const stranger = testUser('acme', { userId: 'sam', roles: ['visitor'], permissions: [] });
    expect(
      await flow.executeDataMashFlow({ file: { name: 'other.csv', data: salesCsv(6) }, userContext: stranger }),
    ).toMatchObject({ success: false, error: { code: 'PERMISSION_DENIED' } });
  }, 60_000);

  it('still refuses two different definitions of one role', () => {
    let error: unknown;
    try {
      createPlatform({
        env: {},
        modules: [...dataMashModules(), smartCityModule({ id: 'host-roles', roles: [contentSteward()] })],
      });
    } catch (caught) {
      error = caught;
    }
    expect(PlatformError.is(error, 'SERVICE_WIRING_INVALID')).toBe(true);
    expect((error as PlatformError).details.problems).toEqual([
      "service 'smart-city.content-steward' is defined twice: in module 'smart-city' and in module 'host-roles'",
    ]);
  });

  it('replaces the default Content Steward with one given in roles', async () => {
    const platform = await start(dataMashModules({ roles: [contentSteward({ maxSizeBytes: 64 })] }));
    expect(
      platform
        .get(CityManagerRef)
        .roles()
        .filter((role) => role.id === ContentStewardRef.id),
    ).toHaveLength(1);
    const user = testUser('acme');
    const refused = await platform
      .get(DataMashSolutionOrchestratorRef)
      .executeDataMashFlow({ file: { name: 'sales.csv', data: salesCsv(20) }, userContext: user });
    expect(refused).toMatchObject({ success: false, error: { code: 'FILE_TOO_LARGE' } });
    expect((await platform.get(MetadataStoreRef).listFiles('acme')).items).toEqual([]);
  }, 60_000);
});
