import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { deflateRawSync } from 'node:zlib';
import {
  createPlatform,
  MemoryBlobStore,
  MemoryMetadataStore,
  type MetadataStore,
  PlatformError,
} from '@platform/foundations';
import { describe, expect, it, vi } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import { defineFileFormat } from '../file-formats/file-format.js';
import { defaultFileFormats } from '../file-formats/registry.js';
import type { UserContext } from '../user-context/user-context.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { type ContentStewardOptions, ContentStewardRef, contentSteward } from './content-steward.js';

const FILES = ['files:read', 'files:write', 'files:delete'];
const ada = testUser('ada', 'acme', { permissions: FILES });
const eve = testUser('eve', 'globex', { permissions: FILES });
const text = (value: string) => new TextEncoder().encode(value);

/** A minimal zip archive writer (deflate), enough to build XLSX-shaped files and zip bombs. */
function zip(entries: Array<[string, Uint8Array]>): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of entries) {
    const nameBytes = Buffer.from(name);
    const data = deflateRawSync(content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const xlsx = () =>
  zip([
    ['[Content_Types].xml', text('<Types/>')],
    ['xl/workbook.xml', text('<workbook/>')],
  ]);

async function start(options: ContentStewardOptions = {}, metadata: MetadataStore = new MemoryMetadataStore()) {
  const blobs = new MemoryBlobStore();
  const platform = createPlatform({
    env: {},
    telemetrySink: () => {},
    adapters: { blobStore: blobs, metadataStore: metadata },
    modules: [smartCityModule({ roles: [contentSteward(options)] })],
  });
  await platform.start();
  return { steward: platform.get(ContentStewardRef), blobs, metadata, stop: () => platform.stop() };
}

describe('Content Steward: accepted files', () => {
  it('stores a CSV as blob plus file record, with checksum, size and detected type', async () => {
    const { steward, blobs, metadata, stop } = await start();
    const result = await steward.processClientFile(ada, {
      name: 'sales.csv',
      declaredType: 'text/csv',
      data: text('id,amount\n1,9.5\n'),
    });
    expect(result).toMatchObject({
      validationStatus: 'valid',
      storageLocation: `files/${result.fileId}`,
      sizeBytes: 16,
      detectedType: 'text',
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(await metadata.getFile('acme', result.fileId)).toMatchObject({
      status: 'stored',
      createdBy: 'ada',
      detectedType: 'text',
    });
    expect((await blobs.head('acme', result.storageLocation))?.sha256).toBe(result.sha256);
    await stop();
  });

  it('accepts a streamed XLSX after inspecting the archive', async () => {
    const { steward, stop } = await start();
    const result = await steward.processInternalFile('acme', {
      name: 'book.xlsx',
      data: Readable.from([Buffer.from(xlsx())]),
    });
    expect(result).toMatchObject({ validationStatus: 'valid', detectedType: 'xlsx' });
    await stop();
  });

  it('accepts UTF-16 text named by its byte order mark, and still refuses NUL-laden binaries', async () => {
    const { steward, stop } = await start();
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('city\tnote\r\nZürich\tok\r\n', 'utf16le')]);
    const utf16be = Buffer.from(utf16le.subarray(2)).swap16();
    expect(await steward.processClientFile(ada, { name: 'le.tsv', data: utf16le })).toMatchObject({
      validationStatus: 'valid',
      detectedType: 'text',
    });
    expect(
      await steward.processClientFile(ada, {
        name: 'be.tsv',
        data: Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
      }),
    ).toMatchObject({ validationStatus: 'valid', detectedType: 'text' });
    const binary = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.alloc(64)]);
    expect(await steward.processClientFile(ada, { name: 'fake.csv', data: binary })).toMatchObject({
      validationStatus: 'quarantined',
    });
    await stop();
  });

  it('detects duplicates per tenant by checksum and keeps one copy', async () => {
    const { steward, blobs, stop } = await start();
    const first = await steward.processClientFile(ada, { name: 'a.csv', data: text('x\n1\n') });
    const again = await steward.processClientFile(ada, { name: 'copy.csv', data: text('x\n1\n') });
    expect(again).toMatchObject({ validationStatus: 'duplicate', fileId: first.fileId });
    expect((await blobs.list('acme')).items).toHaveLength(1);
    expect((await steward.processClientFile(eve, { name: 'a.csv', data: text('x\n1\n') })).validationStatus).toBe(
      'valid',
    );
    await stop();
  });
});

