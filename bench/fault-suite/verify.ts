import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import type { CorpusFile } from './corpus.ts';

/** What the suite found after the run: every breach of a guarantee, and the counts behind them. */
export interface Verdict {
  breaches: string[];
  counts: Record<string, number>;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * Checks the stores against the corpus, the input itself as the reference: each distinct file of
 * a tenant stored once, with one journey, completed for a good file with its parsed rows equal to
 * the file's, failed for a malformed one with its reason; no duplicate record in the metadata and
 * semantic stores; every job of the queue completed or dead-lettered with a reason; every stored
 * object belonging to a file of the tenant.
 */
export async function verify(options: {
  corpus: CorpusFile[];
  postgresUrl: string;
  blobDir: string;
  semanticDb: string;
  queue: string;
}): Promise<Verdict> {
  const breaches: string[] = [];
  const counts: Record<string, number> = {};
  const client = new pg.Client({ connectionString: options.postgresUrl });
  await client.connect();
  try {
    const expected = new Map<string, CorpusFile>();
    for (const file of options.corpus) expected.set(`${file.tenant}/${sha256(file.path)}`, file);
    counts.distinctFiles = expected.size;

    const files = await client.query<{ tenant_id: string; id: string; sha256: string; status: string }>(
      'select tenant_id, id, sha256, status from platform_files',
    );
    const fileIdOf = new Map<string, string>();
    for (const row of files.rows) {
      const key = `${row.tenant_id}/${row.sha256}`;
      if (!expected.has(key)) breaches.push(`a file record no submitted file made: ${key} (${row.status})`);
      if (fileIdOf.has(key)) breaches.push(`two file records for one file: ${key}`);
      fileIdOf.set(key, row.id);
      if (row.status !== 'stored') breaches.push(`file ${key} is ${row.status}, not stored`);
    }
    for (const [key, file] of expected)
      if (!fileIdOf.has(key)) breaches.push(`a submitted file was never stored: ${file.name} (${key})`);
    counts.fileRecords = files.rowCount ?? 0;

    const journeys = await client.query<{
      tenant_id: string;
      idempotency_key: string;
      status: string;
      error: { code?: string } | null;
    }>(`select tenant_id, idempotency_key, status, error from platform_journeys where template = 'data_mash_flow'`);
    const journeysOf = new Map<string, typeof journeys.rows>();
    for (const row of journeys.rows) {
      const key = `${row.tenant_id}/${row.idempotency_key}`;
      journeysOf.set(key, [...(journeysOf.get(key) ?? []), row]);
    }
    counts.journeys = journeys.rowCount ?? 0;
    for (const key of journeysOf.keys())
      if (!expected.has(key)) breaches.push(`a journey no submitted file made: ${key}`);
    counts.completedJourneys = journeys.rows.filter((row) => row.status === 'completed').length;
    counts.failedJourneys = journeys.rows.filter((row) => row.status === 'failed').length;
    const parsed = await client.query<{ tenant_id: string; file_id: string; n: number; rows: string | null }>(
      'select tenant_id, file_id, count(*)::int as n, max(row_count)::text as rows from platform_parsed_files group by 1, 2',
    );
    const parsedOf = new Map(parsed.rows.map((row) => [`${row.tenant_id}/${row.file_id}`, row]));
    const tenantOf = new Map<string, string>();
    for (const [key, id] of fileIdOf) tenantOf.set(id, key.split('/')[0] as string);
    for (const row of parsed.rows) {
      if (tenantOf.get(row.file_id) !== row.tenant_id)
        breaches.push(`a parsed-file record of no file of its tenant: ${row.tenant_id}/${row.file_id}`);
    }
    for (const [key, file] of expected) {
      const found = journeysOf.get(key) ?? [];
      if (found.length !== 1) {
        breaches.push(`${file.name}: ${found.length} journeys, expected exactly one`);
        continue;
      }
      const [journey] = found;
      const fileId = fileIdOf.get(key);
      if (file.kind === 'malformed') {
        if (journey?.status !== 'failed' || journey.error?.code !== 'MALFORMED_FILE') {
          breaches.push(
            `${file.name}: journey ${journey?.status} (${journey?.error?.code}), expected failed with MALFORMED_FILE`,
          );
        }
        continue;
      }
      if (journey?.status !== 'completed') {
        breaches.push(`${file.name}: journey ${journey?.status} (${journey?.error?.code ?? ''}), expected completed`);
        continue;
      }
      const parse = parsedOf.get(`${file.tenant}/${fileId}`);
      if (parse?.n !== 1) breaches.push(`${file.name}: ${parse?.n ?? 0} parsed-file records, expected one`);
      else if (Number(parse.rows) !== file.rows)
        breaches.push(`${file.name}: ${parse.rows} rows parsed, the file has ${file.rows}`);
    }

    // Jobs: none left waiting or running; each completed, or dead-lettered with its reason.
    const jobs = await client.query<{ name: string; state: string; n: number }>(
      `select name, state::text, count(*)::int as n from pgboss.job where name = any($1) group by 1, 2`,
      [[options.queue, `${options.queue}.dead-letters`]],
    );
    for (const row of jobs.rows) {
      const label = row.name === options.queue ? `jobs.${row.state}` : `deadLetters.${row.state}`;
      counts[label] = row.n;
      if (row.name === options.queue && !['completed', 'failed'].includes(row.state)) {
        breaches.push(`${row.n} flow jobs still ${row.state}`);
      }
    }
    // Dead letters are retried by the suite, as an operator would (their reasons checked then):
    // none may be left waiting, and every failed job's file must have been answered since.
    const waitingLetters = await client.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = $1 and state < 'active'`,
      [`${options.queue}.dead-letters`],
    );
    if ((waitingLetters.rows[0]?.n ?? 0) > 0) breaches.push(`${waitingLetters.rows[0]?.n} dead letters left waiting`);
    const unanswered = await client.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job f where f.name = $1 and f.state = 'failed' and not exists (
         select 1 from pgboss.job j where j.name = $1 and j.state = 'completed' and j.data->>'fileId' = f.data->>'fileId')`,
      [options.queue],
    );
    if ((unanswered.rows[0]?.n ?? 0) > 0)
      breaches.push(`${unanswered.rows[0]?.n} failed jobs whose file no job completed`);
    const wrongOutcome = await client.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = $1 and state = 'completed'
         and (output->>'success')::boolean is distinct from true and output->'error'->>'code' is distinct from 'MALFORMED_FILE'`,
      [options.queue],
    );
    if ((wrongOutcome.rows[0]?.n ?? 0) > 0)
      breaches.push(`${wrongOutcome.rows[0]?.n} jobs completed with a failure other than MALFORMED_FILE`);

    // Every job that succeeded names a completed journey (duplicates and resubmissions answered
    // from the journey of their file).
    const dangling = await client.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job j where j.name = $1 and (j.output->>'success')::boolean
         and not exists (select 1 from platform_journeys p where p.id = j.output->>'journeyId' and p.status = 'completed')`,
      [options.queue],
    );
    if ((dangling.rows[0]?.n ?? 0) > 0)
      breaches.push(`${dangling.rows[0]?.n} succeeded jobs name no completed journey`);
    const answered = await client.query<{ run: string; n: number }>(
      `select output->>'run' as run, count(*)::int as n from pgboss.job where name = $1 and state = 'completed' group by 1`,
      [options.queue],
    );
    for (const row of answered.rows) counts[`runs.${row.run ?? 'failed'}`] = row.n;

