import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const CATEGORIES = ['groceries', 'travel', 'electronics', 'books', 'garden', 'toys', 'health', 'fuel', 'rent', 'other'];
const WORDS =
  'the delivery was late but the product quality is great and support answered quickly although price seemed high for such a small box'.split(
    ' ',
  );

/** xorshift32, so the same size always gives the same file. */
export function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

/**
 * Writes a CSV of about `megabytes` MB: the header, then `line(row, next)` for rows 1, 2, ...
 * (each ending in a newline, drawing its values from the seeded `next`), in 1 MiB batches that
 * wait for the stream to drain.
 */
export async function writeCsv(
  path: string,
  megabytes: number,
  options: { header: string; seed: number; line: (row: number, next: () => number) => string },
): Promise<{ bytes: number; rows: number }> {
  const next = random(options.seed);
  const out = createWriteStream(path);
  out.write(`${options.header}\n`);
  let bytes = 0;
  let rows = 0;
  const target = megabytes * 1_000_000;
  let batch = '';
  while (bytes < target) {
    rows += 1;
    const line = options.line(rows, next);
    batch += line;
    bytes += line.length;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await once(out, 'drain');
      batch = '';
    }
  }
  out.end(batch);
  await once(out, 'finish');
  return { bytes, rows };
}

/**
 * Writes a CSV of about `megabytes` MB with mixed column types: integer id, ISO date-time, date,
 * category, decimal amount (with outliers), integer quantity, e-mail, free text with quotes and
 * commas, boolean, and a mostly-null score.
 */
export function generateCsv(path: string, megabytes: number): Promise<{ bytes: number; rows: number }> {
  const start = Date.UTC(2024, 0, 1);
  return writeCsv(path, megabytes, {
    header: 'id,created_at,day,category,amount,quantity,email,comment,active,score',
    seed: 0x2545f491,
    line: (rows, next) => {
      const created = new Date(start + Math.floor(next() * 730 * 86_400_000)).toISOString().slice(0, 19);
      const amount = (next() < 0.001 ? 50_000 + next() * 10_000 : next() * 500).toFixed(2);
      const words = Array.from(
        { length: 3 + Math.floor(next() * 8) },
        () => WORDS[Math.floor(next() * WORDS.length)],
      ).join(' ');
      const comment = next() < 0.2 ? `"${words}, ""quoted"" part"` : words;
      const score = next() < 0.6 ? '' : (next() * 10).toFixed(1);
      return `${rows},${created},${created.slice(0, 10)},${CATEGORIES[Math.floor(next() * CATEGORIES.length)]},${amount},${1 + Math.floor(next() * 20)},user${Math.floor(next() * 50_000)}@example.com,${comment},${next() < 0.5},${score}\n`;
    },
  });
}

/** A distinct CSV of about 1 KB: `seed` changes every row, so every file has its own sha256. */
export function smallCsv(seed: number): Uint8Array {
  const lines = ['order_id,customer_email,amount,ordered_at,status'];
  for (let row = 1; lines.join('\n').length < 960; row += 1) {
    lines.push(
      `${seed * 100 + row},c${(seed * 7 + row) % 997}@example.com,${((seed + row) % 50) * 2.5},2026-0${1 + (row % 9)}-1${row % 10},${row % 3 ? 'paid' : 'open'}`,
    );
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}
