import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText, firstInvalidUtf8 } from './text-decoding.js';

async function decodeInChunks(bytes: Uint8Array, sizes: number[]) {
  async function* chunks() {
    let start = 0;
    for (let index = 0; start < bytes.length; index += 1) {
      const size = sizes[index % sizes.length] as number;
      yield bytes.slice(start, start + size);
      start += size;
    }
  }
  const warnings: Array<{ offset: number }> = [];
  let text = '';
  for await (const part of decodeText(chunks(), (_encoding, warning) => warning && warnings.push(warning)))
    text += part;
  return { text, warnings };
}

describe('decodeText', () => {
  it('finds the first invalid UTF-8 byte exactly (property, against node:buffer isUtf8)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ unit: 'binary' }), (noise, valid) => {
        const bytes = Buffer.concat([Buffer.from(valid, 'utf8'), noise]);
        const at = firstInvalidUtf8(bytes);
        expect(isUtf8(bytes.subarray(0, at))).toBe(true);
        expect(at === bytes.length).toBe(isUtf8(bytes));
      }),
      { numRuns: 2_000 },
    );
  });

  it('falls back to Windows-1252 at the first invalid byte, the same wherever the chunks are cut', async () => {
    // Valid UTF-8 first, then a Latin-1 export's bytes.
    const bytes = Buffer.concat([
      Buffer.from('Renée, Zürich\n', 'utf8'),
      Buffer.from([0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e]),
    ]);
    const invalidAt = Buffer.byteLength('Renée, Zürich\n') + 1;
    for (const sizes of [[bytes.length], [1], [3, 5], [invalidAt], [invalidAt + 1]]) {
      const { text, warnings } = await decodeInChunks(bytes, sizes);
      expect(text, String(sizes)).toBe('Renée, Zürich\nMünchen');
      expect(warnings.map((warning) => warning.offset)).toEqual([invalidAt]);
    }
  });
});
