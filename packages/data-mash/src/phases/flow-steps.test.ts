import {
  createPlatform,
  MemoryBlobStore,
  MemoryMetadataStore,
  MemorySemanticStore,
  type MetadataStore,
  MetadataStoreRef,
} from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileUploaded, InsightsGenerated, SemanticProcessed } from '../flow/contracts.js';
import { dataMashModules } from '../host/modules.js';
import { defineFlowStep } from '../journeys/flow-step.js';
import { parseJourneyTemplate } from '../journeys/template.js';
import { ada, salesCsv, startFlowPlatform } from './flow.test-helpers.js';
import { GenerateInsightsStep } from './flow-steps.js';
import { DataMashJourneyOrchestratorRef } from './journey-service.js';

// A host's own milestone between two of the shipped flow's: it reads the stored file's record and
// hands the upload on under the same contract.
const seen: Array<{ userId: string; milestone: string; status: string }> = [];
const checkFile = defineFlowStep({
  id: 'acme.check_file',
  input: FileUploaded,
  output: FileUploaded,
  run: async (uploaded, user, context) => {
    const record = await context.locate<MetadataStore>(MetadataStoreRef).getFile(user.tenantId, uploaded.fileId);
    seen.push({ userId: user.userId, milestone: context.milestone.id, status: record.status });
    return { ...uploaded, fileName: uploaded.fileName.toUpperCase() };
  },
});
// One that hands on more than its contract allows.
const breakFile = defineFlowStep({
  id: 'acme.break_file',
  input: FileUploaded,
  output: FileUploaded,
  run: async (uploaded) => ({ ...uploaded, extra: 'not in file_uploaded@1' }) as typeof uploaded,
});

const flowWith = (name: string, step: string) =>
  parseJourneyTemplate(`
name: ${name}
version: 1
milestones:
  - { id: file_uploaded, step: content.upload_file, output: file_uploaded@1 }
  - { id: file_checked, step: ${step}, input: file_uploaded@1, output: file_uploaded@1 }
  - { id: file_parsed, step: content.parse_file, input: file_uploaded@1, output: file_parsed@1 }
  - { id: semantic_processed, step: semantic.store_content, input: file_parsed@1, output: semantic_processed@2 }
  - { id: insights_generated, step: insights.generate, input: semantic_processed@2, output: insights_generated@1 }
`);

describe('flow steps added by a host', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  beforeAll(async () => {
    harness = await startFlowPlatform({
      modules: {
        steps: [checkFile, breakFile],
        templates: [flowWith('checked_flow', 'acme.check_file'), flowWith('broken_flow', 'acme.break_file')],
      },
    });
  }, 60_000);
  afterAll(() => harness?.stop());

  it('runs between two shipped milestones, as the verified caller, its output handed on', async () => {
    const journeys = harness.platform.get(DataMashJourneyOrchestratorRef);
    expect(journeys.steps().map((step) => step.id)).toEqual([
      'content.upload_file',
      'content.parse_file',
      'semantic.store_content',
      'insights.generate',
      'acme.check_file',
      'acme.break_file',
    ]);
    const outcome = await journeys.runJourney('checked_flow', {
      userContext: ada,
      idempotencyKey: 'checked-1',
      input: { file: { name: 'sales.csv', data: salesCsv(5) } },
    });
    if (!outcome.success) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
    expect(seen).toEqual([{ userId: 'ada', milestone: 'file_checked', status: 'stored' }]);
    expect(outcome.outputs.file_checked).toMatchObject({ fileName: 'SALES.CSV' });
    expect(outcome.outputs.semantic_processed).toMatchObject({
      parseKey: expect.stringMatching(/^parsed\/.+\/parse\.json$/),
      storageStatus: 'stored',
    });
    expect(outcome.outputs.insights_generated).toMatchObject({ insightsResult: { tables: 1 } });
    const journey = await journeys.getJourney(ada, outcome.journeyId);
    expect(journey.milestones.map((milestone) => [milestone.name, milestone.status])).toEqual([
      ['file_uploaded', 'completed'],
      ['file_checked', 'completed'],
      ['file_parsed', 'completed'],
      ['semantic_processed', 'completed'],
      ['insights_generated', 'completed'],
    ]);
  });

  it('has its output checked against its contract before it is handed on', async () => {
    const journeys = harness.platform.get(DataMashJourneyOrchestratorRef);
    const outcome = await journeys.runJourney('broken_flow', {
      userContext: ada,
      idempotencyKey: 'broken-1',
      input: { file: { name: 'other.csv', data: salesCsv(3) } },
    });
    expect(outcome).toMatchObject({
      success: false,
      failedMilestone: 'file_checked',
      error: { code: 'CONTRACT_VIOLATION', details: { contract: 'file_uploaded@1', side: 'producer' } },
    });
    expect(Object.keys(outcome.outputs)).toEqual(['file_uploaded']);
  });

  it.each([
    ['nothing', undefined, '(input): needs file or fileId'],
    ['a file without data', { file: { name: 'a.csv' } }, 'file.data: data is required'],
    ['a file without a name', { file: { data: salesCsv(1) } }, 'file.name:'],
    ['open that is not a function', { file: { name: 'a.csv', open: 'x' } }, 'file.open: open must be a function'],
    ['an empty file id', { fileId: '' }, 'fileId:'],
    ['a bad sha256', { file: { name: 'a.csv', data: salesCsv(1), sha256: 'abc' } }, 'file.sha256: a sha256 is'],
  ])(
    'refuses a journey input with %s at its first step (VALIDATION_FAILED naming the field), storing nothing',
    async (_name, input, problem) => {
      const journeys = harness.platform.get(DataMashJourneyOrchestratorRef);
      const metadata = harness.platform.get(MetadataStoreRef);
      const before = (await metadata.listFiles(ada.tenantId)).items.length;
      const outcome = await journeys.runJourney('data_mash_flow', {
        userContext: ada,
        idempotencyKey: `bad-input-${_name}`,
        input: input as never,
      });
      expect(outcome).toMatchObject({
        success: false,
        failedMilestone: 'file_uploaded',
        error: { code: 'VALIDATION_FAILED' },
      });
      if (outcome.success) return;
      expect(outcome.error.message).toContain(problem);
      expect((await metadata.listFiles(ada.tenantId)).items.length).toBe(before);
    },
  );
});

