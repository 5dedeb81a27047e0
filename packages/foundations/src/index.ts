/**
 * @packageDocumentation
 * The foundations of the @platform SDK: the kernel (service refs and definitions, run in
 * dependency order), the platform that composes, starts and stops them, the configuration, the shared `PlatformError`, and Public Works:
 * the infrastructure ports with their embedded adapters (memory, local files, PGlite). Postgres
 * is in `@platform/foundations/postgres`; the conformance kit in `@platform/foundations/testing`.
 */
export * from './config/index.js';
export * from './curator/index.js';
export * from './errors/index.js';
export * from './kernel/index.js';
export * from './platform/index.js';
export * from './public-works/index.js';
