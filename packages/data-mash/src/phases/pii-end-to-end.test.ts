import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { luhnValid } from '@platform/smart-city';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParseResult } from '../content/parse-content.js';
import { DataMashApiRef } from '../host/data-mash-api.js';
import { ada, bob, startFlowPlatform, testUser } from './flow.test-helpers.js';
import type { DataMashFlowResult } from './solution-orchestrator.js';

// Spans, their attributes and every telemetry event (the logs) are scanned too.
const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());

const FIRST = ['Jane', 'Omar', 'Li', 'Priya', 'Jonas', 'Amara', 'Mateo', 'Sofia', 'Kwame', 'Ingrid', 'Hiro', 'Zanele'];
const LAST = [
  'Doe',
  'Haddad',
  'Wei',
  'Raman',
  'Berg',
  'Okafor',
  'Silva',
  'Rossi',
  'Mensah',
  'Larsen',
  'Sato',
  'Dlamini',
];

function withLuhnDigit(body: string): string {
  for (let digit = 0; digit <= 9; digit += 1) if (luhnValid(`${body}${digit}`)) return `${body}${digit}`;
  throw new Error('unreachable');
}

// German IBANs with their ISO 7064 check digits computed, as a bank would issue them.
function germanIban(account: string): string {
  const bban = `37040044${account.padStart(10, '0')}`;
  const numeric = `${bban}131400`; // DE = 13 14, then 00
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `DE${String(98 - remainder).padStart(2, '0')}${bban}`;
}

/** People with values found nowhere else: what must not leave the client's own copy. */
const PEOPLE = Array.from({ length: 24 }, (_, index) => {
  const first = FIRST[index % FIRST.length] as string;
  const last = LAST[(index * 5 + 3) % LAST.length] as string;
  const card = withLuhnDigit(`411111${String(482_910_337 + index * 7919).padStart(9, '0')}`);
  const iban = germanIban(String(5_320_130_00 + index * 37));
  return {
    name: `${first} ${last}`,
    email: `${first.toLowerCase()}.${last.toLowerCase()}${index}@clientmail.example`,
    card: `${card.slice(0, 4)} ${card.slice(4, 8)} ${card.slice(8, 12)} ${card.slice(12)}`,
    cardDigits: card,
    iban: iban.replace(/(.{4})/g, '$1 ').trim(),
    ibanCompact: iban,
    phone: `+44 20 7946 ${String(1000 + index * 37).slice(-4)}`,
    phoneDigits: `415555${String(1000 + index * 41).slice(-4)}`,
    ssn: `${String(219 + index).padStart(3, '0')}-${String(31 + index).padStart(2, '0')}-${String(4821 + index * 13).padStart(4, '0')}`,
    ip: `203.0.113.${10 + index}`,
    spend: 100 + index * 17,
  };
});

/** Every raw value, in each way it is written. */
const RAW = PEOPLE.flatMap((person) => [
  person.name,
  person.email,
  person.card,
  person.cardDigits,
  person.iban,
  person.ibanCompact,
  person.phone,
  person.phoneDigits,
  person.ssn,
  person.ip,
]);

function customersCsv(): Uint8Array {
  const lines = ['customer_id,full_name,email,card_number,iban,phone,ssn,last_login_ip,spend,note'];
  for (const [index, person] of PEOPLE.entries()) {
    // The note holds another person's data inside prose: found by in-text detection, not by the column.
    const other = PEOPLE[(index + 1) % PEOPLE.length] as (typeof PEOPLE)[number];
    lines.push(
      [
        `C${1000 + index}`,
        person.name,
        person.email,
        person.card,
        person.iban,
        person.phone,
        person.ssn,
        person.ip,
        person.spend,
        `"referred by Dr. ${other.name}, reach them at ${other.email} or ${other.phone}"`,
      ].join(','),
    );
  }
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

// JSON Lines tables are not profiled while parsed: their insights are computed afterwards from the
// stored rows, and must be protected there too.
function customersJsonl(): Uint8Array {
  const lines = PEOPLE.map((person) =>
    JSON.stringify({ full_name: person.name, email: person.email, card: person.cardDigits, spend: person.spend }),
  );
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

// Nested objects (columns `customer.name`, `customer.phone`) and phone numbers written as plain
// numbers: found by their headers.
function customersJson(): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(
      PEOPLE.map((person) => ({
        customer: { name: person.name, phone: Number(person.phoneDigits) },
        spend: person.spend,
      })),
    ),
  );
}

