import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineService } from '../kernel/service-definition.js';
import type { CuratorEvent } from '../kernel/service-description.js';
import { defineServiceRef } from '../kernel/service-ref.js';
import { createPlatform } from '../platform/create-platform.js';
import { MetadataStoreRef } from '../public-works/refs.js';
import { expectPlatformError } from '../testing/assertions.js';
import { Curator } from './curator.js';
import type { PatternRule } from './pattern-rules.js';
import { defineRealmAccessTable } from './realm-access.js';

const upload = {
  name: 'content.upload_file',
  description: 'Validate and store a file',
  input: z.object({ fileName: z.string().min(1), sizeBytes: z.number().int().nonnegative() }),
  output: z.object({ fileId: z.string(), validationStatus: z.enum(['valid', 'quarantined']) }),
  tags: ['content'],
};
const search = {
  name: 'library.search',
  description: 'Search indexed content',
  input: z.object({ query: z.string(), limit: z.number().int().optional() }),
  output: z.array(z.object({ id: z.string(), score: z.number() })),
};

function steward(curator: Curator) {
  return curator.register({
    id: 'smart-city.content-steward',
    tier: 'smart-city',
    description: 'Owns the file lifecycle',
    tags: ['content', 'files'],
    capabilities: [upload],
    apis: [
      { method: 'POST', path: '/files', capability: 'content.upload_file' },
      { method: 'GET', path: '/files/{fileId}', capability: 'content.upload_file' },
    ],
    mcpTools: [
      { name: 'upload_file', description: 'Upload a file to the platform', capability: 'content.upload_file' },
    ],
    agents: [{ name: 'intake', description: 'Takes files in', capabilities: ['content.upload_file'] }],
  });
}

describe('Curator registry and discovery', () => {
  it('registers services and finds them by name, capability, realm, tag and status', () => {
    const curator = new Curator();
    const events: CuratorEvent[] = [];
    curator.subscribe((event) => events.push(event));
    steward(curator);
    curator.register({
      id: 'realm.insights.reporter',
      tier: 'realm',
      realm: 'insights',
      tags: ['reports'],
      capabilities: [search],
    });
    expect(curator.find({ capability: 'content.upload_file' }).map((entry) => entry.id)).toEqual([
      'smart-city.content-steward',
    ]);
    expect(curator.find({ realm: 'insights' }).map((entry) => entry.id)).toEqual(['realm.insights.reporter']);
    expect(curator.find({ tag: 'files' }).map((entry) => entry.id)).toEqual(['smart-city.content-steward']);
    expect(curator.find({ name: 'realm.insights.reporter', status: 'running' })).toHaveLength(1);
    expect(curator.findCapability('library.search')[0]?.service.id).toBe('realm.insights.reporter');
    curator.setStatus('realm.insights.reporter', 'stopped');
    expect(curator.find({ status: 'stopped' }).map((entry) => entry.id)).toEqual(['realm.insights.reporter']);
    expect(curator.unregister('realm.insights.reporter')).toBe(true);
    expect(curator.unregister('realm.insights.reporter')).toBe(false);
    expect(events.map((event) => event.type)).toEqual([
      'curator.service.registered',
      'curator.service.registered',
      'curator.service.status_changed',
      'curator.service.unregistered',
    ]);
  });

  it('refuses a second service with the same id or the same capability', async () => {
    const curator = new Curator();
    steward(curator);
    await expectPlatformError(() => steward(curator), 'CONFLICT');
    const error = await expectPlatformError(
      () => curator.register({ id: 'smart-city.other', tier: 'smart-city', capabilities: [upload] }),
      'CONFLICT',
    );
    expect(error.message).toContain("already offered by 'smart-city.content-steward'");
    await expectPlatformError(() => curator.get('nope'), 'NOT_FOUND');
  });
});

