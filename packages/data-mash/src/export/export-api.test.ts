// Exports through the platform: the front-door capability (permission, tenant, BlobStore keys),
// exportJourney's streams, and what a failed export leaves (nothing).
import { PassThrough, Writable } from 'node:stream';
import { MemoryBlobStore } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_MASH_API, DataMashApiRef } from '../host/data-mash-api.js';
import type { ColumnProfile } from '../insights/column-profile.js';
import { ada, bob, salesCsv, salesXlsx, startFlowPlatform, testUser } from '../phases/flow.test-helpers.js';
import { queryParquet } from './export.test-helpers.js';
import { EXPORT_PERMISSION, exportJourney, exportKey } from './export-journey.js';
import { exportTable } from './export-table.js';

describe('exporting through the platform', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  let journeyId: string;
  let fileId: string;
  let workbookJourney: string;

  beforeAll(async () => {
    harness = await startFlowPlatform();
    const flow = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'sales.csv', data: salesCsv(12) },
    });
    if (!flow.success) throw new Error(flow.error.message);
    journeyId = flow.journeyId;
    fileId = flow.phases.file_uploaded.fileId;
    const workbook = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'sales.xlsx', data: await salesXlsx() },
    });
    if (!workbook.success) throw new Error(workbook.error.message);
    workbookJourney = workbook.journeyId;
  }, 60_000);
  afterAll(() => harness?.stop());

  const api = () => harness.platform.get(DataMashApiRef);

  it('declares POST /journeys/{journeyId}/exports, needing files:read', () => {
    expect(DATA_MASH_API.find((capability) => capability.name === 'data_mash.export_tables')).toMatchObject({
      name: 'data_mash.export_tables',
      permission: 'files:read',
      api: { method: 'POST', path: '/journeys/{journeyId}/exports', handler: 'exportTables' },
    });
    expect(EXPORT_PERMISSION).toBe('files:read');
  });

  it('stores each table beside its rows and answers the keys; DuckDB reads the typed file', async () => {
    const answer = await api().exportTables({ journeyId }, ada);
    expect(answer).toMatchObject({ journeyId, fileId, format: 'parquet' });
    const [table] = answer.tables;
    expect(table).toMatchObject({ table: 'sales', rows: 12, key: `parsed/${fileId}/exports/table-1.parquet` });
    const info = await harness.blobs.head('acme', table?.key as string);
    expect(info).toMatchObject({
      size: table?.bytes,
      sha256: table?.sha256,
      contentType: 'application/vnd.apache.parquet',
    });
    const rows = await queryParquet(
      await harness.blobs.get('acme', table?.key as string),
      'SELECT order_id, amount, ordered_at, typeof(amount) AS type FROM $file ORDER BY order_id LIMIT 2',
    );
    // Integers are BIGINT (JSON text here), dates DATE.
    expect(rows).toEqual([
      { order_id: '1', amount: '10', ordered_at: '2026-02-11', type: 'BIGINT' },
      { order_id: '2', amount: '20', ordered_at: '2026-03-12', type: 'BIGINT' },
    ]);

    const csv = await api().exportTables({ journeyId, format: 'csv' }, ada);
    const text = Buffer.from(await harness.blobs.get('acme', csv.tables[0]?.key as string)).toString('utf8');
    expect(text.split('\r\n').slice(0, 2)).toEqual([
      'order_id,customer_email,amount,ordered_at',
      '1,customer1@example.com,10,2026-02-11',
    ]);
  });

  it('exports one table of several by name, and names the tables there are when asked for another', async () => {
    const one = await api().exportTables({ journeyId: workbookJourney, table: 'Orders' }, ada);
    expect(one.tables.map((table) => table.table)).toEqual(['Orders']);
    const all = await api().exportTables({ journeyId: workbookJourney }, ada);
    expect(all.tables.length).toBeGreaterThan(1);
    await expect(api().exportTables({ journeyId: workbookJourney, table: 'Nope' }, ada)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining("'Orders'"),
    });
  });

  it('refuses a caller without files:read, and another tenant’s journey is not found', async () => {
    const reader = testUser('acme', { userId: 'eve', permissions: ['journeys:read', 'insights:read'] });
    await expect(api().exportTables({ journeyId }, reader)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(api().exportTables({ journeyId }, bob)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(api().exportTables({ journeyId }, { userId: 'ada', tenantId: 'acme' })).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
  });

  it('streams to what the caller opens, with exportJourney', async () => {
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = await exportJourney({
      metadata: harness.metadata,
      blobStore: harness.blobs,
      tenantId: 'acme',
      journeyId,
      format: 'csv',
      csv: { bom: true },
      to: () => sink,
    });
    expect(done.tables[0]).toMatchObject({ rows: 12, bytes: Buffer.concat(chunks).length });
    expect(done.tables[0]?.key).toBeUndefined();
    expect(Buffer.concat(chunks).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });
});

describe('a failed export', () => {
  const column = (name: string, type: ColumnProfile['type'], physicalType: ColumnProfile['physicalType']) =>
    ({
      name,
      type,
      physicalType,
      otherTypeValues: 0,
      numeric: { min: 1, max: 3, infinite: 0 },
    }) as unknown as ColumnProfile;

  it('stores nothing when a value does not read as the type its profile says (CONTRACT_VIOLATION)', async () => {
    const blobStore = new MemoryBlobStore();
    await blobStore.put('t', 'parsed/f/table-1.jsonl', Buffer.from('{"n":"1"}\n{"n":"2"}\n{"n":"three"}\n'));
    const table = {
      name: 't',
      rowsKey: 'parsed/f/table-1.jsonl',
      insights: { rowCount: 3, columns: [column('n', 'integer', 'integer')] },
    };
    const key = exportKey(table, 'parquet');
    expect(key).toBe('parsed/f/exports/table-1.parquet');
    await expect(
      exportTable({ blobStore, tenantId: 't', table, format: 'parquet', to: { key } }),
    ).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
      details: { column: 'n', row: 3 },
    });
    expect(await blobStore.head('t', key)).toBeUndefined();
    // The CSV of the same rows needs no types.
    const csv = await exportTable({ blobStore, tenantId: 't', table, format: 'csv', to: { key: 'x.csv' } });
    expect(Buffer.from(await blobStore.get('t', 'x.csv')).toString()).toBe('n\r\n1\r\n2\r\nthree\r\n');
    expect(csv).toMatchObject({ rows: 3, bytes: 16, key: 'x.csv' });
  });

  it('ends with the stream’s error when the stream fails, and the rows’ NOT_FOUND when they are gone', async () => {
    const blobStore = new MemoryBlobStore();
    await blobStore.put('t', 'rows.jsonl', Buffer.from('{"n":"1"}\n'.repeat(50_000)));
    const table = {
      name: 't',
      rowsKey: 'rows.jsonl',
      insights: { rowCount: 50_000, columns: [column('n', 'integer', 'integer')] },
    };
    const failing = new Writable({
      write: (_chunk, _encoding, callback) => callback(new Error('disk full')),
    });
    await expect(exportTable({ blobStore, tenantId: 't', table, format: 'csv', to: failing })).rejects.toThrow(
      'disk full',
    );
    await expect(
      exportTable({
        blobStore,
        tenantId: 't',
        table: { ...table, rowsKey: 'gone.jsonl' },
        format: 'parquet',
        to: { key: 'y' },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await blobStore.head('t', 'y')).toBeUndefined();
  });
});