describe('a shipped step replaced by a host', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  const wrapped: string[] = [];
  beforeAll(async () => {
    // Same id as the shipped step: the data_mash_flow template runs this one, which wraps it.
    const generate = defineFlowStep({
      id: 'insights.generate',
      input: SemanticProcessed,
      output: InsightsGenerated,
      run: async (processed, user, context) => {
        wrapped.push(processed.parseKey);
        return GenerateInsightsStep.run(processed, user, context);
      },
    });
    harness = await startFlowPlatform({ modules: { steps: [generate] } });
  }, 60_000);
  afterAll(() => harness?.stop());

  it('serves the shipped template', async () => {
    const result = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'b.csv', data: salesCsv(3) },
    });
    if (!result.success) throw new Error(result.error.message);
    expect(wrapped).toEqual([result.phases.semantic_processed.parseKey]);
    expect(result.phases.insights_generated.insightsResult.tables).toBe(1);
  });
});

describe('a journey stored under semantic_processed@1', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  beforeAll(async () => {
    harness = await startFlowPlatform();
  }, 60_000);
  afterAll(() => harness?.stop());

  it('resumes at insights_generated, its stored handoff read as @2', async () => {
    const first = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'a.csv', data: salesCsv(4) },
    });
    if (!first.success) throw new Error(first.error.message);
    // As a journey stopped before insights when the flow handed on semantic_processed@1.
    const { contentId, storageStatus, traceId } = first.phases.semantic_processed;
    const journey = await harness.metadata.getJourney('acme', first.journeyId);
    const outputs = (journey.context as { outputs: Record<string, unknown> }).outputs;
    await harness.metadata.updateJourney('acme', journey.id, journey.version, {
      status: 'failed',
      milestones: journey.milestones.map((milestone) =>
        milestone.name === 'insights_generated' ? { name: milestone.name, status: 'pending' as const } : milestone,
      ),
      context: {
        ...journey.context,
        outputs: {
          file_uploaded: outputs.file_uploaded,
          file_parsed: outputs.file_parsed,
          semantic_processed: { contentId, storageStatus, traceId },
        },
      },
    });
    const again = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'a.csv', data: salesCsv(4) },
    });
    expect(again).toMatchObject({
      success: true,
      run: 'resumed',
      journeyId: first.journeyId,
      phases: {
        semantic_processed: {
          contentId,
          fileId: first.phases.file_uploaded.fileId,
          parseKey: `parsed/${contentId}/parse.json`,
        },
        insights_generated: { insightsResult: { resultKey: first.phases.insights_generated.insightsResult.resultKey } },
      },
    });
  });
});

describe('a template naming an unknown step', () => {
  it('stops the journey orchestrator from starting, SERVICE_WIRING_INVALID naming the step', async () => {
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: {
        blobStore: new MemoryBlobStore(),
        metadataStore: new MemoryMetadataStore(),
        semanticStore: new MemorySemanticStore(),
      },
      modules: dataMashModules({ templates: [flowWith('unwired_flow', 'acme.missing_step')] }),
    });
    const started = platform.start();
    await expect(started).rejects.toThrow(
      "milestone 'file_checked' names step 'acme.missing_step', which is not registered",
    );
    const error = await started.catch((failure: unknown) => failure);
    const report = (error as { details: { report: { services: Array<{ id: string; error?: { code: string } }> } } })
      .details.report;
    expect(report.services.find((entry) => entry.id === 'data-mash.journey-orchestrator')?.error).toMatchObject({
      code: 'SERVICE_WIRING_INVALID',
    });
    // The cause of the failed start is the orchestrator's own error.
    expect((error as { cause?: { code?: string } }).cause?.code).toBe('SERVICE_WIRING_INVALID');
    await platform.stop().catch(() => undefined);
  });

  it('refuses a step id that is not one, and two steps of a host under one id', async () => {
    expect(() => defineFlowStep({ id: 'Bad Id', output: FileUploaded, run: async () => ({}) as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    const twice = defineFlowStep({ id: 'acme.twice', output: FileUploaded, run: async () => ({}) as never });
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: {
        blobStore: new MemoryBlobStore(),
        metadataStore: new MemoryMetadataStore(),
        semanticStore: new MemorySemanticStore(),
      },
      modules: dataMashModules({ steps: [twice, twice] }),
    });
    const failure = await platform.start().then(
      () => undefined,
      (error: unknown) => error as { cause?: { code?: string; message?: string } },
    );
    expect(failure?.cause).toMatchObject({
      code: 'SERVICE_WIRING_INVALID',
      message: expect.stringContaining("flow steps given twice: 'acme.twice'"),
    });
    await platform.stop().catch(() => undefined);
  });
});
