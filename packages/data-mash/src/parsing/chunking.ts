/** A piece of text with where it came from. */
export interface TextChunk {
  /** 0-based position of the chunk. */
  index: number;
  text: string;
  /** Character offsets of the chunk in the original text: `text === source.slice(start, end)`. */
  start: number;
  end: number;
}

/** Options of {@link chunkText}. */
export interface ChunkOptions {
  /** Target chunk length in characters. Default 1,000. */
  size?: number;
  /** Characters repeated from the end of one chunk at the start of the next. Default 150. */
  overlap?: number;
}

// Where a chunk may end, best first: a paragraph break, a sentence end, a line break, a space.
const BOUNDARIES: readonly RegExp[] = [/\n\s*\n/g, /[.!?…]["')\]]?\s/g, /\n/g, /\s/g];

function lastBoundary(text: string, from: number, to: number): number | undefined {
  const window = text.slice(from, to);
  for (const pattern of BOUNDARIES) {
    let found: number | undefined;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(window); match; match = pattern.exec(window)) found = match.index + match[0].length;
    // Only a boundary in the second half keeps chunks near the target size.
    if (found !== undefined && found > (to - from) / 2) return from + found;
  }
  return undefined;
}

/**
 * Splits text into chunks of about `size` characters, ending on a paragraph break, else a
 * sentence end, else a line break, else a space, else mid-word; each chunk starts `overlap`
 * characters before the previous one ended (moved forward to a word start), so a sentence cut by
 * a boundary is whole in one of the two chunks. Offsets point into the original text.
 */
export function chunkText(text: string, options: ChunkOptions = {}): TextChunk[] {
  const size = options.size ?? 1000;
  const overlap = options.overlap ?? 150;
  if (!Number.isInteger(size) || size < 50)
    throw new RangeError(`chunk size must be a whole number of at least 50, got ${size}`);
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size / 2) {
    throw new RangeError(`overlap must be a whole number from 0 to half the size, got ${overlap}`);
  }
  const chunks: TextChunk[] = [];
  let start = 0;
  while (start < text.length) {
    while (start < text.length && /\s/.test(text[start] as string)) start += 1;
    if (start >= text.length) break;
    let end = Math.min(text.length, start + size);
    if (end < text.length) end = lastBoundary(text, start, end) ?? end;
    let trimmedEnd = end;
    while (trimmedEnd > start && /\s/.test(text[trimmedEnd - 1] as string)) trimmedEnd -= 1;
    chunks.push({ index: chunks.length, text: text.slice(start, trimmedEnd), start, end: trimmedEnd });
    if (end >= text.length) break;
    let next = Math.max(start + 1, end - overlap);
    // Start the overlap at a word boundary, so no chunk begins mid-word.
    while (next < end && !/\s/.test(text[next - 1] as string)) next += 1;
    start = next;
  }
  return chunks;
}
