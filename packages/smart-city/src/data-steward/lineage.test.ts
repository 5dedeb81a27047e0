import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPlatform, MemoryMetadataStore, PlatformError } from '@platform/foundations';
import { afterEach, describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import { DataStewardRef, dataSteward } from './data-steward.js';
import {
  httpLineageSink,
  LINEAGE_SCHEMA_URLS,
  type LineageDataset,
  lineageErrorMessage,
  type OpenLineageRunEvent,
  runEvent,
} from './lineage.js';
import { openLineageProblems, VENDORED_SCHEMA_IDS } from './openlineage-spec/openlineage.test-helpers.js';

const namespace = 'platform/acme';
const file: LineageDataset = {
  namespace,
  name: 'files/file_00000000-0000-4000-8000-000000000001',
  fields: [
    { name: 'email', type: 'string' },
    { name: 'amount', type: 'integer' },
  ],
  quality: {
    rowCount: 20,
    columns: { email: { nullCount: 0, distinctCount: 20, count: 20 }, amount: { nullCount: 1 } },
  },
};
const parsed: LineageDataset = {
  namespace,
  name: 'parsed/file_00000000-0000-4000-8000-000000000001/parse.json',
  fields: file.fields ?? [],
  columnLineage: {
    email: [{ namespace, name: file.name, field: 'email' }],
    amount: [
      { namespace, name: file.name, field: 'amount', transformation: { type: 'DIRECT', subtype: 'TRANSFORMATION' } },
    ],
  },
};
const parent = { runId: '0b5c3f1e-9d2a-4c6b-8e7f-1a2b3c4d5e6f', job: { namespace, name: 'data_mash.journey' } };

describe('OpenLineage run events', () => {
  it.each(['START', 'COMPLETE', 'FAIL', 'ABORT'] as const)(
    'builds a %s event that the vendored OpenLineage schemas accept, facets included',
    (eventType) => {
      const event = runEvent({
        eventType,
        job: { namespace, name: 'data_mash.parse_file' },
        inputs: [file],
        outputs: [parsed],
        parent,
        processingEngine: { name: '@platform/data-mash', version: '1.2.3' },
        jobType: 'TASK',
        ...(eventType === 'FAIL' ? { error: new PlatformError('PARSE_FAILED', 'row 3 is malformed') } : {}),
      });
      expect(openLineageProblems(event)).toEqual([]);
      expect(event).toMatchObject({
        eventType,
        schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
        run: {
          facets: {
            parent: { run: { runId: parent.runId }, job: parent.job },
            processing_engine: { name: '@platform/data-mash', version: '1.2.3' },
          },
        },
        job: { facets: { jobType: { processingType: 'BATCH', integration: 'PLATFORM_SDK', jobType: 'TASK' } } },
        inputs: [
          {
            facets: {
              schema: {
                fields: [
                  { name: 'email', type: 'string' },
                  { name: 'amount', type: 'integer' },
                ],
              },
            },
            inputFacets: {
              dataQualityMetrics: {
                rowCount: 20,
                columnMetrics: { email: { nullCount: 0, distinctCount: 20, count: 20 }, amount: { nullCount: 1 } },
              },
            },
          },
        ],
        outputs: [
          {
            facets: {
              columnLineage: {
                fields: {
                  email: {
                    inputFields: [
                      {
                        namespace,
                        name: file.name,
                        field: 'email',
                        transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
                      },
                    ],
                  },
                  amount: { inputFields: [{ field: 'amount', transformations: [{ subtype: 'TRANSFORMATION' }] }] },
                },
              },
            },
          },
        ],
      });
      // Quality counts are for inputs, column lineage for outputs.
      expect(event.inputs[0]?.facets?.columnLineage).toBeUndefined();
      expect(event.outputs[0]?.inputFacets).toBeUndefined();
      expect(event.run.facets?.errorMessage === undefined).toBe(eventType !== 'FAIL');
      // Every facet names the vendored schema it was checked against.
      for (const facet of [
        ...Object.values(event.run.facets ?? {}),
        ...Object.values(event.job.facets ?? {}),
        ...[...event.inputs, ...event.outputs].flatMap((dataset) => [
          ...Object.values(dataset.facets ?? {}),
          ...Object.values(dataset.inputFacets ?? {}),
        ]),
      ]) {
        expect(facet._producer).toBe('https://www.npmjs.com/package/@platform/smart-city');
        expect(VENDORED_SCHEMA_IDS).toContain(facet._schemaURL.split('#')[0]);
      }
    },
  );

  it('rejects what the spec rejects (the validator is not a rubber stamp)', () => {
    const event = runEvent({ eventType: 'START', job: { namespace, name: 'j' }, inputs: [file], parent });
    const broken = structuredClone(event) as unknown as Record<string, Record<string, unknown>>;
    broken.run = { runId: 'not-a-uuid' };
    expect(openLineageProblems(broken).join('\n')).toMatch(/runId must match format "uuid"/);
    const noProducer = structuredClone(event);
    delete (noProducer.inputs[0]?.facets?.schema ?? ({} as Record<string, unknown>))._producer;
    const missing = openLineageProblems(noProducer).join('\n');
    expect(missing).toMatch(/inputs\[0\]\.schema: no _producer or _schemaURL/);
    expect(missing).toMatch(/facets\/schema must have required property '_producer'/);
    const badQuality = structuredClone(event);
    (badQuality.inputs[0]?.inputFacets?.dataQualityMetrics as Record<string, unknown>).columnMetrics = 'x';
    expect(openLineageProblems(badQuality).join('\n')).toMatch(/columnMetrics must be object/);
  });

  it('puts counts only in dataQualityMetrics: no minimum, maximum, sum or quantile', () => {
    const event = runEvent({
      eventType: 'COMPLETE',
      job: { namespace, name: 'j' },
      inputs: [
        {
          namespace,
          name: 'd',
          quality: {
            rowCount: 2,
            columns: { amount: { nullCount: 0, min: 10, max: 990, sum: 1000, quantiles: { '0.5': 500 } } as never },
          },
        },
      ],
    });
    expect(event.inputs[0]?.inputFacets?.dataQualityMetrics?.columnMetrics).toEqual({ amount: { nullCount: 0 } });
  });

  it('reports a failure by its code and message, with quoted parts (names, values) left out', () => {
    const error = new PlatformError(
      'UNSUPPORTED_FILE_TYPE',
      `cannot parse 'ada lovelace.csv': value "ada@example.com" in \`email\` at ‘row 3’`,
    );
    expect(lineageErrorMessage(error)).toBe(`UNSUPPORTED_FILE_TYPE: cannot parse '…': value "…" in \`…\` at “…”`);
    expect(lineageErrorMessage(new Error('boom'))).toBe('INTERNAL: boom');
    expect(lineageErrorMessage('x'.repeat(1000))).toHaveLength(500);
    const event = runEvent({ eventType: 'FAIL', job: { namespace, name: 'j' }, error });
    expect(event.run.facets?.errorMessage).toEqual({
      _producer: 'https://www.npmjs.com/package/@platform/smart-city',
      _schemaURL: LINEAGE_SCHEMA_URLS.errorMessage,
      message: `UNSUPPORTED_FILE_TYPE: cannot parse '…': value "…" in \`…\` at “…”`,
      programmingLanguage: 'JavaScript',
    });
    expect(JSON.stringify(event)).not.toMatch(/ada/);
    expect(openLineageProblems(event)).toEqual([]);
  });

  it('emits through the Data Steward with the run facets it is given, valid in the metadata store', async () => {
    const metadata = new MemoryMetadataStore();
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: { metadataStore: metadata },
      modules: [smartCityModule({ roles: [dataSteward()] })],
    });
    await platform.start();
    try {
      const steward = platform.get(DataStewardRef);
      const failed = await steward.emitLineage('acme', {
        eventType: 'FAIL',
        job: 'data_mash.parse_file',
        inputs: [file],
        parent,
        error: new PlatformError('PARSE_FAILED', "bad cell 'x'"),
      });
      expect(failed.run.facets).toMatchObject({ parent: { run: { runId: parent.runId } }, errorMessage: {} });
      const stored = await metadata.listGovernanceRecords('acme', {
        kind: 'lineage_event',
        subject: { kind: 'run', id: failed.run.runId },
      });
      expect(stored.items.map((record) => record.data)).toEqual([failed]);
      expect(openLineageProblems(stored.items[0]?.data)).toEqual([]);
    } finally {
      await platform.stop();
    }
  });
});

