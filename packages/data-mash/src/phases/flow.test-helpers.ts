import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BlobStoreRef,
  createPlatform,
  MetadataStoreRef,
  type PlatformConfigInput,
  type PublicWorksAdapters,
  SemanticStoreRef,
} from '@platform/foundations';
import type { TelemetrySink } from '@platform/observability';
import { trustUserContext, type UserContext, type VerifiedUserContext } from '@platform/smart-city';
import ExcelJS from 'exceljs';
import { type DataMashModulesOptions, dataMashModules } from '../host/modules.js';
import { DataMashSolutionOrchestratorRef } from './solution-orchestrator.js';

export { createPostgresTestDatabase as createTestDatabase, TEST_POSTGRES_URL } from '@platform/foundations/testing';

/**
 * What a user of the data mash does in these tests: ingest files and run their flow
 * (`files:write`), list and read journeys (`journeys:read`), insights (`insights:read`), search
 * (`content:read`) and read a stored file back (`files:read`).
 */
export const FLOW_PERMISSIONS: readonly string[] = [
  'files:write',
  'files:read',
  'journeys:read',
  'insights:read',
  'content:read',
];

/**
 * A verified user context for tests (vouched for by `test`, as a host vouches for a user it
 * verified), in `tenantId`, with {@link FLOW_PERMISSIONS} unless `overrides` says otherwise.
 */
export function testUser(
  tenantId = 'acme',
  overrides: Partial<Omit<UserContext, 'tenantId'>> = {},
): VerifiedUserContext {
  return trustUserContext(
    { userId: 'ada', tenantId, roles: [], permissions: [...FLOW_PERMISSIONS], ...overrides },
    { verifiedBy: 'test' },
  );
}

export const ada = testUser('acme', { userId: 'ada' });
export const bob = testUser('globex', { userId: 'bob' });

/** A platform with the data mash on the given stores (by default the embedded ones in a temporary directory). */
export async function startFlowPlatform(
  options: {
    dataDir?: string;
    stores?: PlatformConfigInput['stores'];
    telemetrySink?: TelemetrySink;
    modules?: DataMashModulesOptions;
    adapters?: PublicWorksAdapters;
  } = {},
) {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'data-mash-flow-')));
  const platform = createPlatform({
    env: {},
    config: { dataDir, ...(options.stores ? { stores: options.stores } : {}), telemetry: { sink: 'silent' } },
    ...(options.telemetrySink ? { telemetrySink: options.telemetrySink } : {}),
    modules: dataMashModules(options.modules),
    ...(options.adapters ? { adapters: options.adapters } : {}),
  });
  await platform.start();
  return {
    platform,
    dataDir,
    flow: platform.get(DataMashSolutionOrchestratorRef),
    metadata: platform.get(MetadataStoreRef),
    blobs: platform.get(BlobStoreRef),
    semantic: platform.get(SemanticStoreRef),
    stop: async (removeData = !options.dataDir) => {
      await platform.stop();
      if (removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small sales CSV: `rows` data rows, amounts 10, 20, 30, ... */
export function salesCsv(rows = 20): Uint8Array {
  const lines = ['order_id,customer_email,amount,ordered_at'];
  for (let index = 1; index <= rows; index += 1) {
    lines.push(`${index},customer${index}@example.com,${index * 10},2026-0${1 + (index % 9)}-1${index % 10}`);
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

/** A two-sheet workbook. */
export async function salesXlsx(): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Orders');
  sheet.addRow(['region', 'units', 'price']);
  for (const [region, units, price] of [
    ['north', 12, 9.5],
    ['south', 7, 11],
    ['east', 20, 8.25],
    ['west', 3, 14],
  ] as const)
    sheet.addRow([region, units, price]);
  book.addWorksheet('Notes').addRow(['note']).commit();
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/**
 * The data mash behind the HTTP front door on 127.0.0.1, signed in with a development identity
 * kept in a temporary directory: `url` to call, `identity.issueToken(...)` for bearer tokens.
 */
export async function startFrontDoor(options: { modules?: DataMashModulesOptions } = {}) {
  const { developmentIdentity, securityGuard, trafficCop, apiGateway, communicationDirector } = await import(
    '@platform/smart-city'
  );
  const { createHttpApp } = await import('@platform/smart-city/http');
  const keys = await mkdtemp(join(tmpdir(), 'front-door-keys-'));
  const identity = await developmentIdentity(keys);
  const harness = await startFlowPlatform({
    modules: {
      ...options.modules,
      roles: [
        securityGuard(identity.guardOptions),
        trafficCop(),
        apiGateway(),
        communicationDirector(),
        ...(options.modules?.roles ?? []),
      ],
    },
  });
  const server = await createHttpApp(harness.platform).serve({ port: 0 });
  return {
    ...harness,
    identity,
    url: server.url,
    stop: async () => {
      await server.close();
      await harness.stop();
      await rm(keys, { recursive: true, force: true });
    },
  };
}