describe('Curator exports', () => {
  it('exports capability contracts as JSON Schema', () => {
    const curator = new Curator();
    steward(curator);
    const schemas = curator.exportJsonSchemas();
    expect(schemas['content.upload_file']).toMatchObject({
      service: 'smart-city.content-steward',
      input: {
        type: 'object',
        properties: { fileName: { type: 'string', minLength: 1 }, sizeBytes: { type: 'integer', minimum: 0 } },
        required: ['fileName', 'sizeBytes'],
      },
      output: { properties: { validationStatus: { enum: ['valid', 'quarantined'] } } },
    });
  });

  it('exports an OpenAPI 3.1 document of the SOA APIs', () => {
    const curator = new Curator();
    steward(curator);
    const document = curator.exportOpenApi({ title: 'Test', version: '0.1.0' }) as {
      openapi: string;
      paths: Record<string, Record<string, Record<string, unknown>>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.paths['/files']?.post).toMatchObject({
      operationId: 'content.upload_file',
      requestBody: { content: { 'application/json': { schema: { required: ['fileName', 'sizeBytes'] } } } },
      responses: {
        '200': { content: { 'application/json': { schema: { required: ['fileId', 'validationStatus'] } } } },
      },
    });
    // A GET takes its path parameters from the path and the rest of its input from the query.
    expect(document.paths['/files/{fileId}']?.get).toMatchObject({
      parameters: [
        { name: 'fileId', in: 'path', required: true },
        { name: 'fileName', in: 'query', required: true, schema: { type: 'string', minLength: 1 } },
        { name: 'sizeBytes', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } },
      ],
    });
    expect(document.paths['/files/{fileId}']?.get).not.toHaveProperty('requestBody');
    // The permission a client needs: by default the capability's own name (fail closed).
    expect(document.paths['/files']?.post?.['x-permission']).toBe('content.upload_file');
    expect(document.paths['/files']?.post).toMatchObject({
      responses: { default: { content: { 'application/problem+json': { schema: { required: expect.any(Array) } } } } },
    });
  });

  it('exports MCP tools in the tools/list shape', () => {
    const curator = new Curator();
    steward(curator);
    expect(curator.exportMcpTools()).toEqual({
      tools: [
        {
          name: 'upload_file',
          description: 'Upload a file to the platform',
          inputSchema: {
            type: 'object',
            properties: {
              fileName: { type: 'string', minLength: 1 },
              sizeBytes: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            },
            required: ['fileName', 'sizeBytes'],
            additionalProperties: false,
          },
        },
      ],
    });
  });
});

describe('Curator pattern validation', () => {
  it('finds naming, contract, lifecycle and realm problems, errors first, each with a hint', () => {
    const curator = new Curator();
    curator.register({
      id: 'Reports',
      tier: 'realm',
      capabilities: [{ ...search, name: 'Search', description: '' }],
      apis: [{ method: 'GET', path: '/Reports/All', capability: 'reports.list' }],
      mcpTools: [{ name: 'x', description: 'x', capability: 'missing.capability' }],
      lifecycle: { initialize: false, shutdown: false, health: false },
    });
    const findings = curator.validate();
    expect(findings.map((finding) => [finding.rule, finding.severity, finding.target])).toEqual([
      ['service-id-naming', 'error', 'Reports'],
      ['capability-naming', 'error', 'Reports#Search'],
      ['contracts-declared', 'error', 'Reports#Search'],
      ['contracts-declared', 'error', 'Reports GET /Reports/All'],
      ['contracts-declared', 'error', 'Reports#x'],
      ['api-path-naming', 'warning', 'Reports GET /Reports/All'],
      ['smart-city-lifecycle', 'warning', 'Reports'],
      ['realm-declared', 'warning', 'Reports'],
    ]);
    expect(findings.every((finding) => finding.hint.length > 10)).toBe(true);
  });

  it('accepts a realm service named after its realm, and only after its own realm', () => {
    const curator = new Curator();
    const base = { tier: 'realm' as const, lifecycle: { initialize: false, shutdown: false, health: false } };
    curator.register({ ...base, id: 'data-mash.api', realm: 'data-mash' });
    curator.register({ ...base, id: 'billing.api', realm: 'data-mash' });
    const naming = curator.validate().filter((finding) => finding.rule === 'service-id-naming');
    expect(naming.map((finding) => finding.target)).toEqual(['billing.api']);
  });

  it('takes rules as data, and refuses malformed rules', async () => {
    const curator = new Curator();
    steward(curator);
    const rules: PatternRule[] = [
      {
        id: 'short-tools',
        kind: 'naming',
        severity: 'info',
        target: 'mcp_tool',
        pattern: '^.{1,5}$',
        hint: 'keep tool names short',
      },
    ];
    expect(curator.validate(rules)).toEqual([
      {
        rule: 'short-tools',
        severity: 'info',
        target: 'smart-city.content-steward#upload_file',
        message: "mcp tool 'upload_file' does not match ^.{1,5}$",
        hint: 'keep tool names short',
      },
    ]);
    await expectPlatformError(() => curator.validate([{ id: 'x', kind: 'astrology' } as never]), 'VALIDATION_FAILED');
  });
});

