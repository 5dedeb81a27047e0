import { createReadStream, statSync } from 'node:fs';
import { parseDelimited, TableProfiler } from '@platform/data-mash';
import Papa from 'papaparse';
import { generateCsv } from './data-mash/generate.ts';
const path = '/tmp/bench-50.csv';
await generateCsv(path, 50);
const size = statSync(path).size;
for (let i = 0; i < 2; i++) {
let t = performance.now();
await new Promise<void>((resolve, reject) => { let n = 0; Papa.parse(createReadStream(path), { step: () => { n++; }, complete: () => resolve(), error: reject }); });
console.log('papa', (size / 1e6 / ((performance.now() - t) / 1000)).toFixed(1));
t = performance.now();
let n = 0;
await parseDelimited(createReadStream(path), () => { n++; });
console.log('parseDelimited only', (size / 1e6 / ((performance.now() - t) / 1000)).toFixed(1));
t = performance.now();
let profiler: TableProfiler | undefined;
await parseDelimited(createReadStream(path), (row) => { (profiler ??= new TableProfiler(Object.keys(row))).add(row); });
const r = profiler!.result();
console.log('parse+profile', (size / 1e6 / ((performance.now() - t) / 1000)).toFixed(1), r.rowCount);
}
