import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { random, writeCsv } from '../data-mash/generate.ts';

/** One file the suite submits, and what the flow must make of it. */
export interface CorpusFile {
  path: string;
  name: string;
  tenant: 'acme' | 'globex';
  kind: 'good' | 'malformed' | 'duplicate';
  /** Data rows (good files and their duplicates). */
  rows?: number;
  bytes: number;
  /** For a duplicate: the path of the file whose bytes it repeats (same tenant). */
  duplicateOf?: string;
}

/**
 * A file size as uploads come: 80 % small (up to 100 KB), 15 % medium (up to 5 MB), 5 % large (up
 * to `maxKb`), each log-uniform within its band and all within [`minKb`, `maxKb`].
 */
export function sizeKb(next: () => number, minKb: number, maxKb: number): number {
  const band = next();
  const [low, high] = band < 0.8 ? [minKb, 100] : band < 0.95 ? [100, 5_000] : [5_000, maxKb];
  const from = Math.min(Math.max(low, minKb), maxKb);
  const to = Math.max(Math.min(high, maxKb), from);
  return from * (to / from) ** next();
}

const CITIES = ['Lisbon', 'Oslo', 'Quito', 'Hanoi', 'Perth', 'Accra', 'Lima', 'Riga'];

/**
 * Writes `count` files into `dir`, by a seeded random (the same count gives the same files): about
 * 93 % good CSVs (every file's rows unique to it) of mixed sizes between `minKb` and `maxKb` (see
 * {@link sizeKb}), 5 % malformed (JSON cut off in the middle), 2 % byte-for-byte duplicates of a good
 * file of the same tenant under another name; tenants alternate.
 */
export async function writeCorpus(dir: string, count: number, minKb: number, maxKb: number): Promise<CorpusFile[]> {
  const next = random(0x5eed1234);
  const files: CorpusFile[] = [];
  const malformed = Math.max(1, Math.round(count * 0.05));
  const duplicates = Math.max(1, Math.round(count * 0.02));
  const good = count - malformed - duplicates;
  for (let index = 0; index < good; index += 1) {
    const tenant = index % 2 === 0 ? 'acme' : 'globex';
    const kb = sizeKb(next, minKb, maxKb);
    const name = `sales-${String(index).padStart(4, '0')}.csv`;
    const path = join(dir, name);
    const { bytes, rows } = await writeCsv(path, kb / 1000, {
      header: 'id,file,city,amount,day,note',
      seed: 1 + index,
      line: (row, draw) =>
        `${row},${index},${CITIES[Math.floor(draw() * CITIES.length)]},${(draw() * 1000).toFixed(2)},2025-${String(1 + Math.floor(draw() * 12)).padStart(2, '0')}-${String(1 + Math.floor(draw() * 28)).padStart(2, '0')},note ${Math.floor(draw() * 5000)}\n`,
    });
    files.push({ path, name, tenant, kind: 'good', rows, bytes: bytes + 'id,file,city,amount,day,note\n'.length });
  }
  for (let index = 0; index < malformed; index += 1) {
    const name = `broken-${String(index).padStart(3, '0')}.json`;
    const path = join(dir, name);
    const text = `{"batch": ${index}, "rows": [{"id": 1, "city": "Oslo"}, {"id": 2, "city": `;
    await writeFile(path, text);
    files.push({ path, name, tenant: index % 2 === 0 ? 'acme' : 'globex', kind: 'malformed', bytes: text.length });
  }
  for (let index = 0; index < duplicates; index += 1) {
    const original = files[Math.floor(next() * good)] as CorpusFile;
    const name = `copy-${String(index).padStart(3, '0')}-of-${original.name}`;
    const path = join(dir, name);
    await copyFile(original.path, path);
    files.push({ ...original, path, name, kind: 'duplicate', duplicateOf: original.path });
  }
  // Interleaved, so that duplicates and malformed files arrive among the others.
  return files
    .map((file) => ({ file, order: next() }))
    .sort((a, b) => a.order - b.order)
    .map(({ file }) => file);
}
