import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

/** Rows of `query` run by DuckDB over a Parquet file's bytes, named `$file` in the query. */
export async function queryParquet(bytes: Uint8Array, query: string): Promise<Record<string, unknown>[]> {
  const directory = await mkdtemp(join(tmpdir(), 'export-parquet-'));
  const path = join(directory, 'table.parquet');
  await writeFile(path, bytes);
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(query.replace('$file', `read_parquet('${path}')`));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    instance.closeSync();
    await rm(directory, { recursive: true, force: true });
  }
}
