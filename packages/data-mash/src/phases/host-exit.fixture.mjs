// A host that runs the data mash flow on a CSV large enough to make the parser wait for storage
// (the asynchronous path), stops the platform and then simply ends: no process.exit. Used by the
// test that a host exits on its own; loads the built package, as a host would.
// Usage: node host-exit.fixture.mjs <dataDir>
import { createPlatform } from '@platform/foundations';
import { trustUserContext } from '@platform/smart-city';
import { DataMashSolutionOrchestratorRef, dataMashModules } from '../../dist/index.js';

const [dataDir] = process.argv.slice(2);
const lines = ['id,name,amount,when'];
for (let index = 1; index <= 60_000; index += 1)
  lines.push(`${index},"name, ${index % 97}",${index * 1.5},2026-01-${1 + (index % 28)}`);
const platform = createPlatform({
  env: {},
  config: { dataDir, telemetry: { sink: 'silent' } },
  modules: dataMashModules(),
});
await platform.start();
const result = await platform.get(DataMashSolutionOrchestratorRef).executeDataMashFlow({
  file: { name: 'big.csv', data: new TextEncoder().encode(`${lines.join('\n')}\n`) },
  // The host vouches for its user, who may ingest files.
  userContext: trustUserContext(
    { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['files:write'] },
    { verifiedBy: 'host-exit-fixture' },
  ),
});
await platform.stop();
const rows = result.success ? result.phases.file_parsed.parseResult.tables[0]?.rowCount : undefined;
console.log(JSON.stringify({ success: result.success, rows }));
