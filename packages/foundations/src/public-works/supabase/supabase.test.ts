import { createClient } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { createPlatform } from '../../platform/create-platform.js';
import { describeMetadataStoreConformance } from '../../testing/index.js';
import { encodeCursor } from '../metadata-input.js';
import { MetadataStoreRef } from '../refs.js';
import { keysetFilter, quoteFilterValue, SupabaseMetadataStore, supabaseAuth } from './index.js';

interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** A stand-in for PostgREST over `fetch`: records each request and answers from a script (unit tests of request building only). */
function scripted(answers: Array<{ status?: number; body: unknown; headers?: Record<string, string> }>) {
  const requests: Recorded[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    requests.push({
      method: init?.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: new Headers(init?.headers),
    });
    const answer = answers.shift() ?? { body: [] };
    return new Response(JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  };
  const client = createClient('http://127.0.0.1:54321', 'service-role-key', {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { fetch },
  });
  return { store: new SupabaseMetadataStore({ client }), requests };
}

const FILE_ID = 'file_0b0e8a9e-5b0f-4c58-9a3c-1e5a0e8f6a11';

const journeyRow = (version: number) => ({
  tenant_id: 'acme',
  id: 'journey_1',
  template: 'flow',
  template_version: 1,
  status: 'running',
  idempotency_key: 'k',
  trace_id: null,
  milestones: [
    { name: 'a', status: 'completed', startedAt: '2026-11-24T06:00:00.000Z', completedAt: '2026-11-24T06:00:01.000Z' },
  ],
  context: {},
  error: null,
  version,
  created_at: '2026-11-24T06:00:00.000Z',
  updated_at: '2026-11-24T06:00:01.000Z',
  completed_at: null,
});

describe('SupabaseMetadataStore requests', () => {
  it('scopes every read by tenant and sends the service key', async () => {
    const { store, requests } = scripted([{ body: [] }]);
    await expect(store.getFile('acme', 'file_1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [request] = requests;
    expect(request?.method).toBe('GET');
    expect(request?.path).toBe('/rest/v1/platform_files');
    expect(request?.query.get('tenant_id')).toBe('eq.acme');
    expect(request?.query.get('id')).toBe('eq.file_1');
    expect(request?.headers.get('apikey')).toBe('service-role-key');
  });

  it('pages journeys newest first with a quoted keyset filter after the cursor', async () => {
    const { store, requests } = scripted([{ body: [journeyRow(2)] }]);
    const cursor = encodeCursor(new Date('2026-11-24T06:00:00.000Z'), 'journey_"9",(x)');
    const page = await store.listJourneys('acme', { cursor, limit: 20, template: 'flow' });
    expect(page.items[0]).toMatchObject({ id: 'journey_1', version: 2, milestones: [{ startedAt: expect.any(Date) }] });
    const query = requests[0]?.query as URLSearchParams;
    expect(query.get('tenant_id')).toBe('eq.acme');
    expect(query.get('template')).toBe('eq.flow');
    expect(query.get('order')).toBe('created_at.desc,id.desc');
    expect(query.get('limit')).toBe('21');
    expect(query.get('or')).toBe(
      '(created_at.lt."2026-11-24T06:00:00.000Z",and(created_at.eq."2026-11-24T06:00:00.000Z",id.lt."journey_\\"9\\",(x)"))',
    );
  });

  it('finds journeys by label with a case-insensitive regular expression, every special character escaped', async () => {
    const { store, requests } = scripted([{ body: [{ ...journeyRow(2), label: 'Q3_100%*.csv' }] }]);
    const page = await store.listJourneys('acme', { label: 'q3_100%*.(c)\\' });
    expect(page.items[0]?.label).toBe('Q3_100%*.csv');
    expect(requests[0]?.query.get('label')).toBe('imatch.q3_100%\\*\\.\\(c\\)\\\\');
  });

  it('answers a duplicate file with CONFLICT naming the existing file', async () => {
    const { store, requests } = scripted([
      { status: 409, body: { code: '23505', message: 'duplicate key value violates unique constraint' } },
      {
        body: [
          {
            tenant_id: 'acme',
            id: 'file_old',
            name: 'a.csv',
            size_bytes: 3,
            sha256: 'a'.repeat(64),
            status: 'stored',
            metadata: {},
            created_at: '2026-11-24T06:00:00.000Z',
            updated_at: '2026-11-24T06:00:00.000Z',
          },
        ],
      },
    ]);
    const attempt = store.createFile({
      tenantId: 'acme',
      name: 'b.csv',
      sizeBytes: 3,
      sha256: 'a'.repeat(64),
      status: 'stored',
    });
    await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', details: { existingId: 'file_old' } });
    expect(requests[0]).toMatchObject({ method: 'POST', path: '/rest/v1/platform_files' });
    expect(requests[0]?.body).toMatchObject({ tenant_id: 'acme' });
    expect(requests[1]?.query.get('status')).toBe('not.in.(deleted,quarantined)');
  });

  it('chains an audit append after the head, and retries on a taken seq after reading the head again', async () => {
    const { store, requests } = scripted([
      { body: [{ seq: 1, hash: 'a'.repeat(64) }] },
      { status: 409, body: { code: '23505', message: 'duplicate key value violates unique constraint' } },
      { body: [] },
      { body: [{ seq: 2, hash: 'b'.repeat(64) }] },
      { status: 201, body: null },
    ]);
    const record = await store.appendGovernanceRecord({
      tenantId: 'acme',
      kind: 'audit',
      subject: { kind: 'file', id: 'file_1' },
      data: { action: 'read' },
    });
    expect(record).toMatchObject({ seq: 3, prevHash: 'b'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(requests.map((request) => request.method)).toEqual(['GET', 'POST', 'GET', 'GET', 'POST']);
    expect(requests[0]?.query.get('seq')).toBe('not.is.null');
    expect(requests[0]?.query.get('order')).toBe('seq.desc');
    expect(requests[1]?.body).toMatchObject({ seq: 2, prev_hash: 'a'.repeat(64) });
    expect(requests[2]?.query.get('id')).toBe(`eq.${record.id}`);
    expect(requests[4]?.body).toMatchObject({ seq: 3, prev_hash: 'b'.repeat(64), hash: record.hash });
  });

  it('updates a journey only at the expected version, and reports the current one when stale', async () => {
    const { store, requests } = scripted([{ body: [journeyRow(3)] }, { body: [] }, { body: [journeyRow(4)] }]);
    const attempt = store.updateJourney('acme', 'journey_1', 3, { status: 'completed' });
    await expect(attempt).rejects.toMatchObject({ code: 'CONFLICT', details: { currentVersion: 4 } });
    const patch = requests[1] as Recorded;
    expect(patch.method).toBe('PATCH');
    expect(patch.query.get('version')).toBe('eq.3');
    expect(patch.query.get('tenant_id')).toBe('eq.acme');
    expect(patch.body).toMatchObject({ status: 'completed', version: 4 });
  });

  it('keeps the id of a parsed file written again (update first, insert only when there is none)', async () => {
    const existing = {
      tenant_id: 'acme',
      id: 'parsed_1',
      file_id: FILE_ID,
      format: 'csv',
      parser: 'p@1',
      report: {},
      created_at: '2026-11-24T06:00:00.000Z',
    };
    const { store, requests } = scripted([{ body: [existing] }]);
    const record = await store.putParsedFile({ tenantId: 'acme', fileId: FILE_ID, format: 'csv', parser: 'p@1' });
    expect(record.id).toBe('parsed_1');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body).not.toHaveProperty('id');
  });

  it('quotes filter values so commas, parentheses and quotes stay data', () => {
    expect(quoteFilterValue('a,b)c"d\\e')).toBe('"a,b)c\\"d\\\\e"');
    expect(keysetFilter({ at: new Date(0), id: 'x' }, 'asc')).toBe(
      'created_at.gt."1970-01-01T00:00:00.000Z",and(created_at.eq."1970-01-01T00:00:00.000Z",id.gt."x")',
    );
  });

  it('refuses to start without a URL and key, naming what is missing and no secret', async () => {
    const previous = { url: process.env.SUPABASE_URL, key: process.env.SUPABASE_SERVICE_ROLE_KEY };
    delete process.env.SUPABASE_URL;
    delete process.env.SUPABASE_SERVICE_ROLE_KEY;
    try {
      await expect(new SupabaseMetadataStore({ serviceRoleKey: 'secret' }).initialize()).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        details: { missing: ['url'] },
      });
    } finally {
      if (previous.url !== undefined) process.env.SUPABASE_URL = previous.url;
      if (previous.key !== undefined) process.env.SUPABASE_SERVICE_ROLE_KEY = previous.key;
    }
  });
});

describe('SupabaseMetadataStore errors', () => {
  it('is healthy while the metadata tables answer, and unhealthy with the reason otherwise', async () => {
    const { store, requests } = scripted([
      { body: [] },
      { status: 404, body: { code: 'PGRST205', message: "Could not find the table 'public.platform_journeys'" } },
    ]);
    expect(await store.health()).toEqual({ status: 'healthy' });
    expect(requests[0]?.path).toBe('/rest/v1/platform_journeys');
    expect(await store.health()).toEqual({
      status: 'unhealthy',
      message: expect.stringContaining('apply migrations/metadata and migrations/supabase'),
    });
  });

  it.each([
    [503, { code: '', message: 'upstream unavailable' }, 'ADAPTER_UNAVAILABLE'],
    [503, { code: 'PGRST001', message: 'database connection error' }, 'ADAPTER_UNAVAILABLE'],
    [401, { code: 'PGRST301', message: 'JWT expired' }, 'ADAPTER_UNAVAILABLE'],
    [404, { code: 'PGRST205', message: "Could not find the table 'public.platform_files'" }, 'ADAPTER_UNAVAILABLE'],
    [403, { code: '42501', message: 'permission denied for table platform_files' }, 'ADAPTER_UNAVAILABLE'],
    [429, { message: 'Too many requests' }, 'RATE_LIMITED'],
    [409, { code: '40001', message: 'could not serialize access' }, 'CONFLICT'],
    [400, { code: '22P02', message: 'invalid input syntax for type uuid' }, 'INTERNAL'],
    [500, { code: 'XX000', message: 'internal error' }, 'INTERNAL'],
  ])('answers HTTP %i %o with %s', async (status, body, code) => {
    // supabase-js itself retries reads on 503 (after Retry-After): answer every attempt the same, at once.
    const { store, requests } = scripted(
      Array.from({ length: 10 }, () => ({ status, body, headers: { 'retry-after': '0' } })),
    );
    const failure = await store.getFile('acme', 'file_1').catch((error: unknown) => error);
    expect(requests.length).toBeLessThan(10);
    expect(failure).toMatchObject({ code, details: { adapter: 'supabase', status } });
    expect((failure as Error).message).toContain(body.message);
    expect((failure as Error).message).not.toContain('service-role-key');
  });
});

describe('PLATFORM_METADATA_STORE=supabase://', () => {
  it('configures the REST store, which refuses to start without the service role key', async () => {
    const previous = process.env.SUPABASE_SERVICE_ROLE_KEY;
    delete process.env.SUPABASE_SERVICE_ROLE_KEY;
    try {
      const platform = createPlatform({
        env: { PLATFORM_METADATA_STORE: 'supabase://demo.supabase.co' },
        telemetrySink: () => {},
        include: [MetadataStoreRef],
      });
      const failure = await platform.start().catch((error: unknown) => error);
      expect(
        JSON.stringify({ message: (failure as Error).message, details: (failure as { details?: unknown }).details }),
      ).toContain('SUPABASE_SERVICE_ROLE_KEY');
      await platform.stop();
    } finally {
      if (previous !== undefined) process.env.SUPABASE_SERVICE_ROLE_KEY = previous;
    }
  });
});

// The integration suite: the shared conformance suite against a real Supabase project (its
// tables made by migrations/metadata and migrations/supabase), when one is configured.
if (process.env.SUPABASE_URL && process.env.SUPABASE_SERVICE_ROLE_KEY) {
  describeMetadataStoreConformance('supabase (REST)', async () => {
    const store = new SupabaseMetadataStore();
    await store.initialize();
    return { store };
  });
} else {
  describe.skip('MetadataStore conformance: supabase (set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY to run it)', () => {
    it('needs a Supabase project', () => {});
  });
}

describe('supabaseAuth', () => {
  it("derives the JWKS URL, issuer and audience of a project's tokens", () => {
    expect(supabaseAuth('https://abcd.supabase.co')).toEqual({
      jwksUrl: 'https://abcd.supabase.co/auth/v1/.well-known/jwks.json',
      issuer: 'https://abcd.supabase.co/auth/v1',
      audience: 'authenticated',
    });
    expect(supabaseAuth(new URL('http://127.0.0.1:54321/')).issuer).toBe('http://127.0.0.1:54321/auth/v1');
  });

  it.each([
    ['not a url'],
    ['http://abcd.supabase.co'],
    ['https://user:secret@abcd.supabase.co'],
    ['https://abcd.supabase.co/rest/v1'],
    ['https://abcd.supabase.co?x=1'],
  ])('refuses %s with CONFIG_INVALID', (url) => {
    expect(() => supabaseAuth(url)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    try {
      supabaseAuth(url);
    } catch (error) {
      expect((error as Error).message).not.toContain('secret');
    }
  });
});
