/**
 * Kernel start and stop of 200 services wired in dependency chains, from the built
 * @platform/foundations, against the same services created and initialised by hand in the same
 * order (the baseline: what the work costs with no kernel at all).
 *
 *   node kernel.bench.ts [--quick] [--check]
 */
import { performance } from 'node:perf_hooks';
import {
  type AnyServiceDefinition,
  createPlatform,
  defineService,
  defineServiceRef,
  type ServiceRef,
} from '@platform/foundations';
import { medianMs, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const TARGET_MS = 50;
const runs = quick ? 5 : 25;

interface Node {
  initialize(): Promise<void>;
  shutdown(): Promise<void>;
}

const makeNode = (): Node => ({ initialize: async () => {}, shutdown: async () => {} });

/** `chains` chains of `length` services; each service depends on the one before it in its chain. */
function chainedServices(chains: number, length: number): AnyServiceDefinition[] {
  const services: AnyServiceDefinition[] = [];
  for (let chain = 0; chain < chains; chain += 1) {
    let previous: ServiceRef<Node> | undefined;
    for (let index = 0; index < length; index += 1) {
      const ref: ServiceRef<Node> = defineServiceRef<Node>({ id: `bench.c${chain}.s${index}`, tier: 'foundation' });
      services.push(defineService({ ref, deps: previous ? { previous } : {}, factory: makeNode }));
      previous = ref;
    }
  }
  return services;
}

async function baselineMs(total: number): Promise<{ start: number; stop: number }> {
  const started = performance.now();
  const nodes: Node[] = [];
  for (let index = 0; index < total; index += 1) {
    const node = makeNode();
    await node.initialize();
    nodes.push(node);
  }
  const startMs = performance.now() - started;
  const stopping = performance.now();
  for (const node of nodes.reverse()) await node.shutdown();
  return { start: startMs, stop: performance.now() - stopping };
}

async function kernelMs(services: AnyServiceDefinition[]): Promise<{ start: number; stop: number }> {
  const platform = createPlatform({ env: {}, config: { telemetry: { sink: 'silent' } }, services });
  const started = performance.now();
  await platform.start();
  const startMs = performance.now() - started;
  const stopping = performance.now();
  await platform.stop();
  return { start: startMs, stop: performance.now() - stopping };
}

console.log(`@platform/foundations kernel: 200 services (node ${process.version}, median of ${runs} runs)\n`);
const shapes: Array<[string, number, number]> = [
  ['1 chain of 200', 1, 200],
  ['10 chains of 20', 10, 20],
  ['200 independent', 200, 1],
];
const rows = [['wiring', 'start', 'stop', 'baseline start', 'baseline stop', 'start ratio', 'stop ratio']];
let worst = 0;
for (const [label, chains, length] of shapes) {
  const services = chainedServices(chains, length);
  const start = await medianMs(runs, 2, async () => (await kernelMs(services)).start);
  const stop = await medianMs(runs, 2, async () => (await kernelMs(services)).stop);
  const baseStart = await medianMs(runs, 2, async () => (await baselineMs(chains * length)).start);
  const baseStop = await medianMs(runs, 2, async () => (await baselineMs(chains * length)).stop);
  worst = Math.max(worst, start, stop);
  rows.push([
    label,
    `${start.toFixed(1)} ms`,
    `${stop.toFixed(1)} ms`,
    `${baseStart.toFixed(2)} ms`,
    `${baseStop.toFixed(2)} ms`,
    `${(start / baseStart).toFixed(0)}x`,
    `${(stop / baseStop).toFixed(0)}x`,
  ]);
}
printTable(rows);
const met = worst < TARGET_MS;
console.log(
  `\nslowest start or stop: ${worst.toFixed(1)} ms (target < ${TARGET_MS} ms each): ${met ? 'met' : 'MISSED'}`,
);
if (process.argv.includes('--check') && !met) process.exitCode = 1;
