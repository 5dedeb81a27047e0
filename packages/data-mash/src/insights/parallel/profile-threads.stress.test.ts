// Profiling on several threads must give the figures of one thread, always, and each column its
// own figures: those of the values written in it. Issue 14: now and then (about 1 % of calls,
// most often the first calls of a fresh process) one column reported another column's min, max
// and mean. The cause was in V8 (Maglev rebuilt an object literal on a deoptimization with its
// boilerplate's number boxes, which two columns' profiles then shared); JIT timing decides when
// it strikes, so besides many shapes and calls in this process, PROFILE_STRESS_PROCESSES=n runs
// the bug report's case in n fresh processes against the built package (`pnpm build` first).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileDelimitedFile } from './profile-file.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'profile-threads-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

// xorshift32: the same shapes on every run.
function random(seed: number): () => number {
  let state = Math.imul(seed, 2654435761) || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

type Kind =
  | 'sequence'
  | 'integer'
  | 'large'
  | 'negative'
  | 'decimal'
  | 'sparse'
  | 'quoted-number'
  | 'text'
  | 'quoted'
  | 'date';
const NUMERIC: readonly Kind[] = ['sequence', 'integer', 'large', 'negative', 'decimal', 'sparse', 'quoted-number'];
const KINDS: readonly Kind[] = [...NUMERIC, 'text', 'quoted', 'date'];
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel'];

/** What was written in a numeric column: the figures its profile must report. */
interface Truth {
  count: number;
  min: number;
  max: number;
  sum: number;
}

interface Shape {
  text: string;
  columns: Array<{ name: string; kind: Kind; truth?: Truth }>;
  workers: number;
  minBytesPerWorker: number;
  engine: 'bytes' | 'papaparse';
}

// A CSV of about `bytes` bytes: numbers (row numbers, integers, 13-digit integers, negatives,
// decimals of 1 to 4 places, columns a third empty, quoted numbers), text, quoted text with commas, doubled quotes
// and line breaks, dates; `\n` or `\r\n`; a BOM at times; a few ragged records. Numeric column k
// lives in a range of its own (about (k + 1) * 1000, sign and scale by kind), so a column that
// reports another's figures is caught. `kinds`: the columns, else drawn (numbers first).
function shape(seed: number, bytes: number, kinds?: readonly Kind[]): Shape {
  const next = random(seed + 7919);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const width = kinds?.length ?? 3 + Math.floor(next() * 10);
  const columns: Shape['columns'] = Array.from({ length: width }, (_, index) => {
    // Every shape has numbers in its first two columns.
    const kind = kinds?.[index] ?? (index < 2 ? pick(NUMERIC) : pick(KINDS));
    return { name: `${kind}_${index}`, kind };
  });
  for (const column of columns) {
    if (NUMERIC.includes(column.kind)) column.truth = { count: 0, min: Infinity, max: -Infinity, sum: 0 };
  }
  const newline = next() < 0.3 ? '\r\n' : '\n';
  const lines = [`${next() < 0.2 ? '\uFEFF' : ''}${columns.map((column) => column.name).join(',')}`];
  let size = lines[0]?.length ?? 0;
  for (let row = 0; size < bytes; row += 1) {
    const values: Array<number | undefined> = [];
    const fields = columns.map((column, index) => {
      const base = (index + 1) * 1000;
      let value: number | undefined;
      let field = '';
      switch (column.kind) {
        case 'sequence':
          value = base * 100 + row;
          field = String(value);
          break;
        case 'integer':
          value = base + Math.floor(next() * 900);
          field = String(value);
          break;
        case 'large':
          value = base * 1_000_000_000 + Math.floor(next() * 1_000_000_000);
          field = String(value);
          break;
        case 'negative':
          value = -(base + Math.floor(next() * 900));
          field = String(value);
          break;
        case 'decimal':
          field = (base + next() * 900).toFixed(1 + Math.floor(next() * 4));
          value = Number(field);
          break;
        case 'sparse':
          if (next() >= 0.35) {
            field = (base + next() * 900).toFixed(2);
            value = Number(field);
          }
          break;
        case 'quoted-number':
          value = -base - Math.round(next() * 90_000) / 100;
          field = `"${value}"`;
          break;
        case 'text':
          field = next() < 0.1 ? '' : `${pick(WORDS)} ${pick(WORDS)} ${row % 37}`;
          break;
        case 'quoted': {
          const roll = next();
          if (roll < 0.3) field = `"${pick(WORDS)}, ""${pick(WORDS)}""${newline}line ${row % 11}"`;
          else if (roll < 0.5) field = `"${pick(WORDS)}, ${pick(WORDS)}"`;
          else if (roll >= 0.6) field = pick(WORDS);
          break;
        }
        case 'date':
          field = new Date(Date.UTC(2020, 0, 1) + Math.floor(next() * 2000) * 86_400_000).toISOString().slice(0, 10);
          break;
      }
      values.push(value);
      return field;
    });
    // Now and then a record one field short: the missing field counts as empty.
    if (row > 0 && next() < 0.002) {
      fields.pop();
      values.pop();
    }
    values.forEach((value, index) => {
      const truth = columns[index]?.truth;
      if (value === undefined || !truth) return;
      truth.count += 1;
      truth.min = Math.min(truth.min, value);
      truth.max = Math.max(truth.max, value);
      truth.sum += value;
    });
    const line = fields.join(',');
    lines.push(line);
    size += line.length + newline.length;
  }
  const text = `${lines.join(newline)}${newline}`;
  const workers = 2 + Math.floor(next() * 3);
  return {
    text,
    columns,
    workers,
    // Parts just over the minimum: the file is cut in `workers` parts.
    minBytesPerWorker: Math.floor(text.length / workers) - 1024,
    engine: next() < 0.2 ? 'papaparse' : 'bytes',
  };
}

type Result = Awaited<ReturnType<typeof profileDelimitedFile>>;
type Profile = Result['insights']['columns'][number];

const close = (a: number, b: number, relative: number) =>
  a === b || Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b));

