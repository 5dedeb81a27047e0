import { Lexer } from 'marked';

/** A Markdown section: a heading and the text up to the next heading of any level. */
export interface MarkdownSection {
  /** Heading texts from the top level down to this section's own heading; empty before the first heading. */
  path: string[];
  /** Heading level (1-6), 0 for text before the first heading. */
  level: number;
  /** Character offsets of the section (heading included) in the normalised source. */
  start: number;
  end: number;
}

/** What {@link parseMarkdownStructure} finds in a Markdown document. */
export interface MarkdownStructure {
  /** The source with line endings normalised to `\n`: every offset points into this. */
  text: string;
  sections: MarkdownSection[];
  /** Fenced or indented code blocks, tables and lists, counted. */
  blocks: { code: number; table: number; list: number };
}

/**
 * Finds the heading structure of a Markdown document with the `marked` lexer (CommonMark and
 * GFM: headings inside code fences are not headings, setext headings are), so chunks can stay
 * inside a section and carry its heading path.
 */
export function parseMarkdownStructure(source: string): MarkdownStructure {
  const text = source.replace(/\r\n?/g, '\n');
  const tokens = new Lexer({ gfm: true }).lex(text);
  const sections: MarkdownSection[] = [];
  const blocks = { code: 0, table: 0, list: 0 };
  const headings: string[] = [];
  let cursor = 0;
  let current: MarkdownSection = { path: [], level: 0, start: 0, end: 0 };
  for (const token of tokens) {
    // The lexer keeps each token's raw source; finding it from the cursor gives its offset.
    const found = text.indexOf(token.raw, cursor);
    const start = found < 0 ? cursor : found;
    cursor = start + token.raw.length;
    if (token.type === 'heading') {
      current.end = start;
      if (current.end > current.start) sections.push(current);
      headings.length = Math.min(headings.length, token.depth - 1);
      while (headings.length < token.depth - 1) headings.push('');
      headings.push(token.text.trim());
      current = { path: headings.filter(Boolean), level: token.depth, start, end: start };
    } else if (token.type === 'code') blocks.code += 1;
    else if (token.type === 'table') blocks.table += 1;
    else if (token.type === 'list') blocks.list += 1;
  }
  current.end = text.length;
  if (current.end > current.start) sections.push(current);
  return { text, sections, blocks };
}