describe('the HTTP lineage sink', () => {
  type Receiver = {
    url: string;
    requests: Array<{ path: string; body: OpenLineageRunEvent }>;
    close: () => Promise<void>;
  };
  const receivers: Receiver[] = [];
  afterEach(async () => {
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  // A Marquez-like receiver on 127.0.0.1: `POST /api/v1/lineage`, answered by `answer` (201 by default).
  async function receiver(answer: (count: number) => number = () => 201): Promise<Receiver> {
    const requests: Receiver['requests'] = [];
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        requests.push({ path: `${request.method} ${request.url}`, body: JSON.parse(body) });
        response.writeHead(request.url === '/api/v1/lineage' ? answer(requests.length) : 404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const created = {
      url: `http://127.0.0.1:${port}/api/v1/lineage`,
      requests,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
    receivers.push(created);
    return created;
  }
  const event = () => runEvent({ eventType: 'START', job: { namespace, name: 'j' } });

  it('retries an event answered 5xx or 429, then delivers it', async () => {
    const marquez = await receiver((count) => (count === 1 ? 503 : count === 2 ? 429 : 201));
    const sent = event();
    await httpLineageSink(marquez.url, { retryDelayMs: 5 })(sent, 'acme');
    expect(marquez.requests).toEqual([
      { path: 'POST /api/v1/lineage', body: sent },
      { path: 'POST /api/v1/lineage', body: sent },
      { path: 'POST /api/v1/lineage', body: sent },
    ]);
  });

  it('gives up after its attempts, and does not retry an event refused (4xx)', async () => {
    const down = await receiver(() => 502);
    await expect(httpLineageSink(down.url, { attempts: 2, retryDelayMs: 5 })(event(), 'acme')).rejects.toMatchObject({
      code: 'ADAPTER_UNAVAILABLE',
      details: { status: 502, attempts: 2 },
    });
    expect(down.requests).toHaveLength(2);
    const refusing = await receiver(() => 400);
    await expect(httpLineageSink(refusing.url, { retryDelayMs: 5 })(event(), 'acme')).rejects.toMatchObject({
      code: 'ADAPTER_UNAVAILABLE',
      details: { status: 400, attempts: 1 },
    });
    expect(refusing.requests).toHaveLength(1);
  });

  it('retries an endpoint it cannot reach, then reports it unavailable', async () => {
    const gone = await receiver();
    const url = gone.url;
    await receivers.pop()?.close();
    await expect(httpLineageSink(url, { attempts: 3, retryDelayMs: 5 })(event(), 'acme')).rejects.toMatchObject({
      code: 'ADAPTER_UNAVAILABLE',
      details: { attempts: 3 },
    });
  });
});