// Differences between one column's profiles on one thread and on several: exact figures exactly,
// means and sums to 1e-12 (relative), the standard deviation to 1e-9.
function columnDifferences(a: Profile, b: Profile | undefined): string[] {
  const found: string[] = [];
  const name = a.name;
  if (!b) return [`column ${name} missing`];
  const same = (what: string, x: unknown, y: unknown) => {
    if (JSON.stringify(x) !== JSON.stringify(y))
      found.push(`${name} ${what}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  const near = (what: string, x: number | undefined, y: number | undefined, relative: number) => {
    if (typeof x === 'number' && typeof y === 'number' ? !close(x, y, relative) : x !== y)
      found.push(`${name} ${what}: ${x} vs ${y}`);
  };
  same('name', a.name, b.name);
  same('count, nulls', [a.count, a.nulls], [b.count, b.nulls]);
  if (a.distinctMethod === 'exact' || b.distinctMethod === 'exact')
    same('distinct', [a.distinctMethod, a.distinct], [b.distinctMethod, b.distinct]);
  if (a.topValuesMethod === 'exact') same('top values', a.topValues, b.topValues);
  same('numeric or not', a.numeric !== undefined, b.numeric !== undefined);
  const x = a.numeric as unknown as Record<string, unknown> | undefined;
  const y = b.numeric as unknown as Record<string, unknown> | undefined;
  if (x && y) {
    same(
      'count, min, max, zeros, negatives',
      [x.count, x.min, x.max, x.zeros, x.negatives],
      [y.count, y.min, y.max, y.zeros, y.negatives],
    );
    near('mean', x.mean as number, y.mean as number, 1e-12);
    near('sum', x.sum as number | undefined, y.sum as number | undefined, 1e-12);
    near('standard deviation', x.stdDev as number, y.stdDev as number, 1e-9);
    // Every number is in the sample at these sizes: the quantiles are exact on both.
    if (x.quantileMethod === 'exact' && y.quantileMethod === 'exact')
      same('median, quantiles', [x.median, x.quantiles], [y.median, y.quantiles]);
  }
  same('dates', [a.dates?.count, a.dates?.min, a.dates?.max], [b.dates?.count, b.dates?.min, b.dates?.max]);
  same('text lengths', [a.text?.minLength, a.text?.maxLength], [b.text?.minLength, b.text?.maxLength]);
  near('mean length', a.text?.meanLength, b.text?.meanLength, 1e-12);
  return found;
}

// Differences between profiles of one file on one thread and on several.
function differences(one: Result, many: Result): string[] {
  const found: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) found.push(`${what}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  };
  same('records', one.report.rowCount, many.report.rowCount);
  same('warnings', one.report.warnings, many.report.warnings);
  same('rows', one.insights.rowCount, many.insights.rowCount);
  same('duplicate rows', one.insights.duplicateRows.count, many.insights.duplicateRows.count);
  one.insights.columns.forEach((column, index) => {
    found.push(...columnDifferences(column, many.insights.columns[index]));
  });
  same(
    'correlated pairs',
    one.insights.correlations.map((pair) => [pair.a, pair.b, pair.rows]),
    many.insights.correlations.map((pair) => [pair.a, pair.b, pair.rows]),
  );
  one.insights.correlations.forEach((pair, index) => {
    const other = many.insights.correlations[index];
    if (pair.pearson === null || other === undefined || other.pearson === null)
      same(`pearson ${pair.a}/${pair.b}`, pair.pearson, other?.pearson);
    else if (Math.abs(pair.pearson - other.pearson) > 1e-9)
      found.push(`pearson ${pair.a}/${pair.b}: ${pair.pearson} vs ${other.pearson}`);
  });
  return found;
}

// Differences between the profiles of numeric columns and what was written in them: count, min,
// max and mean exactly (mean to 1e-9), and the median and quartiles within the column's range
// (sampled figures must still be the column's own).
function untrue(columns: readonly Profile[], written: Shape['columns'], threads: string): string[] {
  const found: string[] = [];
  for (const column of written) {
    const truth = column.truth;
    if (!truth) continue;
    const numeric = columns.find((profile) => profile.name === column.name)?.numeric;
    if (!numeric) {
      found.push(`${threads}: ${column.name} has no numeric figures`);
      continue;
    }
    const mean = truth.sum / truth.count;
    const inRange = [numeric.median, numeric.quantiles.p25, numeric.quantiles.p75].every(
      (value) => value >= truth.min && value <= truth.max,
    );
    if (
      numeric.count !== truth.count ||
      numeric.min !== truth.min ||
      numeric.max !== truth.max ||
      !close(numeric.mean, mean, 1e-9) ||
      !inRange
    ) {
      found.push(
        `${threads}: ${column.name} reports count ${numeric.count}, min ${numeric.min}, max ${numeric.max}, ` +
          `mean ${numeric.mean}, median ${numeric.median}; written: ${truth.count} numbers from ${truth.min} to ${truth.max}, mean ${mean}`,
      );
    }
  }
  return found;
}

// Generous: the in-process test takes about 10 s on a loaded two-core machine.
const IN_PROCESS_TIMEOUT = 180_000;

describe('profileDelimitedFile on several threads', () => {
  it(
    'gives the figures of one thread, and each column its own, over many shapes and calls',
    async () => {
      const problems: string[] = [];
      let parts = 0;
      // 16 shapes of 40 to 240 KB, each cut in 2 to 4 parts, each profiled on one thread and on
      // several, twice over (the JIT compiles differently as the process warms up).
      const shapes = Array.from({ length: 16 }, (_, index) => shape(index + 1, 40_000 + ((index * 37_000) % 200_000)));
      for (let round = 0; round < 2; round += 1) {
        for (const [index, generated] of shapes.entries()) {
          const path = join(directory, `shape-${index}.csv`);
          if (round === 0) await writeFile(path, generated.text);
          const label = `shape ${index} (${generated.columns.length} columns, ${generated.text.length} bytes, ${generated.engine}, ${generated.workers} parts), round ${round}`;
          const one = await profileDelimitedFile(path, { workers: 1, engine: generated.engine });
          const many = await profileDelimitedFile(path, {
            workers: generated.workers,
            minBytesPerWorker: generated.minBytesPerWorker,
            engine: generated.engine,
          });
          expect(many.workers, label).toBe(generated.workers);
          parts += many.workers;
          for (const problem of [
            ...differences(one, many),
            ...untrue(one.insights.columns, generated.columns, 'one thread'),
            ...untrue(many.insights.columns, generated.columns, `${many.workers} threads`),
          ])
            problems.push(`${label}: ${problem}`);
        }
      }
      expect(problems).toEqual([]);
      expect(parts).toBeGreaterThan(2 * shapes.length * 2);
    },
    IN_PROCESS_TIMEOUT,
  );

  const processes = Number(process.env.PROFILE_STRESS_PROCESSES ?? 0);
  it.runIf(processes > 0)(
    `gives each column its own figures in ${processes} fresh processes (the built package)`,
    async () => {
      const built = fileURLToPath(new URL('../../../dist/index.js', import.meta.url));
      expect(existsSync(built), 'run `pnpm build` first').toBe(true);
      // The bug report's case: a 2 MB file of numbers of different ranges, text and dates, cut
      // at 64 KiB, profiled three times on two threads and on one, in a process of its own.
      const generated = shape(4242, 2_000_000, [
        'sequence',
        'integer',
        'large',
        'negative',
        'decimal',
        'text',
        'date',
        'decimal',
      ]);
      const path = join(directory, 'fresh.csv');
      await writeFile(path, generated.text);
      const script = join(directory, 'fresh.mjs');
      await writeFile(
        script,
        `import { profileDelimitedFile } from ${JSON.stringify(built)};
const columns = (result) => result.insights.columns.map(({ name, count, nulls, distinct, distinctMethod, topValues, topValuesMethod, numeric, dates, text }) =>
  ({ name, count, nulls, distinct, distinctMethod, topValues, topValuesMethod, dates, text, numeric: numeric && { ...numeric, histogram: undefined } }));
const calls = [];
for (let call = 0; call < 3; call += 1) {
  const many = await profileDelimitedFile(${JSON.stringify(path)}, { workers: 2, minBytesPerWorker: 65536 });
  const one = await profileDelimitedFile(${JSON.stringify(path)}, { workers: 1 });
  calls.push({ workers: many.workers, one: columns(one), many: columns(many) });
}
process.stdout.write(JSON.stringify(calls));
`,
      );
      const run = promisify(execFile);
      const problems: string[] = [];
      let next = 0;
      const runner = async () => {
        for (let index = next++; index < processes; index = next++) {
          const { stdout } = await run(process.execPath, [script], { maxBuffer: 64 * 1024 * 1024 });
          const calls = JSON.parse(stdout) as Array<{ workers: number; one: Profile[]; many: Profile[] }>;
          calls.forEach((call, number) => {
            const label = `process ${index}, call ${number}`;
            if (call.workers !== 2) problems.push(`${label}: ${call.workers} threads`);
            call.one.forEach((column, position) => {
              for (const problem of columnDifferences(column, call.many[position]))
                problems.push(`${label}: ${problem}`);
            });
            for (const problem of untrue(call.one, generated.columns, 'one thread'))
              problems.push(`${label}: ${problem}`);
            for (const problem of untrue(call.many, generated.columns, 'two threads'))
              problems.push(`${label}: ${problem}`);
          });
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, availableParallelism() - 1) }, runner));
      expect(problems).toEqual([]);
    },
    // About 1.5 s a process on two loaded cores.
    processes * 10_000 + 60_000,
  );
});
