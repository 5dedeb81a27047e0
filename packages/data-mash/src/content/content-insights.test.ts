import { MemoryBlobStore } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { computeInsights, resolvePointer } from './content-insights.js';
import { parseContent } from './parse-content.js';

const encode = (text: string) => new TextEncoder().encode(text);

describe('computeInsights', () => {
  it('profiles the stored rows and writes a summary whose every statement resolves to its figures', async () => {
    const blobStore = new MemoryBlobStore();
    const rows = Array.from({ length: 200 }, (_, index) => {
      const price = index === 17 ? 9000 : 10 + (index % 10);
      return `${index % 4 === 0 ? 'north' : 'south'},${price},${price * 2},2026-01-${String((index % 28) + 1).padStart(2, '0')},,EUR`;
    });
    const csv = `region,price,double_price,day,note,currency\n${rows.join('\n')}\nsouth,11,22,2026-01-02,,EUR\n`;
    const parse = await parseContent({
      tenantId: 't',
      fileId: 'f',
      fileName: 'prices.csv',
      body: encode(csv),
      blobStore,
    });
    const result = await computeInsights({ tenantId: 't', blobStore, parse });
    const insights = result.tables[0]?.insights;
    expect(insights?.rowCount).toBe(201);
    expect(insights?.quality.filter((flag) => flag.severity === 'warning').map((flag) => flag.kind)).toEqual([
      'mostly_null',
      'constant',
      'duplicate_rows',
    ]);
    const texts = result.summary.map((statement) => statement.text);
    expect(texts).toEqual(
      expect.arrayContaining([
        "'prices' has 201 rows and 6 columns.",
        "100 % of 'note' is empty.",
        "'currency' has one value throughout: 'EUR'.",
        // Rows 140-199 repeat rows 0-59 (the pattern cycles every 140), except row 157 (row 17 is the outlier),
        // and the last row repeats row 1: 60 repeats.
        '60 of the first 201 rows repeat an earlier row exactly.',
        "'price' and 'double_price' rise together (Pearson r = 1.00).",
        // Sorted prices: 10 x20, 11 x21, 12 x20, ... 17 x19, 18 x20, 19 x20, 9000: Q1 = x[50] = 12, Q3 = x[150] = 17.
        "'price' has 1 outlier outside 4.5 to 24.5.",
        "'region' takes 2 values; the most common is 'south' (75.1 % of values).",
        "'day' runs from 2026-01-01 to 2026-01-28, typically one day apart.",
      ]),
    );
    for (const statement of result.summary) {
      expect(statement.figures.length).toBeGreaterThan(0);
      for (const pointer of statement.figures) expect(resolvePointer(result, pointer), pointer).toBeDefined();
    }
    const outlier = insights?.outliers.find((entry) => entry.column === 'price' && entry.method === 'iqr');
    // Data row 18 is row 19 of the file, the header being row 1.
    expect(outlier?.examples).toEqual([{ row: 19, value: 9000 }]);
    // The figures are plain JSON: they survive a round trip unchanged.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('counts words and keywords of extracted text', async () => {
    const blobStore = new MemoryBlobStore();
    const text = 'Solar panels convert sunlight. Solar power is cheap. Panels last decades.';
    const parse = await parseContent({
      tenantId: 't',
      fileId: 'txt',
      fileName: 'notes.txt',
      body: encode(text),
      blobStore,
    });
    const result = await computeInsights({ tenantId: 't', blobStore, parse });
    expect(result.text).toMatchObject({ characters: text.length, words: 11, chunks: 1 });
    expect(result.text?.keywords.slice(0, 2)).toEqual([
      { word: 'panels', count: 2 },
      { word: 'solar', count: 2 },
    ]);
    expect(result.summary.at(-1)?.text).toBe(
      'The text has 11 words in 1 chunk(s); its most frequent content words are panels, solar, cheap, convert, decades.',
    );
  });

  it('takes the profile made while parsing when its options are the same, and reads the stored rows otherwise', async () => {
    const blobStore = new MemoryBlobStore();
    const csv = `k,v\n${Array.from({ length: 50 }, (_, index) => `${index % 5},${index}`).join('\n')}\n`;
    const parse = await parseContent(
      { tenantId: 't', fileId: 'f', fileName: 'kv.csv', body: encode(csv), blobStore },
      { profile: { topValues: 3 } },
    );
    const tables = (parse.structured?.tables ?? []).map(({ profile: _profile, ...table }) => table);
    const streamed = await computeInsights({
      tenantId: 't',
      blobStore,
      parse: { ...parse, structured: { tables } },
      profiler: { topValues: 3 },
    });
    let reads = 0;
    const counting = Object.assign(Object.create(blobStore) as MemoryBlobStore, {
      getStream: (tenantId: string, key: string) => {
        reads += 1;
        return blobStore.getStream(tenantId, key);
      },
    });
    const same = await computeInsights({ tenantId: 't', blobStore: counting, parse, profiler: { topValues: 3 } });
    expect(reads).toBe(0);
    expect(same).toEqual(streamed);
    // Other options: the stored rows are profiled again, with those options.
    const other = await computeInsights({ tenantId: 't', blobStore: counting, parse, profiler: { topValues: 2 } });
    expect(reads).toBe(1);
    expect(other.tables[0]?.insights.columns[0]?.topValues).toHaveLength(2);
  });
});