function notesMarkdown(): Uint8Array {
  const sections = PEOPLE.slice(0, 8).map(
    (person) =>
      `## Case of Mrs. ${person.name}, ${person.email}\n\nName: ${person.name}\nContact ${person.email} or call ${person.phone}. ` +
      `Refund to IBAN ${person.iban}; the card on file is ${person.card}. Social security number ${person.ssn}, ` +
      `last seen from ${person.ip}. Mrs. ${person.name} asked for a callback about the invoice.\n`,
  );
  return new TextEncoder().encode(`# Support notes\n\n${sections.join('\n')}`);
}

const FILES = [
  { name: 'customers.csv', data: customersCsv() },
  { name: 'customers.jsonl', data: customersJsonl() },
  { name: 'customers.json', data: customersJson() },
  { name: 'support-notes.md', data: notesMarkdown() },
];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** The raw values a text holds. */
function rawIn(text: string): string[] {
  return RAW.filter((value) => text.includes(value));
}

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;
type Completed = Extract<DataMashFlowResult, { success: true }>;

const HASH_KEY = 'a test secret of at least thirty-two bytes, never used elsewhere';

describe('personal data: classified in the flow, kept out of everything but the client copy', () => {
  let harness: Harness;
  const flows = new Map<string, Completed>();
  const hashed = new Map<string, Completed>();

  beforeAll(async () => {
    // acme: the default (masked); globex: keyed hashes, so its tokens still join.
    harness = await startFlowPlatform({
      telemetrySink: recorder.sink,
      modules: {
        governance: {
          pii: (tenantId) => (tenantId === 'acme' ? { mode: 'mask' } : { mode: 'hash', key: HASH_KEY }),
        },
      },
    });
    for (const file of FILES) {
      for (const [user, into] of [
        [ada, flows],
        [bob, hashed],
      ] as const) {
        const result = await harness.flow.executeDataMashFlow({ file, userContext: user });
        if (!result.success) throw new Error(`${file.name}: ${JSON.stringify(result.error)}`);
        into.set(file.name, result);
      }
    }
  });
  afterAll(() => harness?.stop());

  it('tags every column of personal data with its kind, and the text with what it holds', async () => {
    const records = (await harness.metadata.listGovernanceRecords('acme', { kind: 'classification', limit: 100 }))
      .items;
    const csv = records.find((record) => record.data.table === 'customers');
    const kinds = Object.fromEntries(
      ((csv?.data.columns ?? []) as Array<{ column: string; pii?: string }>).map((column) => [
        column.column,
        column.pii,
      ]),
    );
    expect(kinds).toMatchObject({
      full_name: 'person_name',
      email: 'email',
      card_number: 'card_number',
      iban: 'iban',
      phone: 'phone',
      ssn: 'national_id',
      last_login_ip: 'ip_address',
    });
    expect(kinds.spend).toBeUndefined();
    expect(kinds.customer_id).toBeUndefined();
    const nested = records.find((record) =>
      ((record.data.columns ?? []) as Array<{ column: string }>).some((column) => column.column === 'customer.name'),
    );
    expect(nested?.data.columns).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ column: 'customer.name', pii: 'person_name' }),
        expect.objectContaining({ column: 'customer.phone', pii: 'phone' }),
      ]),
    );
    const text = records.find((record) => Array.isArray(record.data.texts));
    expect(text?.data.pii).toEqual(
      expect.arrayContaining(['card_number', 'email', 'iban', 'ip_address', 'national_id', 'person_name', 'phone']),
    );
    // The records themselves hold kinds and counts only.
    expect(rawIn(JSON.stringify(records))).toEqual([]);
  });

  it('leaves no raw value in insights, reports, search hits, the semantic store, spans or logs', async () => {
    const api = harness.platform.get(DataMashApiRef);
    for (const [user, completed] of [
      [ada, flows],
      [bob, hashed],
    ] as const) {
      for (const [name, flow] of completed) {
        const insights = await api.readInsights({ journeyId: flow.journeyId }, user);
        expect(rawIn(JSON.stringify(insights)), `${name} insights`).toEqual([]);
        const report = await api.report({ journeyId: flow.journeyId }, user);
        expect(rawIn(report), `${name} report`).toEqual([]);
        const journey = await harness.metadata.getJourney(user.tenantId, flow.journeyId);
        expect(rawIn(JSON.stringify(journey)), `${name} journey`).toEqual([]);
      }
      for (const person of PEOPLE.slice(0, 4)) {
        for (const query of [person.email, person.name, person.cardDigits]) {
          const { hits } = await api.search({ q: query, limit: 50 }, user);
          expect(rawIn(JSON.stringify(hits)), `search ${query}`).toEqual([]);
        }
      }
      for (const content of await harness.semantic.listContent(user.tenantId)) {
        const graph = await harness.semantic.traverse(user.tenantId, `file:${content.fileId}`, {
          maxDepth: 4,
          limit: 1000,
        });
        expect(rawIn(JSON.stringify({ content, graph })), content.contentId).toEqual([]);
      }
    }
    const telemetry = JSON.stringify({ spans: recorder.spans(), events: recorder.events });
    expect(telemetry.length).toBeGreaterThan(1000);
    expect(rawIn(telemetry), 'spans and logs').toEqual([]);
  });

  it('on disk, finds raw values only in the uploaded files and their parsed copies', async () => {
    // The client's copy: the uploads, and the rows and text parsed from them.
    const clientCopies = new Set<string>();
    for (const [user, completed] of [
      [ada, flows],
      [bob, hashed],
    ] as const) {
      for (const flow of completed.values()) {
        const upload = await harness.blobs.get(user.tenantId, flow.phases.file_uploaded.storageLocation);
        clientCopies.add(Buffer.from(upload).toString('latin1'));
        const parse = JSON.parse(
          Buffer.from(
            await harness.blobs.get(user.tenantId, `parsed/${flow.phases.file_uploaded.fileId}/parse.json`),
          ).toString('utf8'),
        ) as ParseResult;
        for (const table of parse.structured?.tables ?? []) {
          clientCopies.add(Buffer.from(await harness.blobs.get(user.tenantId, table.rowsKey)).toString('latin1'));
        }
        if (parse.unstructured) {
          const text = await harness.blobs.get(user.tenantId, parse.unstructured.textKey);
          clientCopies.add(Buffer.from(text).toString('latin1'));
        }
      }
    }
    const database = new DatabaseSync(join(harness.dataDir, 'platform.db'));
    database.exec('pragma wal_checkpoint(TRUNCATE)');
    database.close();
    // The blob store keeps small objects in its index database, one row each: every row is held
    // to the rule a file is held to, and the database's other files are not read as one text.
    const blobIndexPath = join(harness.dataDir, 'blobs', 'index.db');
    const blobIndex = new DatabaseSync(blobIndexPath);
    blobIndex.exec('pragma wal_checkpoint(TRUNCATE)');
    const objects = blobIndex.prepare('select key, metadata, inline from blob_objects').all() as Array<{
      key: string;
      metadata: string;
      inline: Uint8Array | null;
    }>;
    blobIndex.close();
    const texts = objects.flatMap(({ key, metadata, inline }) => [
      { path: `${blobIndexPath}: the key and metadata of ${key}`, text: `${key} ${metadata}` },
      ...(inline ? [{ path: `${blobIndexPath}: ${key}`, text: Buffer.from(inline).toString('latin1') }] : []),
    ]);
    for (const path of await filesUnder(harness.dataDir)) {
      if (path.startsWith(blobIndexPath)) continue;
      texts.push({ path, text: (await readFile(path)).toString('latin1') });
    }
    let copiesSeen = 0;
    for (const { path, text } of texts) {
      if (clientCopies.has(text)) {
        copiesSeen += 1;
        // The scan finds what is there: the client's copies do hold the values.
        expect(rawIn(text).length, path).toBeGreaterThan(0);
        continue;
      }
      expect(rawIn(text), path).toEqual([]);
    }
    expect(copiesSeen).toBeGreaterThanOrEqual(FILES.length * 2 * 2);
    expect(texts.some(({ path }) => path.endsWith('platform.db'))).toBe(true);
  });

  it('says where a file is broken without quoting it: a failed flow keeps no value either', async () => {
    const person = PEOPLE[3] as (typeof PEOPLE)[number];
    const broken = new TextEncoder().encode(`${person.email} is not JSON`);
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'broken.json', data: broken },
      userContext: ada,
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.code).toBe('MALFORMED_FILE');
    const journey = await harness.metadata.getJourney('acme', result.journeyId ?? '');
    expect(rawIn(JSON.stringify({ result, journey }))).toEqual([]);
  });

  it('keeps the figures that are not personal data, and says which columns were masked', async () => {
    const insights = await harness.platform
      .get(DataMashApiRef)
      .readInsights({ journeyId: flows.get('customers.csv')?.journeyId ?? '' }, ada);
    const columns = insights.tables[0]?.insights.columns ?? [];
    const byName = Object.fromEntries(columns.map((column) => [column.name, column]));
    expect(byName.spend?.numeric?.sum).toBe(PEOPLE.reduce((sum, person) => sum + person.spend, 0));
    expect(byName.email).toMatchObject({ pii: 'email', count: PEOPLE.length, distinct: PEOPLE.length });
    expect(byName.email?.topValues.every((top) => top.value === '[email]')).toBe(true);
    // A card number read as a number has no figures left: its min would be a card number.
    expect(byName.card_number?.numeric).toBeUndefined();
    expect(byName.note?.pii).toBeUndefined();
    const firstNote = insights.tables[0]?.insights.rows.firstRows[0]?.at(-1) ?? '';
    expect(firstNote).toMatch(/^referred by Dr\. \[person_name\], reach them at \[email\] or \[phone\]$/);
    // The summary says what a column of personal data holds, and the note's keywords hold no name.
    expect(insights.summary.map((statement) => statement.text)).toContain(
      `'email' holds personal data (email): ${PEOPLE.length} distinct values, not shown.`,
    );
    const noteWords = byName.note?.text?.keywords.map((entry) => entry.word) ?? [];
    expect(noteWords).toContain('referred');
    for (const person of PEOPLE) {
      for (const part of person.name.toLowerCase().split(' ')) expect(noteWords).not.toContain(part);
    }
  });

  it('with keyed hashes, the same value gives the same token in every file of a tenant, and no other tenant shares it', async () => {
    const api = harness.platform.get(DataMashApiRef);
    const tokens = async (name: string, column: string) => {
      const insights = await api.readInsights({ journeyId: hashed.get(name)?.journeyId ?? '' }, bob);
      const table = insights.tables[0]?.insights;
      const index = table?.columns.findIndex((entry) => entry.name === column) ?? -1;
      return new Set(table?.rows.firstRows.map((row) => row[index]));
    };
    const fromCsv = await tokens('customers.csv', 'email');
    const fromJsonl = await tokens('customers.jsonl', 'email');
    expect([...fromCsv].every((token) => /^\[email:[0-9a-f]{16}\]$/.test(String(token)))).toBe(true);
    expect(fromCsv.size).toBeGreaterThan(1);
    expect([...fromJsonl].every((token) => /^\[email:[0-9a-f]{16}\]$/.test(String(token)))).toBe(true);
    // The first rows of both files are the same people: the same tokens.
    expect(fromJsonl).toEqual(fromCsv);
    // Another tenant, with the same key, has tokens of its own for the same values.
    const initech = testUser('initech');
    const other = await harness.flow.executeDataMashFlow({
      file: FILES[0] as (typeof FILES)[number],
      userContext: initech,
    });
    if (!other.success) throw new Error(JSON.stringify(other.error));
    const theirs = await api.readInsights({ journeyId: other.journeyId }, initech);
    const theirCells = JSON.stringify(theirs.tables[0]?.insights.rows.firstRows);
    expect(theirCells).toMatch(/\[email:[0-9a-f]{16}\]/);
    expect([...fromCsv].some((token) => theirCells.includes(String(token)))).toBe(false);
  });
});
