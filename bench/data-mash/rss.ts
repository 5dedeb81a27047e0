// Child process of data-mash.bench.ts: profiles one file and prints its peak resident set size.
import { profileDelimitedFile } from '@platform/data-mash';

const [path, workers] = process.argv.slice(2);
const started = performance.now();
const { report } = await profileDelimitedFile(path as string, { workers: Number(workers) });
const seconds = (performance.now() - started) / 1000;
// maxRSS is in kilobytes and covers every thread of the process.
console.log(JSON.stringify({ rows: report.rowCount, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
