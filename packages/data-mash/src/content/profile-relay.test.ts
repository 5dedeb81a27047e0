import { existsSync } from 'node:fs';
import { MemoryBlobStore } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { parseContent } from './parse-content.js';

// The worker thread is the built entry (as for profileDelimitedFile): without a build the relay
// profiles on this thread, which the property tests cover.
const built = existsSync(new URL('../../dist/profile-worker.js', import.meta.url));

async function parse(bytes: Buffer, profileWorker: boolean) {
  const store = new MemoryBlobStore();
  const pieces = async function* () {
    for (let start = 0; start < bytes.length; start += 65_536) yield bytes.subarray(start, start + 65_536);
  };
  const result = await parseContent(
    { tenantId: 't', fileId: 'f', fileName: 'big.csv', body: pieces(), blobStore: store },
    { profile: {}, profileWorker },
  );
  const rows = Buffer.from(await store.get('t', 'parsed/f/table-1.jsonl')).toString('utf8');
  return { result, rows };
}

describe.runIf(built)('profiling a large CSV on a worker thread while it is stored', () => {
  it('gives the profile of this thread, the general parser taking over at a lone CR included', async () => {
    const line = (index: number) =>
      `${index},2024-0${(index % 9) + 1}-1${index % 10},"note ""${index % 97}"", more",${(index % 1013) / 4},${index % 3 === 0 ? '' : 'yes'}\n`;
    const parts = ['id,day,note,amount,flag\n'];
    for (let index = 0; index < 400_000; index += 1) parts.push(line(index));
    // Past the 16 MiB from which a worker profiles: a lone CR there hands the rest to the general parser.
    parts.push('400000,2024-01-01,old\rmac,1,yes\n');
    for (let index = 400_001; index < 402_000; index += 1) parts.push(line(index));
    const bytes = Buffer.from(parts.join(''));
    expect(bytes.length).toBeGreaterThan(17 * 1024 * 1024);
    const threaded = await parse(bytes, true);
    const here = await parse(bytes, false);
    expect(threaded.rows).toBe(here.rows);
    expect(threaded.result).toEqual(here.result);
    expect(threaded.result.structured?.tables[0]?.profile?.insights.rowCount).toBe(402_001);
  }, 120_000);
});