/** Windows-1252 bytes of `value` (Latin-1 plus the printable characters of 0x80-0x9F that legacy exports use). */
function windows1252(value: string): Uint8Array {
  const high: Record<string, number> = {
    '€': 0x80,
    '„': 0x84,
    '‘': 0x91,
    '’': 0x92,
    '“': 0x93,
    '”': 0x94,
    '–': 0x96,
    '—': 0x97,
  };
  return Uint8Array.from([...value].map((char) => high[char] ?? char.charCodeAt(0)));
}

/** A minimal PE image: a DOS header whose `e_lfanew` (at 0x3C) points at a `PE\0\0` signature. */
function portableExecutable(): Buffer {
  const image = Buffer.alloc(512);
  image.write('MZ', 0, 'latin1');
  image.writeUInt32LE(0x80, 0x3c);
  image.write('This program cannot be run in DOS mode.', 0x4e, 'latin1');
  image.write('PE\0\0', 0x80, 'latin1');
  image.writeUInt16LE(0x8664, 0x84); // machine: x86-64
  return image;
}

describe('Content Steward: text is told from binaries and executables', () => {
  const legacyCsv = windows1252(
    'name;city;amount;note\r\nRené;Zürich;12,50 €;„gut“\r\nJosé;Málaga;3,10 €;—\r\nFrançois;Genève;7,00 €;l’été\r\nÅsa;Malmö;1,00 €;–\r\nMüller;Köln;2,00 €;ß\r\n',
  );

  it.each([
    ['a Windows-1252 CSV (legacy Excel export)', 'export.csv', legacyCsv],
    [
      'a Latin-1 CSV with a stray NUL in a long file',
      'legacy.csv',
      Buffer.concat([legacyCsv, Buffer.from('x\0y;1;2;3\r\n', 'latin1'), legacyCsv, legacyCsv, legacyCsv]),
    ],
    ['a CSV whose header starts with MZ', 'codes.csv', text('MZ_code,name\nMZ-1,Mazowieckie\nMZ-2,Mazury\n')],
    ['a CSV whose first cell starts with #!', 'marks.csv', text('#!id,name\n1,a\n2,b\n')],
    ['a shell script with a text extension (a script is text)', 'notes.txt', text('#!/bin/sh\necho hello\n')],
    [
      'UTF-16 LE with a BOM, beyond the Basic Multilingual Plane',
      'emoji.csv',
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('name,mood\r\n東京,😀\r\nZürich,🙂\r\n'.repeat(50), 'utf16le'),
      ]),
    ],
  ])('accepts %s as text', async (_label, name, data) => {
    const { steward, stop } = await start();
    expect(await steward.processClientFile(ada, { name, data })).toMatchObject({
      validationStatus: 'valid',
      detectedType: 'text',
    });
    await stop();
  });

  it.each(['server.log', 'table.tab', 'notes.text'])('accepts %s, which the parsers read', async (name) => {
    const { steward, stop } = await start();
    expect(await steward.processClientFile(ada, { name, data: text('a\tb\n1\t2\n') })).toMatchObject({
      validationStatus: 'valid',
    });
    await stop();
  });

  it('accepts a CSV declared application/vnd.ms-excel (what browsers on Windows send for .csv)', async () => {
    const { steward, stop } = await start();
    const result = await steward.processClientFile(ada, {
      name: 'sales.csv',
      declaredType: 'application/vnd.ms-excel',
      data: text('a,b\n1,2\n'),
    });
    expect(result.validationStatus).toBe('valid');
    await stop();
  });

  it.each([
    ['a PE executable named .csv', 'report.csv', portableExecutable()],
    [
      'a big-endian Mach-O named .csv',
      'report.csv',
      Buffer.concat([Buffer.from([0xfe, 0xed, 0xfa, 0xcf]), Buffer.alloc(64)]),
    ],
  ])('still quarantines %s as executable content', async (_label, name, data) => {
    const { steward, stop } = await start();
    expect(await steward.processClientFile(ada, { name, data })).toMatchObject({
      validationStatus: 'quarantined',
      reason: 'executable content',
    });
    await stop();
  });

  it.each([
    ['MZ followed by NULs (no PE header)', 'book.csv', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64)])],
    [
      'noise (no NUL, not UTF-8)',
      'noise.csv',
      Uint8Array.from({ length: 4096 }, (_, index) => ((index * 2654435761) >>> 13) & 0xff),
    ],
  ])('still quarantines %s as binary', async (_label, name, data) => {
    const { steward, stop } = await start();
    expect(await steward.processClientFile(ada, { name, data })).toMatchObject({
      validationStatus: 'quarantined',
      reason: "content type 'binary' is not accepted",
    });
    await stop();
  });
});

