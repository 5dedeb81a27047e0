// Downloading a flow's tables through the front door: the bytes are the stored export's, the
// rows are the uploaded file's (CSV compared line by line, Parquet read back by DuckDB).
import { apiGateway, communicationDirector } from '@platform/smart-city';
import { createHttpApp, type HttpApp } from '@platform/smart-city/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, bob, salesCsv, salesXlsx, startFlowPlatform, testUser } from '../phases/flow.test-helpers.js';
import { queryParquet } from './export.test-helpers.js';

const users = {
  ada,
  bob,
  reader: testUser('acme', { userId: 'eve', permissions: ['journeys:read', 'insights:read'] }),
};

describe('downloading a flow’s tables', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  let front: HttpApp;
  let csvJourney: string;
  let csvFileId: string;
  let workbookJourney: string;
  const input = salesCsv(40);

  beforeAll(async () => {
    harness = await startFlowPlatform({ modules: { roles: [apiGateway(), communicationDirector()] } });
    front = createHttpApp(harness.platform, {
      authenticate: async (request) => users[request.headers.get('x-test-user') as keyof typeof users],
    });
    const flow = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'Q3 sales.csv', data: input },
    });
    if (!flow.success) throw new Error(flow.error.message);
    csvJourney = flow.journeyId;
    csvFileId = flow.phases.file_uploaded.fileId;
    const workbook = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'book.xlsx', data: await salesXlsx() },
    });
    if (!workbook.success) throw new Error(workbook.error.message);
    workbookJourney = workbook.journeyId;
  }, 120_000);
  afterAll(() => harness?.stop());

  const get = (path: string, user: keyof typeof users = 'ada') =>
    front.fetch(new Request(`http://127.0.0.1${path}`, { headers: { 'x-test-user': user } }));

  it('answers the CSV of the rows uploaded, named after the file, the same bytes as the stored export', async () => {
    const response = await get(`/journeys/${csvJourney}/exports/csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers.get('content-disposition')).toContain(`filename*=UTF-8''Q3%20sales.csv`);
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(body.toString('utf8').split('\r\n')).toEqual(new TextDecoder().decode(input).split('\n'));
    expect(Buffer.from(await harness.blobs.get('acme', `parsed/${csvFileId}/exports/table-1.csv`))).toEqual(body);
  });

  it('puts the export in the flow’s lineage: a node from the parsed file, by data_mash.export_table', async () => {
    await get(`/journeys/${csvJourney}/exports/csv`);
    const lineage = (await (await get(`/journeys/${csvJourney}/lineage`)).json()) as {
      nodes: Array<{ id: string; kind: string; label: string }>;
      edges: Array<{ from: string; to: string; job: string; relation: string }>;
    };
    const exported = lineage.nodes.find((node) => node.kind === 'export');
    expect(exported).toMatchObject({ label: 'Q3 sales as CSV' });
    const edge = lineage.edges.find((candidate) => candidate.to === exported?.id);
    expect(edge).toMatchObject({ job: 'data_mash.export_table', relation: 'exported_from', state: 'COMPLETE' });
    expect(lineage.nodes.find((node) => node.id === edge?.from)?.kind).toBe('parsed_file');
    // The OpenLineage event: the rows in, the export out, once however many times it is downloaded.
    await get(`/journeys/${csvJourney}/exports/csv`);
    const events = await harness.metadata.listGovernanceRecords('acme', { kind: 'lineage_event', limit: 1000 });
    const runs = events.items.filter(
      (record) => (record.data.job as { name?: string })?.name === 'data_mash.export_table',
    );
    const csvRuns = runs.filter((record) => JSON.stringify(record.data.outputs).includes('table-1.csv'));
    expect(csvRuns).toHaveLength(1);
    expect(JSON.stringify(csvRuns[0]?.data.inputs)).toContain(`parsed/${csvFileId}/table-1.jsonl`);
  });

  it('answers Parquet that DuckDB reads back to the same rows and figures as the file', async () => {
    const response = await get(`/journeys/${csvJourney}/exports/parquet`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(response.headers.get('content-disposition')).toContain(`filename*=UTF-8''Q3%20sales.parquet`);
    const rows = await queryParquet(
      new Uint8Array(await response.arrayBuffer()),
      'SELECT count(*) AS n, sum(amount) AS total, min(ordered_at)::VARCHAR AS first FROM $file',
    );
    const lines = new TextDecoder().decode(input).trim().split('\n').slice(1);
    const total = lines.reduce((sum, line) => sum + Number(line.split(',')[2]), 0);
    const first = lines.map((line) => line.split(',')[3] as string).sort()[0];
    expect(rows).toEqual([{ n: '40', total: String(total), first }]);
  });

  it('asks which table of several, naming them; answers one by name', async () => {
    const which = await get(`/journeys/${workbookJourney}/exports/csv`);
    expect(which.status).toBe(400);
    const problem = (await which.json()) as { code: string; details: { tables: string[] } };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.details.tables).toContain('Orders');
    const unknown = await get(`/journeys/${workbookJourney}/exports/csv?table=orders`);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      detail: expect.stringContaining("has no table 'orders'; its tables: 'Orders'"),
    });
    const orders = await get(`/journeys/${workbookJourney}/exports/csv?table=Orders`);
    expect(orders.status).toBe(200);
    expect(orders.headers.get('content-disposition')).toContain(`filename="book-Orders.csv"`);
    expect((await orders.text()).split('\r\n')[0]).toMatch(/,/);
  });

  it('names the file after a long name cut between whole characters (an emoji at the cut)', async () => {
    const name = `${'a'.repeat(179)}😀.csv`;
    const flow = await harness.flow.executeDataMashFlow({ userContext: ada, file: { name, data: salesCsv(3) } });
    if (!flow.success) throw new Error(flow.error.message);
    const response = await get(`/journeys/${flow.journeyId}/exports/csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(
      `filename*=UTF-8''${'a'.repeat(179)}%F0%9F%98%80.csv`,
    );
    expect((await response.text()).split('\r\n')[0]).toBe('order_id,customer_email,amount,ordered_at');
  });

  it('refuses a caller without files:read, another tenant and a format it does not know, with problems', async () => {
    expect((await get(`/journeys/${csvJourney}/exports/csv`, 'reader')).status).toBe(403);
    const other = await get(`/journeys/${csvJourney}/exports/csv`, 'bob');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-disposition')).toBeNull();
    const format = await get(`/journeys/${csvJourney}/exports/xlsx`);
    expect(format.status).toBe(400);
    expect(((await format.json()) as { code: string }).code).toBe('VALIDATION_FAILED');
  });
});
