/**
 * A host on the cloud profile: no embedded defaults, every store named by configuration.
 *
 *   CLOUD_READY_MODE=true \
 *   PLATFORM_BLOB_STORE=gcs://my-bucket/platform \
 *   PLATFORM_METADATA_STORE=supabase://my-project.supabase.co  SUPABASE_SERVICE_ROLE_KEY=... \
 *   PLATFORM_SEMANTIC_STORE=arangodb+ssl://user:password@arangodb.example.com:8529/platform \
 *   node host.ts orders.csv
 */
import { basename } from 'node:path';
import { DataMashSolutionOrchestratorRef, dataMashModules } from '@platform/data-mash';
import { createPlatform, type Platform } from '@platform/foundations';
import { serviceIdentity } from '@platform/smart-city';

/** Starts the platform with the data mash on the stores `env` names (the cloud profile). */
export async function startCloudHost(env: Record<string, string | undefined> = process.env): Promise<Platform> {
  const platform = createPlatform({
    env: { ...env, CLOUD_READY_MODE: 'true' },
    config: { telemetry: { sink: 'silent' } },
    modules: dataMashModules(),
  });
  await platform.start();
  return platform;
}

/**
 * Runs the flow on each file for `tenantId`, one after another, as the host's own process (the
 * internal track: a batch job, not a signed-in user; a user's requests would carry the context the
 * Security Guard made of their token).
 */
export async function ingestFiles(platform: Platform, files: readonly string[], tenantId = 'cloud-demo') {
  const flow = platform.get(DataMashSolutionOrchestratorRef);
  const userContext = serviceIdentity({ service: 'cloud-host', tenantId, permissions: ['files:write'] });
  const results = [];
  for (const path of files) {
    results.push(await flow.executeDataMashFlow({ file: { name: basename(path), path }, userContext }));
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const platform = await startCloudHost();
  try {
    for (const result of await ingestFiles(platform, process.argv.slice(2))) {
      console.log(JSON.stringify(result.success ? { journeyId: result.journeyId, run: result.run } : result.error));
    }
  } finally {
    await platform.stop();
  }
}
