import { createPlatform, MemoryBlobStore, MemoryMetadataStore, MemorySemanticStore } from '@platform/foundations';
import { installObservabilityRecorder, type RecordedSpan } from '@platform/observability/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import { contentSteward } from '../content-steward/content-steward.js';
import { dataSteward } from '../data-steward/data-steward.js';
import { type Embedder, LibrarianRef, librarian } from '../librarian/librarian.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { chunkText, type DataOrchestratorOptions, DataOrchestratorRef, dataOrchestrator } from './data-orchestrator.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const STORE_SPAN = /^(blob_store|metadata_store|semantic_store|key_value_store|event_bus)\./;
// processFile stores the file (files:write) and reads it back to extract it (files:read).
const ada = testUser('ada', 'acme', { permissions: ['files:write', 'files:read', 'content:read'] });
const letters: Embedder = {
  model: 'letters',
  dimensions: 26,
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Array<number>(26).fill(0);
      for (const char of text.toLowerCase()) {
        const code = char.charCodeAt(0) - 97;
        if (code >= 0 && code < 26) vector[code] = (vector[code] ?? 0) + 1;
      }
      return vector;
    });
  },
};

async function start(options: DataOrchestratorOptions = {}) {
  const metadata = new MemoryMetadataStore();
  const platform = createPlatform({
    env: {},
    telemetrySink: recorder.sink,
    adapters: { blobStore: new MemoryBlobStore(), metadataStore: metadata, semanticStore: new MemorySemanticStore() },
    modules: [
      smartCityModule({
        roles: [contentSteward(), dataSteward(), librarian({ embedder: letters }), dataOrchestrator(options)],
      }),
    ],
  });
  await platform.start();
  recorder.reset();
  return {
    orchestrator: platform.get(DataOrchestratorRef),
    library: platform.get(LibrarianRef),
    metadata,
    stop: () => platform.stop(),
  };
}

function descendants(root: RecordedSpan): RecordedSpan[] {
  const children = recorder.childrenOf(root);
  return children.flatMap((child) => [child, ...descendants(child)]);
}

describe('Data Orchestrator', () => {
  it('runs Content Steward, Data Steward and Librarian in one trace, with a span tree under one root', async () => {
    const csvRows = [
      { email: 'a@x.io', amount: 10 },
      { email: 'b@x.io', amount: 20 },
    ];
    const { orchestrator, metadata, stop } = await start({
      extract: async ({ bytes }) => ({ rows: csvRows, text: new TextDecoder().decode(bytes) }),
      qualityRules: [{ id: 'amount-positive', kind: 'range', column: 'amount', min: 0 }],
    });
    const answer = await orchestrator.processFile(
      ada,
      { name: 'sales.csv', data: new TextEncoder().encode('email,amount\na@x.io,10\nb@x.io,20\n') },
      { headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } },
    );
    expect(answer).toMatchObject({
      success: true,
      traceId: TRACE_ID,
      results: {
        content: { validationStatus: 'valid', detectedType: 'text' },
        governance: {
          classification: [{ column: 'email', pii: 'email' }, { column: 'amount' }],
          quality: [{ rule: 'amount-positive', passed: true }],
        },
        library: { chunks: 1 },
      },
    });

    const root = recorder.span('data_orchestrator.process_file');
    expect(root).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' });
    // The roles' spans (the Public Works stores' own spans, e.g. `metadata_store.get_file`, aside).
    expect(
      recorder
        .childrenOf(root)
        .map((span) => span.name)
        .filter((name) => !STORE_SPAN.test(name))
        .sort(),
    ).toEqual([
      'content_steward.process_file',
      'data_steward.check_quality',
      'data_steward.classify',
      'librarian.index',
    ]);
    expect(recorder.spans().every((span) => span.traceId === TRACE_ID)).toBe(true);
    expect(descendants(root)).toHaveLength(recorder.spans().length - 1);
    recorder.assertNoOpenSpans();
    const lineage = await metadata.listGovernanceRecords('acme', { kind: 'lineage_event' });
    expect(lineage.items.map((record) => record.data.eventType)).toEqual(['START', 'COMPLETE']);
    await stop();
  });

  it('answers with partial results and the failed step when a step fails', async () => {
    const { orchestrator, metadata, stop } = await start({
      extract: async () => {
        throw new Error('parser crashed');
      },
    });
    const answer = await orchestrator.processFile(ada, { name: 'notes.txt', data: new TextEncoder().encode('hello') });
    expect(answer).toMatchObject({
      success: false,
      failedStep: 'governance',
      error: { code: 'INTERNAL', message: 'parser crashed' },
      results: { content: { validationStatus: 'valid' } },
    });
    expect(answer.results.library).toBeUndefined();
    expect(answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    const lineage = await metadata.listGovernanceRecords('acme', { kind: 'lineage_event' });
    expect(lineage.items.map((record) => record.data.eventType)).toEqual(['START', 'FAIL']);
    await stop();
  });

  it('indexes text in the encoding the file is in: UTF-16 by its byte order mark, else UTF-8, else Windows-1252', async () => {
    const { orchestrator, library, stop } = await start();
    const latin = Uint8Array.from(
      [...'Grüße aus Zürich, 5 € – ok'].map((char) => (char === '€' ? 0x80 : char === '–' ? 0x96 : char.charCodeAt(0))),
    );
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße aus Genève', 'utf16le')]);
    for (const [name, data] of [
      ['latin.txt', latin],
      ['wide.txt', utf16],
    ] as const) {
      expect((await orchestrator.processFile(ada, { name, data })).success, name).toBe(true);
    }
    const texts = async (query: string) => (await library.search(ada, query, { mode: 'text' })).map((hit) => hit.text);
    expect(await texts('Zürich')).toEqual(['Grüße aus Zürich, 5 € – ok']);
    expect(await texts('Genève')).toEqual(['Grüße aus Genève']);
    await stop();
  });

  it('stops at a quarantined file, and refuses a bad user context', async () => {
    const { orchestrator, stop } = await start();
    const quarantined = await orchestrator.processFile(ada, {
      name: 'run.csv',
      data: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0]),
    });
    expect(quarantined).toMatchObject({
      success: false,
      failedStep: 'content',
      error: { code: 'FILE_QUARANTINED' },
      results: { content: { validationStatus: 'quarantined' } },
    });
    for (const userContext of [{ userId: 'x' }, { ...ada }]) {
      expect(await orchestrator.processFile(userContext, { name: 'a.txt', data: new Uint8Array(1) })).toMatchObject({
        success: false,
        failedStep: 'content',
        error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } },
      });
    }
    const reader = testUser('rita', 'acme', { permissions: ['files:read', 'content:read'] });
    expect(await orchestrator.processFile(reader, { name: 'a.txt', data: new Uint8Array(1) })).toMatchObject({
      success: false,
      failedStep: 'content',
      error: { code: 'PERMISSION_DENIED', details: { action: 'files:write' } },
    });
    await stop();
  });
});

describe('chunkText', () => {
  it('keeps paragraphs together up to the size and cuts long ones at sentence ends', () => {
    const text = `First para.\n\nSecond para.\n\n${'Long sentence here. '.repeat(10)}`;
    const chunks = chunkText(text, 60);
    expect(chunks[0]).toEqual({ ref: '0', text: 'First para.\n\nSecond para.' });
    expect(chunks.every((chunk) => chunk.text.length <= 60)).toBe(true);
    expect(chunks.slice(1).every((chunk) => chunk.text.endsWith('.'))).toBe(true);
  });
});
