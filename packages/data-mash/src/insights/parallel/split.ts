import { open } from 'node:fs/promises';

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const BLOCK = 4 * 1024 * 1024;

/**
 * Byte offsets that cut a delimited file into `parts` ranges of about equal size, each cut just
 * after a line break that is outside quotes (an even number of `"` before it: RFC 4180 escapes a
 * quote by doubling it, which keeps the parity), so no record is split. Reads the file once up
 * to the last cut, counting quotes natively. Returns `[from, cut1, ..., size]`.
 */
export async function splitPoints(path: string, from: number, size: number, parts: number): Promise<number[]> {
  const targets = Array.from(
    { length: parts - 1 },
    (_, index) => from + Math.floor(((size - from) * (index + 1)) / parts),
  );
  const cuts = [from];
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(BLOCK);
    let quotes = 0;
    let position = from;
    let target = 0;
    while (target < targets.length && position < size) {
      const { bytesRead } = await file.read(buffer, 0, BLOCK, position);
      if (bytesRead === 0) break;
      const block = buffer.subarray(0, bytesRead);
      let offset = 0;
      while (target < targets.length) {
        const goal = (targets[target] as number) - position;
        if (goal >= bytesRead) break;
        // Quotes up to the target, then the first line break after it with even parity.
        quotes += countQuotes(block, offset, Math.max(offset, goal));
        offset = Math.max(offset, goal);
        let cut = -1;
        while (offset < bytesRead) {
          const newline = block.indexOf(NEWLINE, offset);
          const end = newline < 0 ? bytesRead : newline;
          quotes += countQuotes(block, offset, end);
          offset = end;
          if (newline < 0) break;
          offset = newline + 1;
          if (quotes % 2 === 0) {
            cut = position + offset;
            break;
          }
        }
        if (cut < 0) break;
        if (cut > (cuts[cuts.length - 1] as number) && cut < size) cuts.push(cut);
        target += 1;
      }
      quotes += countQuotes(block, offset, bytesRead);
      position += bytesRead;
      if (target < targets.length && (targets[target] as number) < position) {
        // The target passed inside a long quoted field: look for the next safe break from here.
        targets[target] = position;
      }
    }
  } finally {
    await file.close();
  }
  cuts.push(size);
  return cuts;
}

function countQuotes(block: Buffer, from: number, to: number): number {
  let count = 0;
  for (let index = block.indexOf(QUOTE, from); index >= 0 && index < to; index = block.indexOf(QUOTE, index + 1))
    count += 1;
  return count;
}
