/**
 * The cost of governance in the data mash flow: the whole flow (`executeDataMashFlow`) of the
 * built @platform/data-mash on the embedded default (local files and SQLite, a fresh data dir per
 * run) over one large CSV, WITH an allow-all platform policy and an allow-all client policy
 * (`dataMashModules({ dataSteward: { policies }, governance: { platformPolicy, clientPolicy } })`:
 * each parsed table's columns classified from its samples, personal data masked (the default) in
 * samples, profiles, embeddings and insights, both policies asked at store_parsed, embed and
 * index, every classification and decision recorded) and WITHOUT any (a Data Steward that
 * classifies nothing and records nothing, `pii: { mode: 'keep' }`, no policy: what the flow was
 * before governance), interleaved over rounds, median wall time of each.
 *
 * Target: with governance, under 1.15x the flow without it.
 *
 * Each run is a child process (this file with `--child`), so that its peak RSS
 * (process.resourceUsage().maxRSS, every thread) is its own. The CSV (an e-mail column and a
 * Luhn-valid card-number column, so the classifier finds personal data, among eight others) is
 * generated into a temporary directory and removed at the end with the data dirs.
 *
 *   node governance.bench.ts [--quick] [--mb 200] [--rounds 3] [--check]
 *
 * `--quick` is a 20 MB file and 1 round; `--check` exits 1 when the target is missed.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { writeCsv } from './data-mash/generate.ts';
import { median, numericArgument, printTable } from './harness.ts';

const TENANT = 'bench';
const TARGET = 1.15;

// The Node flags of the `data-mash` bin's `#!/usr/bin/env -S node` line, so runs match the CLI's.
const NODE_FLAGS = ['--max-semi-space-size=8'];

interface ChildResult {
  /** Platform start to stop, the flow and its checks included, in the child (ms). */
  flowMs: number;
  /** executeDataMashFlow alone (ms). */
  callMs: number;
  rows: number;
  pii: string[];
  records: Record<string, number>;
  /** process.resourceUsage().maxRSS at the end, KB. */
  maxRssKb: number;
  /** The Data Steward's classify and decide calls in the flow, and their summed time (ms). */
  steward: { calls: number; ms: number };
}

