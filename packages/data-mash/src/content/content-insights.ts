import { createInterface } from 'node:readline';
import type { BlobStore } from '@platform/foundations';
import { topKeywords } from '../insights/keywords.js';
import { type SummaryStatement, summarizeTable } from '../insights/summary.js';
import { type TableInsights, TableProfiler, type TableProfilerOptions } from '../insights/table-profiler.js';
import type { ParseResult } from './parse-content.js';

/** What the Insights Pillar found in one file: figures as JSON and a summary traceable to them. */
export interface InsightsResult {
  tables: Array<{ name: string; rowsKey: string; insights: TableInsights }>;
  text?: {
    characters: number;
    words: number;
    chunks: number;
    keywords: Array<{ word: string; count: number }>;
  };
  /** Plain-language statements; each names the figures (JSON pointers into this result) it states. */
  summary: SummaryStatement[];
}

/** Where the parsed copies are, and limits. */
export interface InsightsInput {
  tenantId: string;
  blobStore: BlobStore;
  parse: ParseResult;
  profiler?: TableProfilerOptions;
  /**
   * Applied to each table's insights before the summary is written (personal data replaced),
   * except a profile taken from a parse result whose `piiTreatment` says it was treated already.
   */
  protectTable?: (name: string, insights: TableInsights) => TableInsights;
}

/** Profiler options as a canonical string: keys sorted, unset ones left out. */
function optionsKey(options: TableProfilerOptions): string {
  const entries = Object.entries(options)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/**
 * The Insights Pillar: profiles every table of a parse result by streaming its JSON Lines copy
 * back from the BlobStore (one pass, bounded memory), counts the words and keywords of the
 * extracted text, and writes a summary whose every sentence points at its figures. A table
 * profiled while it was parsed (`ParsedTable.profile`, with the same profiler options) is not
 * read again: those figures are the ones a pass over its stored copy gives.
 */
export async function computeInsights(input: InsightsInput): Promise<InsightsResult> {
  const tables: InsightsResult['tables'] = [];
  const wanted = optionsKey(input.profiler ?? {});
  for (const table of input.parse.structured?.tables ?? []) {
    const protect = (insights: TableInsights) => input.protectTable?.(table.name, insights) ?? insights;
    if (table.profile && optionsKey(table.profile.options) === wanted) {
      const insights = input.parse.piiTreatment ? table.profile.insights : protect(table.profile.insights);
      tables.push({ name: table.name, rowsKey: table.rowsKey, insights });
      continue;
    }
    const profiler = new TableProfiler(table.columns, input.profiler).numberRowsFrom(table.firstRowNumber ?? 1);
    const stream = await input.blobStore.getStream(input.tenantId, table.rowsKey);
    const values: unknown[] = new Array(table.columns.length);
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line === '') continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      for (let index = 0; index < table.columns.length; index += 1) values[index] = row[table.columns[index] as string];
      profiler.addValues(values);
    }
    tables.push({ name: table.name, rowsKey: table.rowsKey, insights: protect(profiler.result()) });
  }
  const result: InsightsResult = { tables, summary: [] };
  const unstructured = input.parse.unstructured;
  if (unstructured) {
    const text = Buffer.from(await input.blobStore.get(input.tenantId, unstructured.textKey)).toString('utf8');
    result.text = {
      characters: text.length,
      words: text.match(/[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu)?.length ?? 0,
      chunks: unstructured.chunks.length,
      keywords: topKeywords(text, 15),
    };
  }
  tables.forEach((table, index) => {
    result.summary.push(...summarizeTable(table.name, table.insights, `/tables/${index}/insights`));
  });
  if (result.text) {
    const keywords = result.text.keywords.slice(0, 5).map((entry) => entry.word);
    result.summary.push({
      text: `The text has ${result.text.words.toLocaleString('en-US')} words in ${result.text.chunks} chunk(s)${keywords.length ? `; its most frequent content words are ${keywords.join(', ')}` : ''}.`,
      figures: ['/text/words', '/text/chunks', '/text/keywords'],
    });
  }
  return result;
}

/** The value a JSON pointer (RFC 6901) names in a result: how a reader checks a summary statement. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>(
      (node, key) => (node === null || typeof node !== 'object' ? undefined : (node as Record<string, unknown>)[key]),
      document,
    );
}
