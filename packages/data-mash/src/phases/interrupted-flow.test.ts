import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ada, createTestDatabase, salesCsv, startFlowPlatform } from './flow.test-helpers.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const FIXTURE = fileURLToPath(new URL('./interrupted-flow.fixture.mjs', import.meta.url));
const MILESTONES = ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated'];

// What one file leaves in every store, counted so that a duplicate anywhere shows.
async function inventory(harness: Awaited<ReturnType<typeof startFlowPlatform>>, fileId: string, contentId: string) {
  const count = async (prefix: string) => (await harness.blobs.list('acme', { prefix, limit: 1000 })).items.length;
  return {
    files: (await harness.metadata.listFiles('acme')).items.length,
    fileBlobs: await count('files/'),
    parsedBlobs: await count(`parsed/${fileId}/`),
    parsedFiles: (await harness.metadata.listParsedFiles('acme', fileId)).length,
    journeys: (await harness.metadata.listJourneys('acme')).items.length,
    links: (await harness.metadata.listLinks('acme', {})).length,
    lineageEvents: (await harness.metadata.listGovernanceRecords('acme', { kind: 'lineage_event' })).items.length,
    contents: (await harness.semantic.listContent('acme')).length,
    embeddings: await harness.semantic.countEmbeddings('acme', contentId),
  };
}

// Every kill point on the embedded default; one on Postgres (each case starts two processes).
describe.each([
  ['the embedded default (local files, SQLite)', false, MILESTONES.slice(0, 3)],
  ['metadata on Postgres', true, ['file_parsed']],
])('a flow killed between milestones, on %s', (_name, onPostgres, killPoints) => {
  it.each(killPoints)(
    'resumes after %s at the next milestone, with no duplicate in any store',
    async (killAfter) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'data-mash-kill-'));
      const database = onPostgres ? await createTestDatabase() : undefined;
      try {
        const file = join(dataDir, 'sales.csv');
        await writeFile(file, salesCsv(50));
        const child = spawnSync(
          process.execPath,
          [FIXTURE, dataDir, file, killAfter, ...(database ? [database.url] : [])],
          {
            encoding: 'utf8',
            timeout: 60_000,
          },
        );
        expect(child.stdout).not.toContain('notKilled');
        expect(child.signal, child.stderr).toBe('SIGKILL');

        const harness = await startFlowPlatform({
          dataDir,
          telemetrySink: recorder.sink,
          ...(database ? { stores: { metadata: database.url } } : {}),
        });
        try {
          const [stopped] = (await harness.metadata.listJourneys('acme')).items;
          const done = MILESTONES.indexOf(killAfter) + 1;
          // The handoff is one write: the milestone completed and the next one started.
          expect(stopped?.milestones.map((milestone) => milestone.status)).toEqual(
            MILESTONES.map((_milestone, index) =>
              index < done ? 'completed' : index === done ? 'running' : 'pending',
            ),
          );

          const result = await harness.flow.executeDataMashFlow({
            file: { name: 'sales.csv', path: file },
            userContext: ada,
          });
          if (!result.success) throw new Error(JSON.stringify(result.error));
          expect(result).toMatchObject({ run: 'resumed', journeyId: stopped?.id, traceId: stopped?.traceId });
          // Only the milestones after the kill ran again.
          const ran = recorder.spans().filter((span) => span.name.startsWith('journey.milestone.'));
          expect(ran.map((span) => span.name.slice('journey.milestone.'.length))).toEqual(MILESTONES.slice(done));

          const { fileId } = result.phases.file_uploaded;
          const { contentId } = result.phases.semantic_processed;
          expect(await inventory(harness, fileId, contentId)).toEqual({
            files: 1,
            fileBlobs: 1,
            parsedBlobs: 4, // the table's JSON Lines copy, parse.json, semantic.json, insights.json
            parsedFiles: 1,
            journeys: 1,
            links: 3,
            // A START and a COMPLETE for each of the four phases' runs.
            lineageEvents: 8,
            contents: 1,
            embeddings: result.phases.file_parsed.semanticResult.embeddings,
          });
          expect((await harness.flow.readInsights(ada, result.journeyId)).tables[0]?.insights.rowCount).toBe(50);
        } finally {
          await harness.stop(false);
        }
      } finally {
        await database?.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
