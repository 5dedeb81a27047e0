// Parquet and CSV exports read back by DuckDB and compared, value by value, with the parsed rows
// (the JSON Lines copy the flow stores). For Parquet, DuckDB also reads each original text as the
// column's type (CAST, strptime, TIMESTAMPTZ): the typed value in the file must be DuckDB's
// reading of the same text. For CSV, every cell read back (all as text) must be the stored text
// once the formula guard is undone, and no cell may start a formula.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { MemoryBlobStore } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeInsights, type InsightsResult } from '../content/content-insights.js';
import { parseContent } from '../content/parse-content.js';
import type { ParquetColumnType } from './column-plan.js';
import { csvText, unguardCsvCell } from './csv.js';
import { type ExportableTable, type ExportedTable, exportTable } from './export-table.js';
import { storedRows } from './rows.js';

const TENANT = 'acme';
const quoteCsv = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
const csvFile = (rows: string[][]) => `${rows.map((row) => row.map(quoteCsv).join(',')).join('\r\n')}\r\n`;

// Orders: every column type, and the cells CSV exports go wrong on.
function ordersCsv(): string {
  const names = ['Zoë Ågren', '李雷', 'Ωmega 🎉', 'José, "Pepe"', 'two\nlines', "O'Brien", 'e\u0301 combining'];
  const notes = [
    '=SUM(A1)',
    '@cmd',
    '+1 555 0100',
    '-abc',
    "'quoted",
    "'=already guarded?",
    'plain, with comma',
    'say "hi"',
    'crlf\r\ninside',
    '',
    'naïve café',
    '-5',
    '=HYPERLINK("http://evil.example","x")',
  ];
  const rows = [
    [
      'order_id',
      'zip',
      'customer',
      'amount',
      'qty',
      'paid',
      'ordered_on',
      'updated_at',
      'note',
      'big_text',
      'big_int',
      'mostly_numbers',
      'price',
      'empty_col',
    ],
  ];
  for (let index = 1; index <= 60; index += 1) {
    const day = new Date(Date.UTC(2024, 0, index)).toISOString().slice(0, 10);
    const updated =
      index % 5 === 0
        ? `${day}T10:15:30.${String(index * 12_345).padStart(6, '0')}Z`
        : index % 7 === 0
          ? `${day}T12:30:00+02:00`
          : `${day} 08:0${index % 10}:00`;
    rows.push([
      String(index),
      String((index * 977) % 20_000).padStart(5, '0'),
      `${names[index % names.length]} ${index}`,
      index % 11 === 0 ? '' : (((index * 37) % 200) - 100 + 0.25).toFixed(2),
      String((index % 7) - 3),
      index % 2 === 0 ? 'yes' : 'no',
      day,
      updated,
      notes[index % notes.length] as string,
      index % 3 === 0
        ? 'n/a-x'
        : index % 3 === 1
          ? String(9_007_199_254_740_993n + BigInt(index))
          : '12345678901234567890123',
      String(9_007_199_254_740_993n * BigInt(index % 5 === 0 ? -1 : 1) + BigInt(index)),
      index === 17 || index === 40 ? 'unknown' : String(index * 3),
      `$${(index * 1234.5).toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
      '',
    ]);
  }
  return csvFile(rows);
}

// Dates written day first (13/01/2024): the profile decides the order from the values.
function dayFirstCsv(): string {
  const rows = [['when', 'reading']];
  for (let index = 0; index < 30; index += 1) {
    const date = new Date(Date.UTC(2023, 11, 20) + index * 86_400_000);
    const text = `${String(date.getUTCDate()).padStart(2, '0')}/${String(date.getUTCMonth() + 1).padStart(2, '0')}/${date.getUTCFullYear()}`;
    rows.push([text, String(-index * 1.5)]);
  }
  return csvFile(rows);
}

// A JSON file: typed values (numbers, booleans, nulls), nested objects, a missing key.
function recordsJson(): string {
  const records = Array.from({ length: 25 }, (_, index) => ({
    n: index - 12,
    x: index / 8 - 1,
    ok: index % 3 === 0,
    label: index % 4 === 0 ? null : `label ${index}`,
    nested: { a: index, tags: ['t', index] },
    ...(index % 5 === 0 ? {} : { sometimes: `s${index}` }),
  }));
  return JSON.stringify(records);
}

interface Fixture {
  file: string;
  body: string;
  /** The Parquet type each named column must get. */
  types: Record<string, ParquetColumnType>;
  /** DuckDB's reading of a column's text `{t}`, where the default for its type does not fit. */
  reference?: Record<string, string>;
}

const FIXTURES: Fixture[] = [
  {
    file: 'orders.csv',
    body: ordersCsv(),
    types: {
      order_id: 'int64',
      zip: 'utf8',
      customer: 'utf8',
      amount: 'double',
      qty: 'int64',
      paid: 'boolean',
      ordered_on: 'date32',
      updated_at: 'timestamp',
      note: 'utf8',
      big_text: 'utf8',
      big_int: 'int64',
      mostly_numbers: 'utf8',
      price: 'double',
      empty_col: 'utf8',
    },
  },
  {
    file: 'day-first.csv',
    body: dayFirstCsv(),
    types: { when: 'date32', reading: 'double' },
    reference: { when: `strptime({t}, '%d/%m/%Y')::DATE` },
  },
  {
    file: 'records.json',
    body: recordsJson(),
    types: { n: 'int64', x: 'double', ok: 'boolean', label: 'utf8', 'nested.a': 'int64', sometimes: 'utf8' },
  },
];

// DuckDB's reading of a column's stored text `{t}` as the column's Parquet type.
const NUMBER_TEXT = `replace(regexp_replace(trim({t}), '[$€£%]', '', 'g'), ',', '')`;
const REFERENCE: Record<ParquetColumnType, string> = {
  int64: `TRY_CAST(${NUMBER_TEXT} AS HUGEINT)`,
  double: `TRY_CAST(${NUMBER_TEXT} AS DOUBLE)`,
  boolean: `CASE WHEN lower(trim({t})) IN ('true', 'yes', 't', 'y') THEN true WHEN lower(trim({t})) IN ('false', 'no', 'f', 'n') THEN false END`,
  date32: 'TRY_CAST(trim({t}) AS DATE)',
  timestamp: 'TRY_CAST(TRY_CAST(trim({t}) AS TIMESTAMPTZ) AS TIMESTAMP)',
  utf8: '{t}',
};
const DUCKDB_TYPE: Record<ParquetColumnType, string> = {
  int64: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date32: 'DATE',
  timestamp: 'TIMESTAMP',
  utf8: 'VARCHAR',
};
const sqlName = (name: string) => `"${name.replaceAll('"', '""')}"`;
const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`;

describe('exports read back by DuckDB', () => {
  let directory: string;
  let instance: DuckDBInstance;
  let db: DuckDBConnection;
  const blobStore = new MemoryBlobStore();
  const tables = new Map<string, { table: ExportableTable; rows: unknown[][]; fixture: Fixture }>();

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'data-mash-export-'));
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    db = await instance.connect();
    await db.run(`SET TimeZone = 'UTC'`);
    for (const [index, fixture] of FIXTURES.entries()) {
      const parse = await parseContent(
        {
          tenantId: TENANT,
          fileId: `f${index}`,
          fileName: fixture.file,
          body: new TextEncoder().encode(fixture.body),
          blobStore,
        },
        { profile: {} },
      );
      const insights: InsightsResult = await computeInsights({ tenantId: TENANT, blobStore, parse });
      const table = insights.tables[0] as ExportableTable;
      const names = table.insights.columns.map((column) => column.name);
      const rows: unknown[][] = [];
      for await (const values of storedRows(blobStore, TENANT, table.rowsKey, names)) rows.push([...values]);
      tables.set(fixture.file, { table, rows, fixture });
    }
  }, 60_000);

  afterAll(async () => {
    db?.closeSync();
    instance?.closeSync();
    await rm(directory, { recursive: true, force: true });
  });

  async function exportTo(file: string, format: 'parquet' | 'csv'): Promise<{ path: string; exported: ExportedTable }> {
    const { table } = tables.get(file) as { table: ExportableTable };
    const path = join(directory, `${file}.${format}`);
    const exported = await exportTable({ blobStore, tenantId: TENANT, table, format, to: createWriteStream(path) });
    return { path, exported };
  }

  // The stored rows as a DuckDB table of text (`row`, then each column as the CSV writer's text; NULL when empty).
  async function referenceTable(file: string): Promise<string> {
    const { table, rows } = tables.get(file) as { table: ExportableTable; rows: unknown[][] };
    const name = `ref_${file.replace(/\W/g, '_')}`;
    const columns = table.insights.columns.map((column) => `${sqlName(column.name)} VARCHAR`);
    await db.run(`CREATE OR REPLACE TABLE ${name} ("#row" BIGINT, ${columns.join(', ')})`);
    const appender = await db.createAppender(name);
    rows.forEach((values, index) => {
      appender.appendBigInt(BigInt(index));
      for (const value of values) {
        const text = csvText(value);
        if (text === '') appender.appendNull();
        else appender.appendVarchar(text);
      }
      appender.endRow();
    });
    appender.closeSync();
    return name;
  }

  it.each(FIXTURES.map((fixture) => fixture.file))(
    'Parquet of %s: typed columns, every value DuckDB’s reading of the stored text',
    async (file) => {
      const { rows, fixture } = tables.get(file) as { rows: unknown[][]; fixture: Fixture };
      const { path, exported } = await exportTo(file, 'parquet');
      expect(exported.rows).toBe(rows.length);
      const planned = Object.fromEntries(exported.columns.map((column) => [column.name, column.parquetType]));
      expect(planned).toMatchObject(fixture.types);

      const parquet = `read_parquet(${sqlText(path)}, file_row_number = true)`;
      const described = (await db.runAndReadAll(`DESCRIBE SELECT * EXCLUDE (file_row_number) FROM ${parquet}`))
        .getRowObjectsJson()
        .map((row) => [row.column_name, row.column_type]);
      expect(described).toEqual(
        exported.columns.map((column) => [column.name, DUCKDB_TYPE[column.parquetType as ParquetColumnType]]),
      );
      const count = (await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${parquet}`)).getRowObjectsJson();
      expect(count).toEqual([{ n: rows.length }]);

      const reference = await referenceTable(file);
      for (const column of exported.columns) {
        const type = column.parquetType as ParquetColumnType;
        const expected = (fixture.reference?.[column.name] ?? REFERENCE[type]).replaceAll(
          '{t}',
          `r.${sqlName(column.name)}`,
        );
        const mismatches = (
          await db.runAndReadAll(
            `SELECT r."#row" AS row, r.${sqlName(column.name)} AS text, p.${sqlName(column.name)}::VARCHAR AS actual, (${expected})::VARCHAR AS expected
             FROM ${reference} r JOIN ${parquet} p ON p.file_row_number = r."#row"
             WHERE p.${sqlName(column.name)}::VARCHAR IS DISTINCT FROM (${expected})::VARCHAR
             ORDER BY 1 LIMIT 5`,
          )
        ).getRowObjectsJson();
        expect(mismatches, `${file}: ${column.name} (${type})`).toEqual([]);
        // The comparison saw the values: a typed column's non-empty texts all read as values.
        if (type !== 'utf8') {
          const unread = (
            await db.runAndReadAll(
              `SELECT count(*)::INTEGER AS n FROM ${reference} r JOIN ${parquet} p ON p.file_row_number = r."#row"
               WHERE r.${sqlName(column.name)} IS NOT NULL AND p.${sqlName(column.name)} IS NULL`,
            )
          ).getRowObjectsJson();
          expect(unread, `${file}: ${column.name}`).toEqual([{ n: 0 }]);
        }
      }
      // Integers beyond 2^53 are exact, and as BIGINT in JavaScript too.
      if (file === 'orders.csv') {
        const big = (
          await db.runAndReadAll(`SELECT big_int FROM ${parquet} ORDER BY file_row_number LIMIT 5`)
        ).getRowsJS();
        expect(big.map(([value]) => value)).toEqual(
          [1n, 2n, 3n, 4n, -5n].map((n) => (n < 0n ? -9_007_199_254_740_993n + 5n : 9_007_199_254_740_993n + n)),
        );
        const text = (
          await db.runAndReadAll(`SELECT big_text FROM ${parquet} ORDER BY file_row_number LIMIT 3`)
        ).getRowsJS();
        expect(text.map(([value]) => value)).toEqual(['9007199254740994', '12345678901234567890123', 'n/a-x']);
        expect(exported.columns.find((column) => column.name === 'mostly_numbers')?.textBecause).toBe(
          '2 values are not an integer',
        );
        expect(exported.columns.find((column) => column.name === 'price')?.unit).toBe('$');
      }
    },
  );

  it.each([
    ['snappy', 'SNAPPY'],
    ['zstd', 'ZSTD'],
    ['gzip', 'GZIP'],
    ['none', 'UNCOMPRESSED'],
  ] as const)('writes row groups of the size asked for, compressed with %s', async (compression, codec) => {
    const { table, rows } = tables.get('orders.csv') as { table: ExportableTable; rows: unknown[][] };
    const { path: defaults } = await exportTo('orders.csv', 'parquet');
    const path = join(directory, `orders-${compression}.parquet`);
    await exportTable({
      blobStore,
      tenantId: TENANT,
      table,
      format: 'parquet',
      to: createWriteStream(path),
      parquet: { rowGroupRows: 16, compression },
    });
    const groups = (
      await db.runAndReadAll(
        `SELECT row_group_id, max(row_group_num_rows)::INTEGER AS n, list(DISTINCT compression) AS codecs
         FROM parquet_metadata(${sqlText(path)}) GROUP BY 1 ORDER BY 1`,
      )
    ).getRowObjectsJson();
    expect(groups.map((group) => group.n)).toEqual([16, 16, 16, rows.length - 48]);
    expect(new Set(groups.flatMap((group) => group.codecs as string[]))).toEqual(new Set([codec]));
    const same = (
      await db.runAndReadAll(
        `SELECT count(*)::INTEGER AS n FROM (SELECT * FROM read_parquet(${sqlText(path)}) EXCEPT ALL SELECT * FROM read_parquet(${sqlText(defaults)}))`,
      )
    ).getRowObjectsJson();
    expect(same).toEqual([{ n: 0 }]);
  });

  it.each(FIXTURES.map((fixture) => fixture.file))(
    'CSV of %s: every cell the stored text once unguarded, no cell a formula, numbers still numbers',
    async (file) => {
      const { table, rows } = tables.get(file) as { table: ExportableTable; rows: unknown[][] };
      const { path, exported } = await exportTo(file, 'csv');
      expect(exported.rows).toBe(rows.length);
      const names = table.insights.columns.map((column) => column.name);
      const csv = `read_csv(${sqlText(path)}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"', strict_mode = true)`;
      const read = await db.runAndReadAll(`SELECT * FROM ${csv}`);
      expect(read.columnNames().map(unguardCsvCell)).toEqual(names);
      const cells = read.getRowsJS() as Array<Array<string | null>>;
      expect(cells).toHaveLength(rows.length);
      cells.forEach((record, index) => {
        expect(
          record.map((cell) => unguardCsvCell(cell ?? '')),
          `row ${index + 1}`,
        ).toEqual((rows[index] as unknown[]).map(csvText));
        for (const cell of record) {
          if (cell !== null && /^[=+\-@\t\r]/.test(cell))
            expect(cell).toMatch(/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/);
        }
      });
      if (file === 'orders.csv') {
        // Negative amounts are not prefixed: DuckDB's sniffer reads the columns as numbers.
        const types = (await db.runAndReadAll(`DESCRIBE SELECT amount, qty FROM read_csv(${sqlText(path)})`))
          .getRowObjectsJson()
          .map((row) => row.column_type);
        expect(types).toEqual(['DOUBLE', 'BIGINT']);
        const guarded = cells.map((record) => record[names.indexOf('note')]);
        expect(guarded).toContain("'=SUM(A1)");
        expect(guarded).toContain("'@cmd");
        expect(guarded).toContain("''=already guarded?");
        expect(guarded).toContain("'quoted");
        expect(guarded).toContain('-5');
      }
    },
  );
});
