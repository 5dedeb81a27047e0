import { type Attributes, type Span, SpanKind } from '@opentelemetry/api';
import { type Observability, withSpan as packageWithSpan } from '@platform/observability';
import type { BlobStore } from './ports/blob-store.js';
import type { EventBus, SubscribeOptions } from './ports/event-bus.js';
import type { KeyValueStore } from './ports/key-value-store.js';
import type { MetadataStore } from './ports/metadata-store.js';
import type { SemanticStore } from './ports/semantic-store.js';
import type { PublicWorksAdapters } from './refs.js';

/** A Public Works port, named as in {@link PublicWorksAdapters}. */
export type TracedPort = keyof PublicWorksAdapters;

/** Options of {@link traceAdapter}. */
export interface TraceAdapterOptions {
  /**
   * Starts the spans; the package-level `withSpan` of `@platform/observability` when omitted.
   * Public Works passes each store service's own `observability.withSpan`, so the spans carry the
   * service id as instrumentation scope and the platform's redaction.
   */
  withSpan?: Observability['withSpan'];
}

type MethodsOf<T> = {
  [K in keyof T]-?: NonNullable<T[K]> extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;
// Typed as complete tables: a method added to a port fails to compile here until it is listed.
type MethodTable<T> = Record<MethodsOf<T>, true>;

interface PortTracing {
  /** Span name prefix, e.g. `blob_store`. */
  readonly prefix: string;
  readonly methods: Readonly<Record<string, true>>;
  /** The tenant a call is for; by default its first argument, or that argument's `tenantId`. */
  tenantOf?(method: string, args: readonly unknown[]): unknown;
}

const blobMethods: MethodTable<BlobStore> = {
  put: true,
  get: true,
  getStream: true,
  head: true,
  delete: true,
  list: true,
};
const metadataMethods: MethodTable<MetadataStore> = {
  createFile: true,
  getFile: true,
  findFileBySha256: true,
  listFiles: true,
  updateFile: true,
  deleteFile: true,
  putParsedFile: true,
  getParsedFile: true,
  listParsedFiles: true,
  addLink: true,
  listLinks: true,
  createJourney: true,
  getJourney: true,
  findJourneyByIdempotencyKey: true,
  listJourneys: true,
  updateJourney: true,
  appendGovernanceRecord: true,
  appendGovernanceRecords: true,
  listGovernanceRecords: true,
};
const semanticMethods: MethodTable<SemanticStore> = {
  upsertContent: true,
  getContent: true,
  listContent: true,
  deleteContent: true,
  upsertEmbeddings: true,
  search: true,
  countEmbeddings: true,
  searchText: true,
  upsertGraph: true,
  neighbors: true,
  traverse: true,
  putCorrelationMap: true,
  getCorrelationMap: true,
};
const keyValueMethods: MethodTable<KeyValueStore> = {
  get: true,
  set: true,
  delete: true,
  increment: true,
  compareAndSet: true,
};
const eventBusMethods: MethodTable<EventBus> = {
  publish: true,
  subscribe: true,
  deadLetters: true,
  replayDeadLetter: true,
  dropDeadLetter: true,
};

const PORTS: Readonly<Record<TracedPort, PortTracing>> = {
  blobStore: { prefix: 'blob_store', methods: blobMethods },
  metadataStore: { prefix: 'metadata_store', methods: metadataMethods },
  semanticStore: { prefix: 'semantic_store', methods: semanticMethods },
  keyValueStore: { prefix: 'key_value_store', methods: keyValueMethods },
  eventBus: {
    prefix: 'event_bus',
    methods: eventBusMethods,
    // `subscribe` takes the event type first; its tenant, when any, is in the options.
    // `subscribe` returns its unsubscribe function (with its `ready` promise) untouched.
    tenantOf: (method, args) =>
      method === 'subscribe' ? (args[2] as SubscribeOptions | undefined)?.tenantId : tenantOfFirst(args),
  },
};

// The tenant id is recorded only when it has a tenant id's shape (no `@`, no spaces): a call with
// a malformed one is refused by the adapter, and its argument must not leak into a span.
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const CLIENT = { kind: SpanKind.CLIENT } as const;

function tenantOfFirst(args: readonly unknown[]): unknown {
  const first = args[0];
  if (Array.isArray(first)) {
    // A batch (appendGovernanceRecords): its tenant when every record has the same one.
    const tenants = new Set(first.map((item) => (item as { tenantId?: unknown } | null)?.tenantId));
    return tenants.size === 1 ? [...tenants][0] : undefined;
  }
  return typeof first === 'string' ? first : (first as { tenantId?: unknown } | null | undefined)?.tenantId;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

// Sizes and counts of what a call returned: never the data itself.
function describeResult(span: Span, port: TracedPort, method: string, value: unknown): void {
  if (port === 'blobStore') {
    if (value instanceof Uint8Array) span.setAttribute('blob.size', value.byteLength);
    else if (method !== 'getStream' && typeof (value as { size?: unknown } | undefined)?.size === 'number')
      span.setAttribute('blob.size', (value as { size: number }).size);
  }
  const rows = Array.isArray(value) ? value : (value as { items?: unknown } | null | undefined)?.items;
  if (Array.isArray(rows)) span.setAttribute('db.response.returned_rows', rows.length);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

// A property the proxy may answer with another function: a frozen method (non-configurable and
// non-writable) must be returned as it is, by the rules of Proxy.
function replaceable(target: object, property: PropertyKey): boolean {
  const descriptor = Reflect.getOwnPropertyDescriptor(target, property);
  return !descriptor || descriptor.configurable === true || descriptor.writable === true;
}

const originals = new WeakMap<object, object>();

/**
 * Wraps a Public Works adapter so that every call of its port's methods (e.g. `BlobStore.put`,
 * `MetadataStore.getJourney`) runs in a client span named `<port>.<method>` in snake case
 * (`blob_store.put`, `metadata_store.get_journey`), with the attributes `db.system` (the adapter's
 * `kind`), `db.operation.name`, `platform.port` and `tenant.id`, plus `blob.size` or
 * `db.response.returned_rows` for what came back. Arguments and returned values are never
 * recorded.
 *
 * The wrapper is a Proxy: `instanceof`, `kind`, lifecycle hooks and adapter-specific methods work
 * as on the adapter itself, and every method runs with the adapter (not the proxy) as `this`, so
 * private fields keep working. A span ends when its call returns or settles: a stream returned by
 * `getStream` is handed over as it is, not wrapped, and is read outside the span. With no
 * OpenTelemetry SDK registered the added cost is that of `withSpan` when nothing records. A
 * method frozen on the object (non-configurable and non-writable) is left untraced. Wrapping a
 * wrapped adapter returns it unchanged.
 *
 * @example
 * ```ts
 * const blobs = traceAdapter('blobStore', new LocalBlobStore({ directory }));
 * await blobs.put('acme', 'a.txt', bytes); // a `blob_store.put` span
 * ```
 */
export function traceAdapter<A extends object>(port: TracedPort, adapter: A, options: TraceAdapterOptions = {}): A {
  if (originals.has(adapter)) return adapter;
  const tracing = PORTS[port];
  const withSpan = options.withSpan ?? packageWithSpan;
  const system = String((adapter as { kind?: unknown }).kind ?? 'unknown');
  // One function per property for as long as the property holds the same function: repeated
  // reads are equal, and a method replaced on the adapter (a test spy) is picked up.
  const functions = new Map<PropertyKey, { original: unknown; answer: unknown }>();

  const traced = (method: string, original: (...args: unknown[]) => unknown) => {
    const name = `${tracing.prefix}.${snakeCase(method)}`;
    return (...args: unknown[]): unknown =>
      withSpan(
        name,
        undefined,
        (span) => {
          if (!span.isRecording()) return Reflect.apply(original, adapter, args);
          const tenant = tracing.tenantOf ? tracing.tenantOf(method, args) : tenantOfFirst(args);
          const attributes: Attributes = {
            'db.system': system,
            'db.operation.name': method,
            'platform.port': tracing.prefix,
          };
          if (typeof tenant === 'string' && TENANT_ID.test(tenant)) attributes['tenant.id'] = tenant;
          span.setAttributes(attributes);
          const result = Reflect.apply(original, adapter, args);
          if (!isPromiseLike(result)) {
            describeResult(span, port, method, result);
            return result;
          }
          return Promise.resolve(result).then((value) => {
            describeResult(span, port, method, value);
            return value;
          });
        },
        CLIENT,
      );
  };

  const proxy = new Proxy(adapter, {
    get(target, property) {
      // Read on the adapter itself: a getter using private fields fails with the proxy as `this`.
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function' || property === 'constructor' || !replaceable(target, property)) return value;
      const known = functions.get(property);
      if (known?.original === value) return known.answer;
      const answer =
        typeof property === 'string' && Object.hasOwn(tracing.methods, property)
          ? traced(property, value as (...args: unknown[]) => unknown)
          : (value as (...args: unknown[]) => unknown).bind(target);
      functions.set(property, { original: value, answer });
      return answer;
    },
    set(target, property, value) {
      return Reflect.set(target, property, value);
    },
  });
  originals.set(proxy, adapter);
  return proxy;
}

/**
 * The adapter a {@link traceAdapter} proxy wraps (e.g. to compare it with the object a host
 * passed in); any other value is returned as it is.
 */
export function untracedAdapter<A extends object>(adapter: A): A {
  return (originals.get(adapter) as A | undefined) ?? adapter;
}
