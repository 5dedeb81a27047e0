import { DataMashSolutionOrchestratorRef, dataMashModules } from '@platform/data-mash';
import { createPlatform } from '@platform/foundations';
import { trustUserContext } from '@platform/smart-city';

/** A host that runs the data mash flow on one file, on the embedded default stores under `dataDir`. */
export async function ingestOnce(dataDir: string, file: { name: string; data: Uint8Array }) {
  const platform = createPlatform({ config: { dataDir, telemetry: { sink: 'silent' } }, modules: dataMashModules() });
  await platform.start();
  try {
    const flow = platform.get(DataMashSolutionOrchestratorRef);
    // The user your host signed in, vouched for (a job of your own: `serviceIdentity()`).
    const user = {
      userId: 'ada',
      tenantId: 'acme',
      roles: ['analyst'],
      permissions: ['files:write', 'journeys:read', 'insights:read'],
    };
    const userContext = trustUserContext(user, { verifiedBy: 'my-host-session' });
    const result = await flow.executeDataMashFlow({ file, userContext });
    if (!result.success) {
      // The typed error, the phase that failed, and what the phases before it handed on.
      return { failedAt: result.failedPhase, code: result.error.code, traceId: result.traceId };
    }
    const insights = await flow.readInsights(userContext, result.journeyId);
    return { journeyId: result.journeyId, run: result.run, summary: insights.summary.map((s) => s.text) };
  } finally {
    await platform.stop();
  }
}
