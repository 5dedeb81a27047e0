import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPlatform, MemoryMetadataStore } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { classifyColumns, luhnValid, piiTypeOf } from './classification.js';
import { type DataStewardOptions, DataStewardRef, dataSteward } from './data-steward.js';
import { httpLineageSink, runEvent } from './lineage.js';
import { checkQuality } from './quality.js';

// The Data Steward's client track checks who is calling; its policies decide by role.
const ada = testUser('ada', 'acme', { roles: ['analyst'], permissions: [] });
const eve = testUser('eve', 'globex', { roles: ['admin'], permissions: [] });
const subject = { kind: 'file', id: 'file-1' };

async function start(options: DataStewardOptions = {}) {
  const metadata = new MemoryMetadataStore();
  const platform = createPlatform({
    env: {},
    telemetrySink: () => {},
    adapters: { metadataStore: metadata },
    modules: [smartCityModule({ roles: [dataSteward(options)] })],
  });
  await platform.start();
  return { steward: platform.get(DataStewardRef), metadata, stop: () => platform.stop() };
}

describe('classification', () => {
  it('recognises personal data kinds, with a Luhn check for card numbers', () => {
    expect(piiTypeOf('jo.doe@example.com')).toBe('email');
    expect(piiTypeOf('+44 20 7946 0958')).toBe('phone');
    expect(piiTypeOf('(415) 555-0100')).toBe('phone');
    expect(piiTypeOf('123-45-6789')).toBe('national_id');
    expect(piiTypeOf('000-12-3456')).toBeUndefined();
    expect(piiTypeOf('4111 1111 1111 1111')).toBe('card_number');
    expect(piiTypeOf('4111 1111 1111 1112')).toBeUndefined();
    expect(piiTypeOf('192.168.10.254')).toBe('ip_address');
    expect(piiTypeOf('2001:db8::1')).toBe('ip_address');
    expect(piiTypeOf('999.1.1.1')).toBeUndefined();
    expect(piiTypeOf('12345')).toBeUndefined();
    expect(piiTypeOf('2026-01-01')).toBeUndefined();
    expect(piiTypeOf('020 7946 0958')).toBe('phone');
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('7992739871x')).toBe(false);
  });

  it('classifies columns by the share of values that match, and tells client from platform data', () => {
    const rows = [
      { id: 'r1', email: 'a@x.io', card: '4111111111111111', note: 'hello', created_at: '2026-01-01' },
      { id: 'r2', email: 'b@x.io', card: '5500 0000 0000 0004', note: 'call me at b@x.io', created_at: '2026-01-02' },
      { id: 'r3', email: 'not an email', card: '', note: 'bye', created_at: '2026-01-03' },
      { id: 'r4', email: 'c@x.io', card: null, note: '', created_at: '2026-01-04' },
    ];
    expect(classifyColumns(rows, 0.7)).toEqual([
      { column: 'id', confidence: 0, dataClass: 'platform', examined: 4 },
      { column: 'email', pii: 'email', confidence: 0.75, dataClass: 'client', examined: 4 },
      { column: 'card', pii: 'card_number', confidence: 1, dataClass: 'client', examined: 2 },
      { column: 'note', confidence: 0, dataClass: 'client', examined: 3 },
      { column: 'created_at', confidence: 0, dataClass: 'platform', examined: 4 },
    ]);
  });
});

describe('quality rules', () => {
  const rows = [
    { id: 1, email: 'a@x.io', age: 34 },
    { id: 2, email: '', age: 210 },
    { id: 2, email: 'bad', age: 'n/a' },
    { id: 4, email: 'd@x.io', age: 51 },
  ];

  it('returns pass rates and failed-row samples for completeness, uniqueness, ranges and patterns', () => {
    const results = checkQuality(rows, [
      { id: 'email-present', kind: 'completeness', column: 'email', minPassRate: 0.7 },
      { id: 'unique-id', kind: 'uniqueness', column: 'id' },
      { id: 'age-range', kind: 'range', column: 'age', min: 0, max: 130 },
      { id: 'email-shape', kind: 'pattern', column: 'email', pattern: '^[^@\\s]+@[^@\\s]+$' },
    ]);
    expect(results.map(({ rule, passed, passRate, checked }) => [rule, passed, passRate, checked])).toEqual([
      ['email-present', true, 0.75, 4],
      ['unique-id', false, 0.5, 4],
      ['age-range', false, 0.5, 4],
      ['email-shape', false, 0.6667, 3],
    ]);
    expect(results[1]?.failedSamples).toEqual([
      { row: 1, value: 2 },
      { row: 2, value: 2 },
    ]);
    expect(results[2]?.failedSamples).toEqual([
      { row: 1, value: 210 },
      { row: 2, value: 'n/a' },
    ]);
  });

  it('refuses malformed rules and invalid patterns', () => {
    expect(() => checkQuality(rows, [{ id: 'x', kind: 'astrology' } as never])).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    expect(() => checkQuality(rows, [{ id: 'x', kind: 'pattern', column: 'email', pattern: '([' }])).toThrow(
      /not a valid regular expression/,
    );
  });
});