describe('realm access table', () => {
  const table = defineRealmAccessTable({
    insights: { ports: ['semanticStore'], services: ['smart-city.librarian', 'smart-city.data.*'] },
  });

  it('is enforced on every realm lookup, naming realm and target', async () => {
    const curator = new Curator({ realmAccess: table });
    curator.register({ id: 'smart-city.librarian', tier: 'smart-city' });
    steward(curator);
    const insights = curator.forRealm('insights');
    expect(insights.getService('smart-city.librarian').id).toBe('smart-city.librarian');
    const denied = await expectPlatformError(
      () => insights.getService('smart-city.content-steward'),
      'REALM_ACCESS_DENIED',
    );
    expect(denied.details).toEqual({ realm: 'insights', target: 'smart-city.content-steward' });
    expect(insights.findCapability('content.upload_file')).toEqual([]);
    insights.assertPort('semanticStore');
    await expectPlatformError(() => insights.assertPort('blobStore'), 'REALM_ACCESS_DENIED');
    await expectPlatformError(() => curator.forRealm('unknown').assertPort('semanticStore'), 'REALM_ACCESS_DENIED');
    await expectPlatformError(
      () => defineRealmAccessTable({ Bad: { ports: ['tapes' as never] } }),
      'VALIDATION_FAILED',
    );
  });

  it('refuses, before start, a realm service wired to a port its realm is not granted', async () => {
    const ReporterRef = defineServiceRef<object>({ id: 'realm.reporter', tier: 'realm' });
    const reporter = defineService({
      ref: ReporterRef,
      description: { realm: 'insights' },
      deps: { metadata: MetadataStoreRef },
      factory: () => ({}),
    });
    const error = await expectPlatformError(
      () =>
        createPlatform({
          env: {},
          telemetrySink: () => {},
          realmAccess: table,
          services: [reporter],
          config: { stores: { metadata: 'memory://' } },
        }),
      'REALM_ACCESS_DENIED',
    );
    expect(error.message).toContain(
      "realm 'insights' (service 'realm.reporter') may not use the Public Works port 'metadataStore'",
    );
  });
});

describe('Curator in the kernel', () => {
  it('registers every service as it starts, checks patterns in development, and marks services stopped', async () => {
    const events: string[] = [];
    const LibrarianRef = defineServiceRef<{ health(): { status: 'healthy' } }>({
      id: 'smart-city.librarian',
      tier: 'smart-city',
    });
    const platform = createPlatform({
      env: {},
      telemetrySink: (event) => events.push(`${event.operation}:${event.level}`),
      config: { stores: { metadata: 'memory://' } },
      include: [MetadataStoreRef],
      services: [
        defineService({
          ref: LibrarianRef,
          description: { capabilities: [search], tags: ['search'] },
          factory: () => ({ health: () => ({ status: 'healthy' as const }) }),
        }),
        defineService({ ref: defineServiceRef<object>({ id: 'realm.loose', tier: 'realm' }), factory: () => ({}) }),
      ],
    });
    const report = await platform.start();
    expect(platform.curator.find().map((entry) => entry.id)).toEqual([
      'public-works.metadata-store',
      'realm.loose',
      'smart-city.librarian',
    ]);
    expect(platform.curator.get('smart-city.librarian')).toMatchObject({
      tier: 'smart-city',
      module: 'app',
      lifecycle: { initialize: false, shutdown: false, health: true },
      tags: ['search'],
      status: 'running',
    });
    expect(report.findings.map((finding) => [finding.rule, finding.target])).toEqual([
      ['smart-city-lifecycle', 'realm.loose'],
      ['realm-declared', 'realm.loose'],
    ]);
    expect(events).toContain('curator.pattern_finding:warn');
    await platform.stop();
    expect(platform.curator.find({ status: 'running' })).toEqual([]);

    const production = createPlatform({
      env: { PLATFORM_ENV: 'production' },
      telemetrySink: () => {},
      services: [
        defineService({ ref: defineServiceRef<object>({ id: 'realm.quiet', tier: 'realm' }), factory: () => ({}) }),
      ],
    });
    expect((await production.start()).findings).toEqual([]);
    await production.stop();
  });
});
