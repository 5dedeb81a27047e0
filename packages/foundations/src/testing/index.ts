/**
 * @packageDocumentation
 * Test kit for `@platform/foundations` adapters and the code built on them: one conformance
 * suite per Public Works port, to be called from vitest by any adapter author, assertion
 * helpers, and {@link startTestPlatform}, a whole platform in memory for a host's tests. Needs
 * `vitest` (an optional peer dependency: add it as a dev dependency).
 */
export { expectPlatformError, uniqueTenant } from './assertions.js';
export { sqlAuditTamper } from './audit-tamper.js';
export { type BlobStoreFixture, describeBlobStoreConformance } from './blob-store-conformance.js';
export {
  type ClosableEventBus,
  describeEventBusConformance,
  type EventBusFixture,
  type EventBusProcessRecipe,
} from './event-bus-conformance.js';
export { startGcsEmulator } from './gcs-emulator.js';
export { describeKeyValueStoreConformance, type KeyValueStoreFixture } from './key-value-store-conformance.js';
export {
  type AuditTamper,
  describeMetadataStoreConformance,
  type MetadataStoreFixture,
} from './metadata-store-conformance.js';
export { createPostgresTestDatabase, TEST_POSTGRES_URL } from './postgres-test-database.js';
export { describeSemanticStoreConformance, type SemanticStoreFixture } from './semantic-store-conformance.js';
export {
  type ServiceFactoryOverride,
  type ServiceOverride,
  type ServiceValueOverride,
  startTestPlatform,
  type TestPlatform,
  type TestPlatformOptions,
} from './test-platform.js';
