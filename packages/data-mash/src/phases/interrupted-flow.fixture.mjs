// Runs the data mash flow on one file in a process that kills itself (SIGKILL: no clean-up, no
// flushing) right after the journey persisted the handoff of the named milestone. Used by the
// resume test; loads the built package, as a host would.
// Usage: node interrupted-flow.fixture.mjs <dataDir> <file> <milestone> [metadataUrl]
import { basename } from 'node:path';
import { createPlatform } from '@platform/foundations';
import { trustUserContext } from '@platform/smart-city';
import { DataMashSolutionOrchestratorRef, dataMashModules } from '../../dist/index.js';

const [dataDir, file, killAfter, metadataUrl] = process.argv.slice(2);
const platform = createPlatform({
  env: {},
  config: { dataDir, ...(metadataUrl ? { stores: { metadata: metadataUrl } } : {}) },
  telemetrySink: (event) => {
    if (event.operation === 'journey.handoff' && event.details?.milestone === killAfter) {
      process.kill(process.pid, 'SIGKILL');
    }
  },
  modules: dataMashModules(),
});
await platform.start();
const result = await platform.get(DataMashSolutionOrchestratorRef).executeDataMashFlow({
  file: { name: basename(file), path: file },
  // The host vouches for its user, who may ingest files.
  userContext: trustUserContext(
    { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['files:write'] },
    { verifiedBy: 'interrupted-flow-fixture' },
  ),
});
// Reaching this line means the kill did not happen.
console.log(JSON.stringify({ notKilled: true, success: result.success }));
await platform.stop();