describe('Data Steward', () => {
  const policies = [
    { id: 'export', version: 1, rules: [{ id: 'allow-all', effect: 'allow' as const, actions: ['export'] }] },
    {
      id: 'export',
      version: 2,
      rules: [
        { id: 'no-pii-export', effect: 'deny' as const, actions: ['export'], when: { pii: ['any' as const] } },
        { id: 'analysts-export', effect: 'allow' as const, actions: ['export'], when: { roles: ['analyst'] } },
      ],
    },
  ];

  it('evaluates the latest policy version, first matching rule, default deny, and logs each decision', async () => {
    const { steward, metadata, stop } = await start({ policies });
    expect(await steward.decide(ada, subject, 'export', { action: 'export', pii: ['email'] })).toEqual({
      allowed: false,
      policy: 'export',
      version: 2,
      rule: 'no-pii-export',
    });
    expect(await steward.decide(ada, subject, 'export', { action: 'export' })).toMatchObject({
      allowed: true,
      rule: 'analysts-export',
    });
    expect(await steward.decideInternal('acme', subject, 'export', { action: 'export' })).toMatchObject({
      allowed: false,
      rule: 'default',
    });
    expect(await steward.decideInternal('acme', subject, 'missing', { action: 'export' })).toMatchObject({
      allowed: false,
      rule: 'unknown_policy',
    });
    const decisions = await metadata.listGovernanceRecords('acme', { kind: 'policy_decision' });
    expect(decisions.items.map((record) => record.data.rule)).toEqual([
      'no-pii-export',
      'analysts-export',
      'default',
      'unknown_policy',
    ]);
    await stop();
  });

  it('records quality checks and classifications, and keeps an audit trail per tenant', async () => {
    const { steward, stop } = await start();
    await steward.checkQuality(
      ada,
      subject,
      [{ a: 1 }, { a: null }],
      [{ id: 'a-present', kind: 'completeness', column: 'a' }],
    );
    await steward.classify(ada, subject, [{ email: 'x@y.io' }]);
    const trail = await steward.auditTrail(ada, { subject });
    expect(trail.items.map((record) => [record.kind, record.data.operation ?? ''])).toEqual([
      ['audit', 'check_quality'],
      ['quality_check', ''],
      ['audit', 'classify'],
      ['classification', ''],
    ]);
    expect((await steward.auditTrail(eve)).items).toEqual([]);
    await expect(steward.classify({ userId: 'x' }, subject, [])).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
    // A copy of a verified caller (here, to claim another role) is not verified.
    await expect(
      steward.decide({ ...ada, roles: ['admin'] }, subject, 'export', { action: 'export' }),
    ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } });
    await stop();
  });

  it('emits OpenLineage run events to the metadata store by default', async () => {
    const { steward, metadata, stop } = await start();
    const started = await steward.emitLineage('acme', {
      eventType: 'START',
      job: 'data_mash.parse',
      inputs: [{ namespace: 'platform/acme', name: 'files/file-1', fields: [{ name: 'email', type: 'string' }] }],
    });
    await steward.emitLineage('acme', {
      eventType: 'COMPLETE',
      runId: started.run.runId,
      job: 'data_mash.parse',
      outputs: [{ namespace: 'platform/acme', name: 'parsed/p-1' }],
    });
    const events = await metadata.listGovernanceRecords('acme', { subject: { kind: 'run', id: started.run.runId } });
    expect(events.items.map((record) => record.data.eventType)).toEqual(['START', 'COMPLETE']);
    expect(started).toMatchObject({
      job: { namespace: 'platform/acme', name: 'data_mash.parse' },
      inputs: [{ facets: { schema: { fields: [{ name: 'email', type: 'string' }] } } }],
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    });
    await stop();
  });

  it('keeps records given with an event before and after it, in one append with the default sink', async () => {
    const { steward, metadata, stop } = await start();
    let batches = 0;
    const batch = metadata.appendGovernanceRecords?.bind(metadata);
    metadata.appendGovernanceRecords = (inputs) => {
      batches += 1;
      return (batch as NonNullable<typeof batch>)(inputs);
    };
    const ledger = (state: string) => ({
      tenantId: 'acme',
      kind: 'ledger',
      subject: { kind: 'journey', id: 'j1' },
      data: { state },
    });
    const started = await steward.emitLineage('acme', { eventType: 'START', job: 'x' }, { before: [ledger('START')] });
    await steward.emitLineage(
      'acme',
      { eventType: 'COMPLETE', runId: started.run.runId, job: 'x' },
      { after: [ledger('COMPLETE')] },
    );
    expect(batches).toBe(2);
    const chain = (await metadata.listGovernanceRecords('acme', { order: 'seq' })).items;
    expect(chain.map((record) => [record.kind, record.data.state ?? record.data.eventType])).toEqual([
      ['ledger', 'START'],
      ['lineage_event', 'START'],
      ['lineage_event', 'COMPLETE'],
      ['ledger', 'COMPLETE'],
    ]);
    // Records of another tenant are refused, and nothing of the call is kept.
    await expect(
      steward.emitLineage(
        'acme',
        { eventType: 'START', job: 'y' },
        { before: [{ ...ledger('START'), tenantId: 'globex' }] },
      ),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await metadata.listGovernanceRecords('acme')).items).toHaveLength(4);
    expect((await metadata.listGovernanceRecords('globex')).items).toEqual([]);
    await stop();
  });

  it('with another lineage sink, appends the records before and after it sends the event', async () => {
    const order: string[] = [];
    const { steward, metadata, stop } = await start({
      lineageSink: async (event) => {
        order.push(`sink ${event.eventType}`);
      },
    });
    const append = metadata.appendGovernanceRecords?.bind(metadata);
    metadata.appendGovernanceRecords = (inputs) => {
      order.push(...inputs.map((input) => `append ${String(input.data.state)}`));
      return (append as NonNullable<typeof append>)(inputs);
    };
    const record = (state: string) => ({
      tenantId: 'acme',
      kind: 'ledger',
      subject: { kind: 'journey', id: 'j1' },
      data: { state },
    });
    await steward.emitLineage(
      'acme',
      { eventType: 'START', job: 'x' },
      { before: [record('START')], after: [record('AFTER')] },
    );
    expect(order).toEqual(['append START', 'sink START', 'append AFTER']);
    expect((await metadata.listGovernanceRecords('acme', { kind: 'lineage_event' })).items).toEqual([]);
    await stop();
  });

  it('posts lineage to an HTTP endpoint such as Marquez, and reports an unreachable one', async () => {
    const received: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push(JSON.parse(body));
        response.writeHead(request.url === '/api/v1/lineage' ? 201 : 404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const sink = httpLineageSink(`http://127.0.0.1:${port}/api/v1/lineage`);
      const event = runEvent({ eventType: 'FAIL', job: { namespace: 'platform/acme', name: 'x' } });
      await sink(event, 'acme');
      expect(received).toEqual([event]);
      await expect(httpLineageSink(`http://127.0.0.1:${port}/wrong`)(event, 'acme')).rejects.toMatchObject({
        code: 'ADAPTER_UNAVAILABLE',
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(
      httpLineageSink('http://127.0.0.1:1/none', { timeoutMs: 2000 })(
        runEvent({ eventType: 'START', job: { namespace: 'n', name: 'j' } }),
        'acme',
      ),
    ).rejects.toMatchObject({
      code: 'ADAPTER_UNAVAILABLE',
    });
  });

  it('lists files due under a retention rule', async () => {
    const { steward, metadata, stop } = await start();
    const old = await metadata.createFile({
      tenantId: 'acme',
      name: 'old.csv',
      sizeBytes: 1,
      sha256: 'a'.repeat(64),
      status: 'stored',
    });
    await metadata.createFile({
      tenantId: 'acme',
      name: 'quarantined.csv',
      sizeBytes: 1,
      sha256: 'b'.repeat(64),
      status: 'quarantined',
    });
    const in40Days = new Date(Date.now() + 40 * 86_400_000);
    expect(
      (await steward.retentionDue('acme', { maxAgeDays: 30, statuses: ['stored'] }, in40Days)).map((file) => file.id),
    ).toEqual([old.id]);
    expect(await steward.retentionDue('acme', { maxAgeDays: 30 })).toEqual([]);
    expect(await steward.retentionDue('globex', { maxAgeDays: 0 }, in40Days)).toEqual([]);
    await stop();
  });
});

describe('Data Steward: the audit trail verified', () => {
  it('verifies the tenant chain for a user with audit:read, refuses one without and records nothing then', async () => {
    const { steward, metadata, stop } = await start({
      policies: [{ id: 'exports', version: 1, rules: [], default: 'allow' }],
    });
    try {
      await steward.decideInternal('acme', subject, 'exports', { action: 'export' });
      await steward.decideInternal('acme', subject, 'exports', { action: 'share' });
      const auditor = testUser('ida', 'acme', { permissions: ['audit:read'] });
      const first = await steward.verifyAudit(auditor);
      expect(first).toMatchObject({ ok: true, tenantId: 'acme' });
      expect(first.records).toBeGreaterThanOrEqual(2);
      // A later check against the earlier head still holds: records are only ever added.
      expect(await steward.verifyAudit(auditor, { expectedHead: first.head })).toMatchObject({ ok: true });

      const before = (await metadata.listGovernanceRecords('acme')).items.length;
      const clerk = testUser('cal', 'acme', { permissions: ['files:read'] });
      await expect(steward.verifyAudit(clerk)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
      expect((await metadata.listGovernanceRecords('acme')).items.length).toBe(before);
    } finally {
      await stop();
    }
  });
});