/** One flow in this process: `mode` is `with` or `without` governance. */
async function child(mode: string, csv: string, dataDir: string): Promise<void> {
  const { DataMashSolutionOrchestratorRef, dataMashModules } = await import('@platform/data-mash');
  const { createPlatform, MetadataStoreRef } = await import('@platform/foundations');
  const { DataSteward, DataStewardRef, serviceIdentity } = await import('@platform/smart-city');
  const { defineService, MetadataStoreRef: MetadataRef } = await import('@platform/foundations');
  // The baseline's Data Steward: finds no personal data and writes no record.
  class NoClassification extends DataSteward {
    override async classifyInternal() {
      return [];
    }
    override async classifyTextInternal(_tenantId: string, _subject: unknown, texts: readonly string[]) {
      return { pii: [], texts: [], examined: texts.length };
    }
  }
  const ungoverned = defineService({
    ref: DataStewardRef,
    deps: { metadata: MetadataRef },
    factory: ({ metadata }, context) => new NoClassification({ ...context, metadata, options: {} }),
  });
  const allowAll = (id: string) => ({
    id,
    version: 1,
    rules: [{ id: 'allow-all', effect: 'allow' as const, actions: ['*'] }],
    default: 'deny' as const,
  });
  const governed = mode === 'with';
  const started = performance.now();
  const platform = createPlatform({
    env: {},
    config: { dataDir, telemetry: { sink: 'silent' }, limits: { maxFileBytes: statSync(csv).size + 1 } },
    modules: dataMashModules(
      governed
        ? {
            dataSteward: { policies: [allowAll('platform.bench'), allowAll('client.bench')] },
            governance: {
              platformPolicy: 'platform.bench',
              clientPolicy: (tenantId) => (tenantId === TENANT ? 'client.bench' : undefined),
            },
          }
        : { governance: { pii: { mode: 'keep' } }, roles: [ungoverned] },
    ),
  });
  await platform.start();
  // What governance adds, timed where it happens: the Data Steward's classifications (of the
  // profile's samples) and decisions, each with its governance record written.
  const steward = { calls: 0, ms: 0 };
  const dataSteward = platform.get(DataStewardRef) as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  for (const method of ['classifyInternal', 'classifyTextInternal', 'decideInternal']) {
    const original = (dataSteward[method] as (...args: unknown[]) => Promise<unknown>).bind(dataSteward);
    dataSteward[method] = async (...args: unknown[]) => {
      const callStarted = performance.now();
      try {
        return await original(...args);
      } finally {
        steward.calls += 1;
        steward.ms += performance.now() - callStarted;
      }
    };
  }
  let result: ChildResult;
  try {
    const user = serviceIdentity({ service: 'bench', tenantId: TENANT, permissions: ['files:write'] });
    const callStarted = performance.now();
    const flow = await platform.get(DataMashSolutionOrchestratorRef).executeDataMashFlow({
      file: { name: basename(csv), path: csv },
      userContext: user,
    });
    const callMs = performance.now() - callStarted;
    if (!flow.success || flow.run !== 'new') throw new Error(`the flow failed: ${JSON.stringify(flow).slice(0, 2000)}`);
    // What governance left: classification and policy_decision records (none without it).
    const metadata = platform.get(MetadataStoreRef);
    const records: Record<string, number> = {};
    const pii = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await metadata.listGovernanceRecords(TENANT, cursor ? { cursor } : {});
      for (const record of page.items) {
        records[record.kind] = (records[record.kind] ?? 0) + 1;
        if (record.kind === 'classification') {
          for (const column of (record.data.columns ?? []) as Array<{ pii?: string }>)
            if (column.pii) pii.add(column.pii);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    const rows = flow.phases.file_parsed.parseResult.tables.reduce((sum, table) => sum + table.rowCount, 0);
    result = { flowMs: 0, callMs, rows, pii: [...pii].sort(), records, maxRssKb: 0, steward };
  } finally {
    await platform.stop();
  }
  result.flowMs = performance.now() - started;
  result.maxRssKb = process.resourceUsage().maxRSS;
  console.log(JSON.stringify(result));
}

/** 16 digits starting with 4 whose Luhn checksum holds (a Visa-like test number). */
function cardNumber(next: () => number): string {
  const digits = [4];
  for (let index = 1; index < 15; index += 1) digits.push(Math.floor(next() * 10));
  let sum = 0;
  // The check digit goes last: from the right, the 15th digit (index 14) is doubled, then every other one.
  for (let index = 14; index >= 0; index -= 1) {
    let digit = digits[index] as number;
    if ((14 - index) % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  digits.push((10 - (sum % 10)) % 10);
  const text = digits.join('');
  return `${text.slice(0, 4)} ${text.slice(4, 8)} ${text.slice(8, 12)} ${text.slice(12)}`;
}

const CATEGORIES = ['groceries', 'travel', 'electronics', 'books', 'garden', 'toys', 'health', 'fuel', 'rent', 'other'];
const WORDS = 'the delivery was late but the product quality is great and support answered quickly'.split(' ');

/**
 * A CSV of about `megabytes` MB, ten columns: id, date-time, category, amount, quantity, e-mail,
 * card number (Luhn-valid, grouped by four), country, comment (quoted commas), boolean.
 */
function generateCsv(path: string, megabytes: number): Promise<{ bytes: number; rows: number }> {
  const start = Date.UTC(2024, 0, 1);
  return writeCsv(path, megabytes, {
    header: 'id,created_at,category,amount,quantity,email,card_number,country,comment,active',
    seed: 0x1f2e3d4c,
    line: (rows, next) => {
      const created = new Date(start + Math.floor(next() * 730 * 86_400_000)).toISOString().slice(0, 19);
      const words = Array.from({ length: 3 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]);
      const comment = next() < 0.2 ? `"${words.join(' ')}, with a comma"` : words.join(' ');
      return `${rows},${created},${CATEGORIES[Math.floor(next() * CATEGORIES.length)]},${(next() * 500).toFixed(2)},${1 + Math.floor(next() * 20)},customer${Math.floor(next() * 200_000)}@example.com,${cardNumber(next)},${['FR', 'DE', 'US', 'GB', 'ES'][Math.floor(next() * 5)]},${comment},${next() < 0.5}\n`;
    },
  });
}

interface Run extends ChildResult {
  /** Spawn to exit (ms). */
  wallMs: number;
}

async function runChild(mode: 'with' | 'without', csv: string, dataDir: string): Promise<Run> {
  const started = performance.now();
  const process_ = spawn(process.execPath, [...NODE_FLAGS, import.meta.filename, '--child', mode, csv, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  process_.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  process_.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    process_.on('error', reject);
    process_.on('close', resolve);
  });
  const wallMs = performance.now() - started;
  if (code !== 0)
    throw new Error(`the ${mode} child exited with ${code}:\n${stdout.slice(-2000)}\n${stderr.slice(-4000)}`);
  const result = JSON.parse(stdout.trim().split('\n').at(-1) as string) as ChildResult;
  return { ...result, wallMs };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const check = process.argv.includes('--check');
  const megabytes = numericArgument('--mb', quick ? 20 : 200);
  const rounds = numericArgument('--rounds', quick ? 1 : 3);
  const work = await mkdtemp(join(tmpdir(), 'platform-bench-governance-'));
  try {
    const csv = join(work, `governance-${megabytes}mb.csv`);
    process.stdout.write(`generating ${megabytes} MB ... `);
    const generated = await generateCsv(csv, megabytes);
    const bytes = statSync(csv).size;
    console.log(`${generated.rows.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(1)} MB`);

    const runs = { without: [] as Run[], with: [] as Run[] };
    let index = 0;
    for (let round = 0; round < rounds; round += 1) {
      // Alternate which goes first, so neither always meets a warmer page cache or a cooler CPU.
      const order: Array<'with' | 'without'> = round % 2 === 0 ? ['without', 'with'] : ['with', 'without'];
      for (const mode of order) {
        const dataDir = join(work, `data-${index++}`);
        const run = await runChild(mode, csv, dataDir);
        await rm(dataDir, { recursive: true, force: true });
        if (run.rows !== generated.rows) throw new Error(`${mode}: ${run.rows} rows parsed, ${generated.rows} written`);
        if (mode === 'with' && !(run.pii.includes('email') && run.pii.includes('card_number'))) {
          throw new Error(
            `with governance, the classifier found ${JSON.stringify(run.pii)}, not email and card_number`,
          );
        }
        if (
          mode === 'without' &&
          Object.keys(run.records).some((kind) => kind === 'classification' || kind === 'policy_decision')
        ) {
          throw new Error(`without governance, governance records were written: ${JSON.stringify(run.records)}`);
        }
        runs[mode].push(run);
        console.log(
          `round ${round + 1}, ${mode.padEnd(7)} governance: flow ${(run.callMs / 1000).toFixed(2)} s, process ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${(run.maxRssKb / 1024).toFixed(0)} MB` +
            (mode === 'with' ? `, Data Steward ${run.steward.calls} calls ${run.steward.ms.toFixed(1)} ms` : ''),
        );
      }
    }

    const summary = (list: Run[]) => ({
      call: median(list.map((run) => run.callMs)),
      wall: median(list.map((run) => run.wallMs)),
      rss: median(list.map((run) => run.maxRssKb / 1024)),
      maxRss: Math.max(...list.map((run) => run.maxRssKb / 1024)),
    });
    const without = summary(runs.without);
    const governed = summary(runs.with);
    const ratio = governed.call / without.call;
    const wallRatio = governed.wall / without.wall;
    const last = runs.with.at(-1) as Run;
    console.log(
      `\n${(bytes / 1e6).toFixed(1)} MB CSV, ${generated.rows.toLocaleString('en-US')} rows, ${rounds} interleaved round(s), medians; each run a child process on a fresh data dir`,
    );
    printTable([
      ['case', 'flow (executeDataMashFlow)', 'MB/s', 'process (spawn to exit)', 'peak RSS (median, max)', 'ratio'],
      [
        'without governance',
        `${(without.call / 1000).toFixed(2)} s`,
        (bytes / 1e6 / (without.call / 1000)).toFixed(1),
        `${(without.wall / 1000).toFixed(2)} s`,
        `${without.rss.toFixed(0)} MB, ${without.maxRss.toFixed(0)} MB`,
        '1.00x',
      ],
      [
        'with governance (allow-all platform + client policies)',
        `${(governed.call / 1000).toFixed(2)} s`,
        (bytes / 1e6 / (governed.call / 1000)).toFixed(1),
        `${(governed.wall / 1000).toFixed(2)} s`,
        `${governed.rss.toFixed(0)} MB, ${governed.maxRss.toFixed(0)} MB`,
        `${ratio.toFixed(3)}x (process ${wallRatio.toFixed(3)}x)`,
      ],
    ]);
    const stewardMs = median(runs.with.map((run) => run.steward.ms));
    console.log(
      `\ngovernance found ${last.pii.join(', ')}; records with it: ${Object.entries(last.records)
        .map(([kind, count]) => `${count} ${kind}`)
        .join(', ')}` +
        `\nthe Data Steward's calls in the governed flow (classify the samples, decide, record): ${last.steward.calls} calls, ` +
        `${stewardMs.toFixed(1)} ms median (${((stewardMs / governed.call) * 100).toFixed(2)} % of the flow); ` +
        `the rest of the difference between the medians is run-to-run noise`,
    );
    const met = ratio < TARGET;
    console.log(`target: flow with governance < ${TARGET}x without: ${met ? 'met' : 'MISSED'} (${ratio.toFixed(3)}x)`);
    if (check && !met) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// Last, so that every constant above is initialised before either runs.
if (process.argv[2] === '--child')
  await child(process.argv[3] as string, process.argv[4] as string, process.argv[5] as string);
else await main();