    // Semantic store: one content per good file, none twice.
    const semantic = new DatabaseSync(options.semanticDb, { readOnly: true });
    try {
      const contents = semantic
        .prepare('select tenant_id, file_id, count(*) as n from platform_semantic_contents group by 1, 2')
        .all() as Array<{ tenant_id: string; file_id: string; n: number }>;
      counts.semanticContents = contents.reduce((sum, row) => sum + Number(row.n), 0);
      const contentOf = new Map(contents.map((row) => [`${row.tenant_id}/${row.file_id}`, Number(row.n)]));
      for (const row of contents) {
        if (tenantOf.get(row.file_id) !== row.tenant_id)
          breaches.push(`a semantic content of no file of its tenant: ${row.tenant_id}/${row.file_id}`);
      }
      for (const [key, file] of expected) {
        const n = contentOf.get(`${file.tenant}/${fileIdOf.get(key)}`) ?? 0;
        if (n !== (file.kind === 'malformed' ? 0 : 1)) breaches.push(`${file.name}: ${n} semantic contents`);
      }
    } finally {
      semantic.close();
    }

    // Blobs: every stored object is named by a file of its own tenant (uploads/<file>,
    // parsed/<file>/...), and every data file is an object's (doctor --fix has removed what killed
    // writes left uncommitted).
    let objects = 0;
    const referenced = new Set<string>();
    const blobIndex = new DatabaseSync(join(options.blobDir, 'index.db'), { readOnly: true });
    try {
      const rows = blobIndex.prepare('select tenant_id, key, data from blob_objects').all() as Array<{
        tenant_id: string;
        key: string;
        data: string | null;
      }>;
      for (const row of rows) {
        objects += 1;
        const ids = row.key.match(/file_[0-9a-f-]{36}/g) ?? [];
        if (ids.length === 0 || !ids.every((id) => tenantOf.get(id) === row.tenant_id))
          breaches.push(`an orphan blob: ${row.tenant_id}/${row.key}`);
        if (row.data !== null) referenced.add(row.data);
      }
    } finally {
      blobIndex.close();
    }
    for (const path of await walk(join(options.blobDir, 'data'))) {
      const name = path.split('/').at(-1) as string;
      if (!referenced.has(name)) breaches.push(`a data file no object points to: ${relative(options.blobDir, path)}`);
    }
    counts.blobObjects = objects;
  } finally {
    await client.end();
  }
  return { breaches, counts };
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(path)));
    else found.push(path);
  }
  return found;
}
