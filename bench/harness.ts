/**
 * A small timing harness: cases are measured in interleaved rounds (so drift in CPU frequency or
 * load hits every case alike), each round timing a batch of calls, and the median per-call time
 * over rounds is reported. Ratios are taken against a baseline measured in the same run.
 */

export interface BenchCase {
  name: string;
  run: () => unknown;
  /** Called after each timed batch, outside the timing (e.g. to drop recorded spans). */
  afterBatch?: () => void;
}

export interface BenchResult {
  name: string;
  /** Median nanoseconds per call. */
  nsPerCall: number;
}

let sink: unknown;

function timeBatch(run: () => unknown, calls: number): number {
  const started = process.hrtime.bigint();
  for (let index = 0; index < calls; index += 1) sink = run();
  return Number(process.hrtime.bigint() - started) / calls;
}

/** The median of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function measure(
  cases: BenchCase[],
  options: { rounds: number; callsPerBatch: number; warmupRounds?: number },
): BenchResult[] {
  const samples = new Map<string, number[]>(cases.map((benchCase) => [benchCase.name, []]));
  const warmup = options.warmupRounds ?? 3;
  for (let round = 0; round < warmup + options.rounds; round += 1) {
    for (const benchCase of cases) {
      const ns = timeBatch(benchCase.run, options.callsPerBatch);
      benchCase.afterBatch?.();
      if (round >= warmup) samples.get(benchCase.name)?.push(ns);
    }
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return cases.map((benchCase) => ({ name: benchCase.name, nsPerCall: median(samples.get(benchCase.name) ?? []) }));
}

/**
 * A pure CPU function of about `targetNs` per call on this machine, calibrated at start-up, so that
 * ratios describe a realistic small unit of work rather than an empty function.
 */
export function calibratedWork(targetNs: number): () => number {
  let iterations = 1000;
  const work = () => {
    let accumulator = 0;
    for (let index = 0; index < iterations; index += 1) accumulator = (accumulator * 31 + index) % 1_000_003;
    return accumulator;
  };
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const ns = median(Array.from({ length: 15 }, () => timeBatch(work, 200)));
    iterations = Math.max(1, Math.round((iterations * targetNs) / ns));
  }
  return work;
}

export function formatNs(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

export function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  '));
}

/** Median of an async operation's wall time in milliseconds over `runs` runs, after `warmup` runs. */
export async function medianMs(runs: number, warmup: number, operation: () => Promise<number>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < warmup + runs; run += 1) {
    const ms = await operation();
    if (run >= warmup) samples.push(ms);
  }
  return median(samples);
}

/** The number after `--name` on the command line, or `fallback`. */
export function numericArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

let collector: (() => void) | undefined;
/**
 * Runs a full garbage collection: a bench calls it before timing, so that the collection of its
 * own set-up garbage (generated data, earlier cases) is not charged to the operation it times.
 * Node exposes `gc` only with `--expose-gc`; the flag is set at run time, and `gc` taken from a
 * fresh context, where V8 installs it.
 */
export async function collectGarbage(): Promise<void> {
  if (!collector) {
    const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import('node:v8'), import('node:vm')]);
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  }
  collector();
}
