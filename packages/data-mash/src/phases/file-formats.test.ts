import { defaultFileFormats, defineFileFormat } from '@platform/smart-city';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, startFlowPlatform } from './flow.test-helpers.js';

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;

/** Windows-1252 bytes of `value` (Latin-1, plus the euro sign and typographic quotes). */
function windows1252(value: string): Uint8Array {
  const high: Record<string, number> = { '€': 0x80, '„': 0x84, '“': 0x93, '”': 0x94, '–': 0x96 };
  return Uint8Array.from([...value].map((char) => high[char] ?? char.charCodeAt(0)));
}

describe('the data mash flow: what the Content Steward accepts is what the Content Pillar parses', () => {
  let harness: Harness;
  beforeAll(async () => {
    const formats = defaultFileFormats.with(
      defineFileFormat({ id: 'psv', kind: 'text', extensions: ['psv'], mimeTypes: ['text/plain'], parser: 'csv' }),
    );
    harness = await startFlowPlatform({ modules: { formats } });
  }, 60_000);
  afterAll(() => harness?.stop());

  it.each([
    [
      'a Windows-1252 CSV',
      'legacy.csv',
      windows1252('Straße;Größe;Preis\r\nKönigsallee;groß;12,50 €\r\nRüdesheim;„klein“;3 €\r\nMünchen;–;7 €\r\n'),
      ['Straße', 'Größe', 'Preis'],
    ],
    [
      'a UTF-16 LE tab-separated export with a byte order mark',
      'unicode.txt',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Stadt\tNotiz\r\nZürich\tgut\r\n', 'utf16le')]),
      undefined,
    ],
    [
      'a CSV whose header begins with MZ',
      'regions.csv',
      new TextEncoder().encode('MZ_code,name\nMZ-1,Mazowieckie\n'),
      ['MZ_code', 'name'],
    ],
    [
      'a CSV whose first cell begins with #!',
      'marks.csv',
      new TextEncoder().encode('#!id,name\n1,a\n2,b\n'),
      ['#!id', 'name'],
    ],
    [
      'a format of the host’s own',
      'prices.psv',
      new TextEncoder().encode('sku|price\nA-1|9.50\nB-2|3\n'),
      ['sku', 'price'],
    ],
    ['a .log file', 'server.log', new TextEncoder().encode('12:00 started\n12:01 stopped\n'), undefined],
    ['a .tab file', 'table.tab', new TextEncoder().encode('a\tb\n1\t2\n'), ['a', 'b']],
  ])(
    'takes %s through every phase',
    async (_label, name, data, columns) => {
      const result = await harness.flow.executeDataMashFlow({ file: { name, data }, userContext: ada });
      if (!result.success) throw new Error(`${name}: ${result.error.code}: ${result.error.message}`);
      const { parseResult } = result.phases.file_parsed;
      if (columns) expect(parseResult.tables[0]?.columns).toEqual(columns);
      else expect(parseResult.text?.characters ?? parseResult.tables.length).toBeGreaterThan(0);
    },
    60_000,
  );
});