describe('Content Steward: the format registry', () => {
  it('records the format and the encoding it read the file in', async () => {
    const { steward, metadata, stop } = await start();
    const stored = await steward.processClientFile(ada, {
      name: 'export.csv',
      data: windows1252('name;city\nRené;Zürich\nJosé;Málaga\nAsa;Malmö\nÅsa;Genève\nÉmile;Nîmes\n'),
    });
    expect((await metadata.getFile('acme', stored.fileId)).metadata).toMatchObject({
      format: 'csv',
      encoding: 'windows-1252',
    });
    await stop();
  });

  it("accepts a host's own formats, text and binary, with the registry it is given", async () => {
    const formats = defaultFileFormats.with(
      defineFileFormat({ id: 'psv', kind: 'text', extensions: ['psv'], mimeTypes: ['text/plain'], parser: 'csv' }),
      defineFileFormat({
        id: 'parquet',
        kind: 'binary',
        extensions: ['parquet'],
        mimeTypes: ['application/vnd.apache.parquet'],
        magic: [{ bytes: [0x50, 0x41, 0x52, 0x31] }], // PAR1
      }),
    );
    const parquet = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(32), Buffer.from('PAR1')]);
    const host = await start({ formats });
    expect(await host.steward.processClientFile(ada, { name: 'a.psv', data: text('a|b\n1|2\n') })).toMatchObject({
      validationStatus: 'valid',
      detectedType: 'text',
    });
    expect(
      await host.steward.processClientFile(ada, {
        name: 't.parquet',
        declaredType: 'application/vnd.apache.parquet',
        data: parquet,
      }),
    ).toMatchObject({ validationStatus: 'valid', detectedType: 'parquet' });
    expect(await host.steward.processClientFile(ada, { name: 'fake.parquet', data: text('a,b\n') })).toMatchObject({
      validationStatus: 'quarantined',
      reason: 'type mismatch: the name says parquet, the content is text',
    });
    await host.stop();
    const plain = await start();
    expect(await plain.steward.processClientFile(ada, { name: 'a.psv', data: text('a|b\n1|2\n') })).toMatchObject({
      validationStatus: 'quarantined',
      reason: "the file name's extension 'psv' is not an accepted format",
    });
    await plain.stop();
  });
});

