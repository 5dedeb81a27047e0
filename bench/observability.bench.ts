/**
 * Overhead of `withSpan` from the built @platform/observability, with no OpenTelemetry SDK
 * registered and with the in-memory recorder, against bare calls measured in the same run.
 *
 *   pnpm bench             (from the repository root: builds, then runs this)
 *   node observability.bench.ts [--quick]
 */
import { withSpan } from '@platform/observability';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { type BenchCase, calibratedWork, formatNs, measure, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const TARGET_RATIO_NO_SDK = 1.1;
const rounds = quick ? 15 : 61;
const work10us = calibratedWork(10_000);
const noop = () => 0;
const attributes = { 'file.id': 'f-123', rows: 1000 };

function cases(label: string, afterBatch?: () => void): BenchCase[] {
  const withHook = (benchCase: BenchCase): BenchCase => (afterBatch ? { ...benchCase, afterBatch } : benchCase);
  return [
    withHook({ name: `${label}: withSpan(noop)`, run: () => withSpan('bench', noop) }),
    withHook({ name: `${label}: withSpan(10µs work)`, run: () => withSpan('bench', work10us) }),
    withHook({ name: `${label}: withSpan(attributes, 10µs work)`, run: () => withSpan('bench', attributes, work10us) }),
  ];
}

const baseline: BenchCase[] = [
  { name: 'bare: noop()', run: noop },
  { name: 'bare: 10µs work()', run: work10us },
];

console.log(
  `@platform/observability withSpan overhead (node ${process.version}, ${rounds} rounds, median of batches)\n`,
);

const noSdk = measure([...baseline, ...cases('no SDK')], { rounds, callsPerBatch: 500 });

const recorder = installObservabilityRecorder();
const withRecorder = measure([...baseline, ...cases('recorder', () => recorder.reset())], {
  rounds,
  callsPerBatch: 500,
});
await recorder.uninstall();

function report(results: ReturnType<typeof measure>) {
  const byName = new Map(results.map((result) => [result.name, result.nsPerCall]));
  const bareNoop = byName.get('bare: noop()') ?? Number.NaN;
  const bareWork = byName.get('bare: 10µs work()') ?? Number.NaN;
  const rows = [['case', 'per call', 'overhead', 'ratio to bare']];
  for (const { name, nsPerCall } of results) {
    const bare = name.includes('noop') ? bareNoop : bareWork;
    rows.push([
      name,
      formatNs(nsPerCall),
      name.startsWith('bare') ? '' : `+${formatNs(nsPerCall - bare)}`,
      `${(nsPerCall / bare).toFixed(3)}x`,
    ]);
  }
  printTable(rows);
  console.log('');
  return byName.get(`${results[2]?.name.split(':')[0]}: withSpan(10µs work)`)! / bareWork;
}

const ratioNoSdk = report(noSdk);
const ratioRecorder = report(withRecorder);

const met = ratioNoSdk < TARGET_RATIO_NO_SDK;
console.log(
  `withSpan(10µs work), no SDK: ${ratioNoSdk.toFixed(3)}x the bare call (target < ${TARGET_RATIO_NO_SDK}x): ${met ? 'met' : 'MISSED'}`,
);
console.log(
  `withSpan(10µs work), in-memory recorder: ${ratioRecorder.toFixed(3)}x the bare call (no target: the SDK's cost)`,
);
if (process.argv.includes('--check') && !met) process.exitCode = 1;
