// Where each millisecond of a flow goes, from its spans: each span's own time (its duration less
// the durations of its children), summed by span name and divided by the number of flows. Time in
// no span at all (between spans, in the bench's own code) is reported as the remainder.
import { installObservabilityRecorder, type RecordedSpan } from '@platform/observability/testing';
import { printTable } from '../harness.ts';

interface SpanTotals {
  calls: number;
  own: number;
}

/** Own time per span name, from finished spans. */
export function ownTimeBySpanName(spans: readonly RecordedSpan[]): Map<string, SpanTotals> {
  const childTime = new Map<string, number>();
  for (const span of spans) {
    if (span.parentSpanId) childTime.set(span.parentSpanId, (childTime.get(span.parentSpanId) ?? 0) + span.durationMs);
  }
  const totals = new Map<string, SpanTotals>();
  for (const span of spans) {
    const entry = totals.get(span.name) ?? { calls: 0, own: 0 };
    entry.calls += 1;
    // Children run concurrently at times (their sum can exceed the parent): never below zero.
    entry.own += Math.max(0, span.durationMs - (childTime.get(span.spanId) ?? 0));
    totals.set(span.name, entry);
  }
  return totals;
}

/** Runs `flows` flows one after another with spans recorded, and prints the own time of each span per flow. */
export async function printSpanBreakdown(flows: number, runFlow: (index: number) => Promise<void>): Promise<void> {
  const recorder = await installObservabilityRecorder();
  try {
    for (let index = 0; index < 5; index += 1) await runFlow(-1 - index);
    recorder.reset();
    const started = performance.now();
    for (let index = 0; index < flows; index += 1) await runFlow(index);
    const wallPerFlow = (performance.now() - started) / flows;
    const totals = [...ownTimeBySpanName(recorder.spans())].sort((a, b) => b[1].own - a[1].own);
    const inSpans = totals.reduce((sum, [, entry]) => sum + entry.own, 0) / flows;
    console.log(
      `\nwhere a small-file flow's ${wallPerFlow.toFixed(2)} ms go (${flows} flows with spans recorded, which slows them): own time of each span, per flow`,
    );
    printTable([
      ['span', 'calls/flow', 'ms/flow', 'share'],
      ...totals
        .filter(([, entry]) => entry.own / flows >= 0.01)
        .map(([name, entry]) => [
          name,
          (entry.calls / flows).toFixed(1),
          (entry.own / flows).toFixed(2),
          `${((100 * entry.own) / flows / wallPerFlow).toFixed(1)}%`,
        ]),
      [
        '(outside any span)',
        '',
        Math.max(0, wallPerFlow - inSpans).toFixed(2),
        `${((100 * Math.max(0, wallPerFlow - inSpans)) / wallPerFlow).toFixed(1)}%`,
      ],
    ]);
  } finally {
    await recorder.uninstall();
  }
}
