import { createReadStream, statSync } from 'node:fs';
import { parseDelimitedValues, TableProfiler } from '@platform/data-mash';
const path = '/tmp/bench-50.csv';
const size = statSync(path).size;
const report0 = { columns: ["id","created_at","day","category","amount","quantity","email","comment","active","score"] };
const t = performance.now();
let profiler: TableProfiler | undefined;
const report = await parseDelimitedValues(createReadStream(path), (values) => { (profiler ??= new TableProfiler(report0.columns)).addValues(values); });

profiler!.result();
console.log('parse+profile', (size / 1e6 / ((performance.now() - t) / 1000)).toFixed(1), report.rowCount);