describe('Content Steward: hostile files', () => {
  it.each([
    [
      'an ELF executable named .csv',
      'report.csv',
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46]), Buffer.alloc(64)]),
      undefined,
      'executable content',
    ],
    ['a Windows (PE) executable named .xlsx', 'book.xlsx', portableExecutable(), undefined, 'executable content'],
    [
      'a PDF named .csv',
      'data.csv',
      text('%PDF-1.7\n...'),
      undefined,
      'type mismatch: the name says csv, the content is pdf',
    ],
    [
      'a CSV declared as PDF',
      'data.pdf',
      text('a,b\n1,2\n'),
      'application/pdf',
      'type mismatch: the name says pdf, the content is text',
    ],
    [
      'text declared with a wrong MIME type',
      'data.csv',
      text('a,b\n'),
      'image/png',
      'type mismatch: declared image/png, the name says csv',
    ],
    [
      'an unknown extension',
      'payload.exe',
      text('hello'),
      undefined,
      "the file name's extension 'exe' is not an accepted format",
    ],
    [
      'binary junk named .json',
      'data.json',
      Buffer.from([0x00, 0x01, 0x02, 0xff, 0x00]),
      undefined,
      "content type 'binary' is not accepted",
    ],
  ])('quarantines %s, recording why', async (_label, name, data, declaredType, reason) => {
    const { steward, metadata, stop } = await start();
    const result = await steward.processClientFile(ada, { name, data, ...(declaredType ? { declaredType } : {}) });
    expect(result).toMatchObject({ validationStatus: 'quarantined', reason });
    expect(await metadata.getFile('acme', result.fileId)).toMatchObject({
      status: 'quarantined',
      quarantineReason: reason,
    });
    await expect(steward.readFile(ada, result.fileId)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await stop();
  });

  it('quarantines a zip bomb disguised as XLSX by what it really expands to', async () => {
    const { steward, stop } = await start({ zip: { maxDecompressedBytes: 10 * 1024 * 1024 } });
    const bomb = zip([
      ['[Content_Types].xml', text('<Types/>')],
      ['xl/worksheets/sheet1.xml', new Uint8Array(64 * 1024 * 1024)],
    ]);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const result = await steward.processClientFile(ada, { name: 'budget.xlsx', data: bomb });
    expect(result).toMatchObject({
      validationStatus: 'quarantined',
      reason: 'archive refused: the archive expands beyond 10485760 bytes',
    });
    await stop();
  });

  it('quarantines archives with too many entries or a corrupt directory', async () => {
    const { steward, stop } = await start({ zip: { maxEntries: 3 } });
    const many = zip(
      Array.from({ length: 5 }, (_, index) => [`xl/s${index}.xml`, text('<x/>')] as [string, Uint8Array]),
    );
    expect((await steward.processClientFile(ada, { name: 'many.xlsx', data: many })).reason).toBe(
      'archive refused: the archive has 5 entries; the limit is 3',
    );
    const corrupt = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100, 7)]);
    expect((await steward.processClientFile(ada, { name: 'broken.xlsx', data: corrupt })).reason).toBe(
      'archive refused: not a readable zip archive (no central directory)',
    );
    await stop();
  });

  it('refuses an oversized file with FILE_TOO_LARGE and stores nothing', async () => {
    const { steward, blobs, metadata, stop } = await start({ maxSizeBytes: 1024 });
    const chunks = Readable.from(Array.from({ length: 8 }, () => Buffer.alloc(512, 0x41)));
    await expect(steward.processClientFile(ada, { name: 'big.csv', data: chunks })).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
    });
    expect((await blobs.list('acme')).items).toEqual([]);
    expect((await metadata.listFiles('acme')).items).toEqual([]);
    await stop();
  });

  it.each([
    ['parent traversal', '../../etc/passwd.csv'],
    ['a directory', 'uploads/a.csv'],
    ['a Windows path', 'C:\\temp\\a.csv'],
    ['invalid Unicode', '\uD800bad.csv'],
    ['a control character', 'a\nb.csv'],
    ['a C1 control character', 'a\u009bb.csv'],
    ['a bidirectional override', 'invoice\u202Evsc.exe'],
    ['an empty name', '  '],
    ['an oversized name', `${'n'.repeat(300)}.csv`],
  ])('refuses a file name with %s, storing nothing', async (_label, name) => {
    const { steward, blobs, stop } = await start();
    await expect(steward.processClientFile(ada, { name, data: text('a\n') })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await blobs.list('acme')).items).toEqual([]);
    await stop();
  });

  it('quarantines what the pluggable scanner rejects, after reading the stored bytes', async () => {
    const seen: string[] = [];
    const { steward, stop } = await start({
      scanner: async ({ open, name }) => {
        let content = '';
        for await (const chunk of await open()) content += chunk;
        seen.push(name);
        return content.includes('EICAR') ? { clean: false, reason: 'EICAR test signature' } : { clean: true };
      },
    });
    expect((await steward.processClientFile(ada, { name: 'ok.txt', data: text('fine') })).validationStatus).toBe(
      'valid',
    );
    expect(
      await steward.processClientFile(ada, { name: 'bad.txt', data: text('X5O EICAR-STANDARD-ANTIVIRUS-TEST') }),
    ).toMatchObject({
      validationStatus: 'quarantined',
      reason: 'scanner: EICAR test signature',
    });
    expect(seen).toEqual(['ok.txt', 'bad.txt']);
    await stop();
  });
});

