import { Parser } from 'htmlparser2';
import { uniqueColumns } from '../delimited.js';

/** A table found in a document, header first. */
export interface ExtractedTable {
  /** `table 1`, `table 2`, ... in document order, or the table's caption when it has one. */
  name: string;
  columns: string[];
  rows: string[][];
}

/** The visible text and the tables of an HTML document. */
export interface HtmlContent {
  title?: string;
  /** Visible text, one block element a line, blank lines between paragraphs. */
  text: string;
  tables: ExtractedTable[];
}

// HTML white space, which (unlike JavaScript's \s) leaves no-break spaces alone.
const HTML_SPACE = /[ \t\n\r\f]+/g;

// Elements whose content a reader never sees.
const HIDDEN = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'svg',
  'math',
  'iframe',
  'object',
  'canvas',
]);
const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const PARAGRAPH = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'ul',
  'ol',
  'pre',
  'blockquote',
  'section',
  'article',
]);
const LINE = new Set(['div', 'li', 'tr', 'br', 'dt', 'dd', 'figcaption', 'caption', 'header', 'footer', 'hr']);

function isHiddenByAttributes(attributes: Record<string, string>): boolean {
  if ('hidden' in attributes || attributes['aria-hidden'] === 'true') return true;
  const style = (attributes.style ?? '').replace(/\s+/g, '').toLowerCase();
  return style.includes('display:none') || style.includes('visibility:hidden');
}

interface TableBuilder {
  caption?: string;
  rows: string[][];
  headerRows: number;
  row?: string[] | undefined;
  cell?: string | undefined;
  cellIsHeader?: boolean | undefined;
  rowAllHeader?: boolean | undefined;
}

/**
 * Extracts what a reader of an HTML page sees: text outside scripts, styles, templates and
 * hidden elements, with line breaks where block elements end, and every `<table>` as rows of
 * cells (the first row is the header when it is made of `<th>` cells or is the only header
 * candidate). Entities are decoded; malformed markup is read the way browsers forgive it.
 */
export function extractHtml(html: string): HtmlContent {
  let text = '';
  let title: string | undefined;
  let inTitle = false;
  // Depth of open elements that hide their content; void elements never count.
  let hiddenDepth = 0;
  const open: Array<{ name: string; hides: boolean }> = [];
  const tables: TableBuilder[] = [];
  const finished: ExtractedTable[] = [];

  const newline = (count: number) => {
    const trailing = text.length - text.replace(/\n+$/, '').length;
    if (text.length > 0 && trailing < count) text += '\n'.repeat(count - trailing);
  };

  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const hides = HIDDEN.has(name) || isHiddenByAttributes(attributes);
        if (name === 'title') inTitle = true;
        if (!VOID.has(name)) open.push({ name, hides });
        if (hides && !VOID.has(name)) hiddenDepth += 1;
        if (hiddenDepth > 0) return;
        if (name === 'br') text += '\n';
        const table = tables[tables.length - 1];
        if (name === 'table') tables.push({ rows: [], headerRows: 0 });
        else if (table && name === 'tr') table.row = [];
        else if (table && (name === 'td' || name === 'th')) {
          table.cell = '';
          table.cellIsHeader = name === 'th';
        }
      },
      ontext(data) {
        if (inTitle) title = (title ?? '') + data;
        if (hiddenDepth > 0) return;
        const collapsed = data.replace(HTML_SPACE, ' ');
        if (collapsed.trim() === '' && (text.endsWith('\n') || text.endsWith(' ') || text === '')) return;
        text += text.endsWith('\n') || text === '' ? collapsed.trimStart() : collapsed;
        const table = tables[tables.length - 1];
        if (table?.cell !== undefined) table.cell += data;
        else if (table && open[open.length - 1]?.name === 'caption') table.caption = (table.caption ?? '') + data;
      },
      onclosetag(name) {
        if (VOID.has(name)) return;
        const element = open.pop();
        if (name === 'title') inTitle = false;
        if (element?.hides) {
          hiddenDepth -= 1;
          return;
        }
        if (hiddenDepth > 0) return;
        const table = tables[tables.length - 1];
        if (table && (name === 'td' || name === 'th') && table.cell !== undefined) {
          if (table.row === undefined) table.row = [];
          table.row.push(table.cell.replace(HTML_SPACE, ' ').trim());
          table.rowAllHeader = (table.rowAllHeader ?? true) && table.cellIsHeader === true;
          table.cell = undefined;
          text += ' ';
        } else if (table && name === 'tr' && table.row) {
          if (table.row.length > 0) {
            // Only leading rows made of <th> cells form the header.
            const allHeader = table.rowAllHeader === true && table.rows.length === 0;
            table.rows.push(table.row);
            if (allHeader) table.headerRows += 1;
          }
          table.row = undefined;
          table.rowAllHeader = undefined;
        } else if (table && name === 'table') {
          tables.pop();
          finished.push(finishTable(table, finished.length + 1));
        }
        if (PARAGRAPH.has(name)) newline(2);
        else if (LINE.has(name)) newline(1);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  while (tables.length > 0) finished.push(finishTable(tables.pop() as TableBuilder, finished.length + 1));
  const cleaned = text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return {
    ...(title?.trim() ? { title: title.trim() } : {}),
    text: cleaned,
    tables: finished.filter((t) => t.columns.length > 0),
  };
}

function finishTable(table: TableBuilder, position: number): ExtractedTable {
  const width = Math.max(0, ...table.rows.map((row) => row.length));
  const hasHeader = table.headerRows > 0;
  const header = hasHeader ? (table.rows[0] as string[]) : [];
  // Named as a CSV header is: two cells of one name would make one column of the other's values.
  const columns = uniqueColumns(
    Array.from({ length: width }, (_, index) => header[index] ?? ''),
    () => undefined,
  );
  const body = table.rows.slice(hasHeader ? 1 : 0).map((row) => columns.map((_, index) => row[index] ?? ''));
  return { name: table.caption?.trim() || `table ${position}`, columns, rows: body };
}
