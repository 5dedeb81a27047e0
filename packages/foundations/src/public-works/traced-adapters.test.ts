import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';
import { withSpan } from '@platform/observability';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPlatform } from '../platform/create-platform.js';
import { expectPlatformError } from '../testing/assertions.js';
import { LocalBlobStore } from './local/local-blob-store.js';
import { InProcessEventBus } from './memory/in-process-event-bus.js';
import { MemoryBlobStore } from './memory/memory-blob-store.js';
import { MemoryMetadataStore } from './memory/memory-metadata-store.js';
import type { BlobStore } from './ports/blob-store.js';
import { BlobStoreRef, EventBusRef, MetadataStoreRef } from './refs.js';
import { traceAdapter, untracedAdapter } from './traced-adapters.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const bytes = (text: string) => new TextEncoder().encode(text);

describe('traceAdapter', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'traced-adapters-'));
  });
  afterEach(() => rm(directory, { recursive: true, force: true }));

  it('records each port call as a client span with the adapter, operation and tenant, and sizes not data', async () => {
    const blobs = traceAdapter('blobStore', new LocalBlobStore({ directory }));
    await withSpan('caller', async () => {
      await blobs.put('acme', 'notes/a.txt', bytes('hello'));
      expect(Buffer.from(await blobs.get('acme', 'notes/a.txt')).toString()).toBe('hello');
      await blobs.list('acme');
    });
    const caller = recorder.span('caller');
    expect(recorder.childrenOf(caller).map((span) => span.name)).toEqual([
      'blob_store.put',
      'blob_store.get',
      'blob_store.list',
    ]);
    expect(recorder.span('blob_store.put')).toMatchObject({
      kind: 'CLIENT',
      attributes: {
        'db.system': 'local',
        'db.operation.name': 'put',
        'platform.port': 'blob_store',
        'tenant.id': 'acme',
        'blob.size': 5,
      },
    });
    expect(recorder.span('blob_store.get').attributes['blob.size']).toBe(5);
    expect(recorder.span('blob_store.list').attributes['db.response.returned_rows']).toBe(1);
    expect(JSON.stringify(recorder.spans())).not.toContain('hello');
    expect(JSON.stringify(recorder.spans())).not.toContain('notes/a.txt');
    recorder.assertNoOpenSpans();
  });

  it('keeps instanceof, getters on private fields, extra methods and method identity', async () => {
    const adapter = new LocalBlobStore({ directory });
    const blobs = traceAdapter('blobStore', adapter);
    expect(blobs).toBeInstanceOf(LocalBlobStore);
    expect(blobs.kind).toBe('local');
    expect(blobs.directory).toBe(adapter.directory);
    // Not a port method: works (private fields and all) and records no span.
    await expect(blobs.sweep({ olderThanMs: 60_000, dryRun: true })).resolves.toMatchObject({ files: [] });
    expect(recorder.spans()).toEqual([]);
    expect(blobs.put).toBe(blobs.put);
    expect(blobs.constructor).toBe(LocalBlobStore);
    expect(untracedAdapter(blobs)).toBe(adapter);
    expect(untracedAdapter(adapter)).toBe(adapter);
    expect(traceAdapter('blobStore', blobs)).toBe(blobs);
  });

  it('ends a stream-returning call when it returns, handing the stream over unwrapped', async () => {
    const blobs = traceAdapter('blobStore', new LocalBlobStore({ directory }));
    await blobs.put('acme', 'big.bin', bytes('x'.repeat(100_000)));
    recorder.reset();
    const stream = await blobs.getStream('acme', 'big.bin');
    expect(stream).toBeInstanceOf(Readable);
    recorder.assertNoOpenSpans();
    expect(recorder.span('blob_store.get_stream').attributes['blob.size']).toBeUndefined();
    let length = 0;
    for await (const chunk of stream) length += (chunk as Buffer).byteLength;
    expect(length).toBe(100_000);
    // A stream given to `put` is read inside its span.
    await blobs.put('acme', 'copy.bin', Readable.from([bytes('ab'), bytes('cd')]));
    expect(recorder.span('blob_store.put').attributes['blob.size']).toBe(4);
  });

  it('records a failed call as an error and passes the error through unchanged', async () => {
    const blobs = traceAdapter('blobStore', new MemoryBlobStore());
    await expectPlatformError(() => blobs.get('acme', 'missing.txt'), 'NOT_FOUND');
    expect(recorder.span('blob_store.get')).toMatchObject({
      status: { code: 'error' },
      attributes: { 'error.type': 'NOT_FOUND', 'tenant.id': 'acme' },
    });
  });

  it('finds the tenant in a record argument and in subscribe options, and drops a malformed one', async () => {
    const metadata = traceAdapter('metadataStore', new MemoryMetadataStore());
    await metadata.createFile({ tenantId: 'globex', name: 'a.txt', sizeBytes: 1, sha256: 'a'.repeat(64) });
    await expectPlatformError(() => metadata.getFile('jo@example.com', 'file_x'), 'VALIDATION_FAILED');
    const bus = traceAdapter('eventBus', new InProcessEventBus());
    const unsubscribe = bus.subscribe('content.*', () => undefined, { tenantId: 'globex' });
    unsubscribe();
    expect(recorder.span('metadata_store.create_file').attributes['tenant.id']).toBe('globex');
    expect(recorder.span('metadata_store.get_file').attributes['tenant.id']).toBeUndefined();
    expect(JSON.stringify(recorder.spans())).not.toContain('jo@example.com');
    expect(recorder.span('event_bus.subscribe').attributes['tenant.id']).toBe('globex');
  });

  it('calls straight through when nothing records, and leaves frozen methods as they are', async () => {
    const silent = traceAdapter('blobStore', new MemoryBlobStore(), {
      withSpan: ((_name: string, _attributes: unknown, fn: (span: unknown) => unknown) =>
        fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT))) as never,
    });
    await silent.put('acme', 'a.txt', bytes('a'));
    expect(Buffer.from(await silent.get('acme', 'a.txt')).toString()).toBe('a');

    const memory = new MemoryBlobStore();
    const frozen: BlobStore = Object.freeze({
      kind: 'frozen',
      put: memory.put.bind(memory),
      get: memory.get.bind(memory),
      getStream: memory.getStream.bind(memory),
      head: memory.head.bind(memory),
      delete: memory.delete.bind(memory),
      list: memory.list.bind(memory),
    });
    const traced = traceAdapter('blobStore', frozen);
    await traced.put('acme', 'a.txt', bytes('a'));
    expect(traced.put).toBe(frozen.put);
    expect(recorder.spans()).toEqual([]);
  });
});