/** A metadata store whose `method` answers `answer` (an error to throw, or a value) instead of the real one. */
function withMethod(method: keyof MetadataStore, answer: (real: MemoryMetadataStore) => unknown): MetadataStore {
  const real = new MemoryMetadataStore();
  return new Proxy(real, {
    get(target, property) {
      if (property === method) return async () => answer(target);
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('Content Steward: no copy without a record', () => {
  const blobCount = async (blobs: MemoryBlobStore, tenant = 'acme') =>
    (await blobs.list(tenant, { limit: 1000 })).items.length;

  it('removes the stored bytes when the record cannot be written (the metadata store down)', async () => {
    const metadata = withMethod('createFile', () => {
      throw new PlatformError('ADAPTER_UNAVAILABLE', 'metadata store unreachable');
    });
    const { steward, blobs, stop } = await start({}, metadata);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await expect(
        steward.processClientFile(ada, { name: 'sales.csv', data: text('id,amount\n1,9.5\n') }),
      ).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
    }
    expect(await blobCount(blobs)).toBe(0);
    await stop();
  });

  it('keeps the bytes of a record whose commit answer was lost (committed as the connection dropped), and answers with it', async () => {
    // The server committed, then the answer never came: what a Postgres crash at commit time does.
    const real = new MemoryMetadataStore();
    const metadata = new Proxy(real, {
      get(target, property) {
        if (property === 'createFile') {
          return async (input: Parameters<MetadataStore['createFile']>[0]) => {
            await target.createFile(input);
            throw new PlatformError('ADAPTER_UNAVAILABLE', 'connection terminated unexpectedly');
          };
        }
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as MetadataStore;
    const { steward, blobs, stop } = await start({}, metadata);
    const processed = await steward.processClientFile(ada, { name: 'sales.csv', data: text('id,amount\n1,9.5\n') });
    expect(processed).toMatchObject({ validationStatus: 'valid' });
    expect(await blobCount(blobs)).toBe(1);
    expect(Buffer.from(await blobs.get('acme', processed.storageLocation)).toString()).toBe('id,amount\n1,9.5\n');
    await stop();
  });

  it('keeps the bytes while it cannot be known whether the record was committed (the store still down)', async () => {
    const real = new MemoryMetadataStore();
    let asked = 0;
    const down = () => {
      throw new PlatformError('ADAPTER_UNAVAILABLE', 'metadata store unreachable');
    };
    const metadata = new Proxy(real, {
      get(target, property) {
        if (property === 'createFile') return async () => down();
        if (property === 'getFile')
          return async () => {
            asked += 1;
            return down();
          };
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as MetadataStore;
    const { steward, blobs, stop } = await start({}, metadata);
    // The steward asks again for about 7 s before it gives up: fake timers let that time pass at once.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const refused = expect(
        steward.processClientFile(ada, { name: 'sales.csv', data: text('id,amount\n1,9.5\n') }).finally(() => {
          settled = true;
        }),
      ).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
      for (let waited = 0; !settled && waited < 60_000; waited += 500) await vi.advanceTimersByTimeAsync(500);
      await refused;
    } finally {
      vi.useRealTimers();
    }
    expect(asked).toBeGreaterThan(1);
    // Kept: if the record did commit, these are its only bytes (data-mash doctor removes them if not).
    expect(await blobCount(blobs)).toBe(1);
    await stop();
  }, 30_000);

  it('answers a concurrent duplicate that committed first with its file, keeping one copy', async () => {
    // The duplicate check misses the other upload (it has not committed yet); the insert then conflicts.
    const metadata = withMethod('findFileBySha256', () => undefined);
    const { steward, blobs, stop } = await start({}, metadata);
    const bytes = text('id,amount\n1,9.5\n');
    const first = await steward.processClientFile(ada, { name: 'a.csv', data: bytes });
    const second = await steward.processClientFile(ada, { name: 'b.csv', data: bytes });
    expect(second).toMatchObject({ validationStatus: 'duplicate', fileId: first.fileId });
    expect(await blobCount(blobs)).toBe(1);
    await stop();
  });

  it('refuses bytes that differ from the sha256 the caller computed (the file changed), keeping nothing', async () => {
    const { steward, blobs, metadata, stop } = await start();
    const before = text('id,amount\n1,9.5\n');
    const sha256 = createHash('sha256').update(before).digest('hex');
    await expect(
      steward.processClientFile(ada, { name: 'a.csv', sha256, data: text('id,amount\n1,9.5\n2,7\n') }),
    ).rejects.toMatchObject({ code: 'FILE_CHANGED', details: { expectedSha256: sha256 } });
    expect(await blobCount(blobs)).toBe(0);
    expect((await metadata.listFiles('acme')).items).toHaveLength(0);
    expect(await steward.processClientFile(ada, { name: 'a.csv', sha256, data: before })).toMatchObject({
      validationStatus: 'valid',
      sha256,
    });
    await stop();
  });

  it('keeps one quarantined copy of the same bytes, however often they come back', async () => {
    const { steward, blobs, metadata, stop } = await start();
    const bytes = text('MZ\x90\x00 not really a spreadsheet');
    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1)
      answers.push(await steward.processClientFile(ada, { name: 'report.csv', data: bytes }));
    expect(answers.every((answer) => answer.validationStatus === 'quarantined')).toBe(true);
    expect(new Set(answers.map((answer) => answer.fileId)).size).toBe(1);
    expect((await metadata.listFiles('acme')).items).toHaveLength(1);
    expect(await blobCount(blobs)).toBe(1);
    await stop();
  });
});

describe('Content Steward: access and deletion', () => {
  it('serves a file to its tenant only', async () => {
    const { steward, stop } = await start();
    const stored = await steward.processClientFile(ada, { name: 'a.csv', data: text('a\n1\n') });
    const { stream } = await steward.readFile(ada, stored.fileId);
    let content = '';
    for await (const chunk of stream) content += chunk;
    expect(content).toBe('a\n1\n');
    await expect(steward.readFile(eve, stored.fileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // A context naming no tenant is not a verified caller (and could not be vouched for).
    await expect(steward.readFile({ ...ada, tenantId: undefined }, stored.fileId)).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
    await stop();
  });

  it('deletes the bytes and keeps the record and its lineage', async () => {
    const { steward, blobs, metadata, stop } = await start();
    const stored = await steward.processClientFile(ada, { name: 'a.csv', data: text('a\n') });
    await metadata.addLink({
      tenantId: 'acme',
      from: { kind: 'parsed_file', id: 'p1' },
      to: { kind: 'file', id: stored.fileId },
      relation: 'parsed_from',
    });
    const deleted = await steward.deleteFile(ada, stored.fileId);
    expect(deleted).toMatchObject({ status: 'deleted', id: stored.fileId });
    expect(await blobs.head('acme', stored.storageLocation)).toBeUndefined();
    expect(await metadata.listLinks('acme', { to: { kind: 'file', id: stored.fileId } })).toHaveLength(1);
    await expect(steward.readFile(ada, stored.fileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(steward.deleteFile(eve, stored.fileId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await stop();
  });
});

describe('Content Steward: format conversion hooks', () => {
  it('converts with a registered hook, stores the result as a new file, and links it to its source', async () => {
    const { steward, metadata, stop } = await start({
      converters: [
        {
          from: 'json',
          to: 'csv',
          convert: async (bytes) => text(`value\n${JSON.parse(new TextDecoder().decode(bytes)).value}\n`),
        },
      ],
    });
    const source = await steward.processClientFile(ada, { name: 'data.json', data: text('{"value":42}') });
    const converted = await steward.convertFile(ada, source.fileId, 'csv');
    expect(converted).toMatchObject({ validationStatus: 'valid', detectedType: 'text' });
    expect((await metadata.getFile('acme', converted.fileId)).name).toBe('data.csv');
    expect(await metadata.listLinks('acme', { from: { kind: 'file', id: converted.fileId } })).toMatchObject([
      { to: { kind: 'file', id: source.fileId }, relation: 'derived_from', metadata: { conversion: 'json->csv' } },
    ]);
    await expect(steward.convertFile(ada, source.fileId, 'pdf')).rejects.toMatchObject({
      code: 'UNSUPPORTED_FILE_TYPE',
    });
    await expect(steward.convertFile(eve, source.fileId, 'csv')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await stop();
  });
});

describe('Content Steward: verified callers and permissions', () => {
  async function nothingStored(blobs: MemoryBlobStore, metadata: MetadataStore) {
    expect((await blobs.list('acme')).items).toEqual([]);
    expect((await metadata.listFiles('acme')).items).toEqual([]);
  }

  it('refuses a well-shaped plain user context and a copy of a verified one, storing nothing', async () => {
    const { steward, blobs, metadata, stop } = await start();
    const plain: UserContext = { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['*'] };
    for (const forged of [plain, { ...ada }, structuredClone(ada)]) {
      await expect(steward.processClientFile(forged, { name: 'a.csv', data: text('a\n1\n') })).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        details: { reason: 'unverified_user_context' },
      });
    }
    await nothingStored(blobs, metadata);
    const stored = await steward.processClientFile(ada, { name: 'a.csv', data: text('a\n1\n') });
    for (const attempt of [
      () => steward.readFile({ ...ada }, stored.fileId),
      () => steward.deleteFile({ ...ada }, stored.fileId),
      () => steward.convertFile({ ...ada }, stored.fileId, 'csv'),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    }
    expect((await metadata.getFile('acme', stored.fileId)).status).not.toBe('deleted');
    await stop();
  });

  it('refuses a verified user without files:write (PERMISSION_DENIED), storing nothing', async () => {
    const { steward, blobs, metadata, stop } = await start();
    const reader = testUser('rita', 'acme', { permissions: ['files:read', 'content:read'] });
    await expect(steward.processClientFile(reader, { name: 'a.csv', data: text('a\n1\n') })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'files:write', reason: 'no_permission' },
    });
    const nobody = testUser('nina', 'acme', { permissions: [] });
    await expect(steward.processClientFile(nobody, { name: 'a.csv', data: text('a\n1\n') })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    await nothingStored(blobs, metadata);
    await stop();
  });

  it('checks files:read to read, files:write to convert and files:delete to delete', async () => {
    const { steward, blobs, metadata, stop } = await start({
      converters: [{ from: 'text', to: 'csv', convert: async (bytes) => bytes }],
    });
    const stored = await steward.processClientFile(ada, { name: 'a.csv', data: text('a\n1\n') });
    const writer = testUser('wes', 'acme', { permissions: ['files:write'] });
    await expect(steward.readFile(writer, stored.fileId)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'files:read' },
    });
    const reader = testUser('rita', 'acme', { permissions: ['files:read'] });
    expect((await steward.readFile(reader, stored.fileId)).record.id).toBe(stored.fileId);
    await expect(steward.convertFile(reader, stored.fileId, 'csv')).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'files:write' },
    });
    await expect(steward.deleteFile(reader, stored.fileId)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'files:delete' },
    });
    // Refused deletes left the bytes and the record alone.
    expect(await blobs.head('acme', stored.storageLocation)).toBeDefined();
    expect((await metadata.getFile('acme', stored.fileId)).status).not.toBe('deleted');
    const cleaner = testUser('cleo', 'acme', { permissions: ['files:delete'] });
    expect(await steward.deleteFile(cleaner, stored.fileId)).toMatchObject({ status: 'deleted' });
    await stop();
  });
});
