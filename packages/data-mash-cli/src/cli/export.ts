import { existsSync, statSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  EXPORT_FILE_TYPES,
  EXPORT_FORMATS,
  type ExportableTable,
  type ExportedTable,
  type ExportFormat,
  exportTable,
  readExportableJourney,
  selectTables,
} from '@platform/data-mash';
import { BlobStoreRef, MetadataStoreRef } from '@platform/foundations';
import { EXIT, print, printable, printJson, UsageError } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

/** Options of `data-mash export`. */
export interface ExportCommandOptions extends GlobalOptions {
  format?: string;
  table?: string;
  out?: string;
  force?: boolean;
}

/**
 * A file name from a table's name: letters, digits, `.`, `_` and `-` kept, anything else (a
 * slash, a control character, a space) made `_`; never empty, never `.` or `..`, at most 100
 * characters. Tables of one file may share a name: a `-2`, `-3`... keeps them apart.
 */
function fileNameOf(name: string, taken: Set<string>, extension: string): string {
  let base = name
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}._-]+/gu, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  if (base === '') base = 'table';
  let file = `${base}${extension}`;
  for (let k = 2; taken.has(file.toLowerCase()); k += 1) file = `${base}-${k}${extension}`;
  taken.add(file.toLowerCase());
  return file;
}

/**
 * Where each table goes. One table: `--out` is the file (default `./<table>.<ext>`). Several:
 * `--out` is a folder, made if missing (default the working directory), each table's file named
 * after the table.
 */
async function targetsOf(
  tables: readonly ExportableTable[],
  format: ExportFormat,
  out: string | undefined,
  force: boolean,
): Promise<string[]> {
  const { extension } = EXPORT_FILE_TYPES[format];
  const taken = new Set<string>();
  const names = tables.map((table) => fileNameOf(table.name, taken, extension));
  const isFolder = out !== undefined && (/[/\\]$/.test(out) || (existsSync(out) && statSync(out).isDirectory()));
  let paths: string[];
  if (tables.length === 1 && out !== undefined && !isFolder) paths = [resolve(out)];
  else {
    const folder = resolve(out ?? '.');
    if (out !== undefined) await mkdir(folder, { recursive: true });
    paths = names.map((name) => join(folder, name));
  }
  // The default name of a CSV's export is the CSV's own name: never replaced unless asked to.
  const existing = force ? [] : paths.filter((path) => existsSync(path));
  if (existing.length > 0) {
    throw new UsageError(
      `${existing.map((path) => `'${path}'`).join(', ')} ${existing.length === 1 ? 'exists' : 'exist'} already: --force replaces, --out names another path`,
    );
  }
  return paths;
}

// Writes one table to `path` through a file beside it, renamed when complete: a failed or
// interrupted export leaves no partial file under the name.
async function exportToFile(
  session: Awaited<ReturnType<typeof openExistingSession>>,
  table: ExportableTable,
  format: ExportFormat,
  path: string,
): Promise<ExportedTable> {
  const partial = `${path}.partial-${process.pid}`;
  await mkdir(dirname(path), { recursive: true });
  // Opened here, so that a path that cannot be written is this command's error, before any row is read.
  const file = await open(partial, 'w');
  try {
    const exported = await exportTable({
      blobStore: session.platform.get(BlobStoreRef),
      tenantId: session.user.tenantId,
      table,
      format,
      to: file.createWriteStream(),
    });
    await rename(partial, path);
    return exported;
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * `data-mash export <journey>`: writes the tables of a completed flow as Parquet (typed columns)
 * or CSV (formula-safe), and prints each file's path (`--json`: paths, rows, bytes and column
 * types). Notes about columns written as text go to stderr.
 */
export async function exportCommand(id: string, options: ExportCommandOptions): Promise<number> {
  const format = (options.format ?? 'parquet') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new UsageError(`--format must be ${EXPORT_FORMATS.join(' or ')}, not '${options.format}'`);
  }
  const session = await openExistingSession(options);
  try {
    const journey = await readExportableJourney({
      metadata: session.platform.get(MetadataStoreRef),
      blobStore: session.platform.get(BlobStoreRef),
      tenantId: session.user.tenantId,
      journeyId: id,
    });
    const tables = selectTables(journey, options.table === undefined ? undefined : [options.table]);
    const paths = await targetsOf(tables, format, options.out, options.force ?? false);
    const files: Array<ExportedTable & { path: string }> = [];
    for (const [index, table] of tables.entries()) {
      const path = paths[index] as string;
      files.push({ ...(await exportToFile(session, table, format, path)), path });
      if (!options.json) print(path);
      for (const column of files.at(-1)?.columns ?? []) {
        if (column.textBecause) {
          process.stderr.write(
            `note: ${printable(table.name)}: column ${printable(column.name)} (${column.type}) written as text: ${printable(column.textBecause)}\n`,
          );
        }
      }
    }
    if (options.json) printJson({ journeyId: journey.journeyId, format, files });
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