describe('Public Works composition with tracing', () => {
  it('hands every service traced adapters, the host’s as well as its own, under each store’s scope', async () => {
    const blobStore = new MemoryBlobStore();
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      config: { stores: { metadata: 'memory://' } },
      adapters: { blobStore },
      include: [BlobStoreRef, MetadataStoreRef, EventBusRef],
    });
    await platform.start();
    recorder.reset();
    expect(untracedAdapter(platform.get(BlobStoreRef))).toBe(blobStore);
    expect(platform.get(BlobStoreRef)).toBeInstanceOf(MemoryBlobStore);
    await platform.get(BlobStoreRef).put('acme', 'a.txt', bytes('a'));
    await platform.get(MetadataStoreRef).listFiles('acme');
    await platform.get(EventBusRef).publish({
      id: 'e1',
      type: 'content.file.stored',
      tenantId: 'acme',
      occurredAt: new Date(),
      payload: {},
    });
    expect(recorder.spans().map((span) => [span.name, span.scope, span.attributes['db.system']])).toEqual([
      ['blob_store.put', 'public-works.blob-store', 'memory'],
      ['metadata_store.list_files', 'public-works.metadata-store', 'memory'],
      ['event_bus.publish', 'public-works.event-bus', 'in-process'],
    ]);
    await platform.stop();
  });
});
