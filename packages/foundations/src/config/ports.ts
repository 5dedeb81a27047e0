/**
 * The Public Works ports: the one list. Each has the key of its location in `config.stores`, the
 * environment variable that sets it, and whether the cloud profile requires it to be named.
 * Refs, adapter types, realm grants and the adapter registry are all keyed by these names.
 */
export const PUBLIC_WORKS_PORT_LIST = [
  { port: 'blobStore', store: 'blob', env: 'PLATFORM_BLOB_STORE', required: true },
  { port: 'metadataStore', store: 'metadata', env: 'PLATFORM_METADATA_STORE', required: true },
  { port: 'semanticStore', store: 'semantic', env: 'PLATFORM_SEMANTIC_STORE', required: true },
  { port: 'eventBus', store: 'eventBus', env: 'PLATFORM_EVENT_BUS', required: false },
  { port: 'keyValueStore', store: 'keyValue', env: 'PLATFORM_KEY_VALUE_STORE', required: false },
] as const;

/** The names of the Public Works ports. */
export const PUBLIC_WORKS_PORTS = PUBLIC_WORKS_PORT_LIST.map((entry) => entry.port) as [
  PublicWorksPort,
  ...PublicWorksPort[],
];

/** A Public Works port's name: `blobStore`, `metadataStore`, `semanticStore`, `eventBus`, `keyValueStore`. */
export type PublicWorksPort = (typeof PUBLIC_WORKS_PORT_LIST)[number]['port'];

/** A port's key in `config.stores`: `blob`, `metadata`, `semantic`, `eventBus`, `keyValue`. */
export type StoreKey = (typeof PUBLIC_WORKS_PORT_LIST)[number]['store'];
