/**
 * @packageDocumentation
 * The foundations of the @platform SDK: the kernel that composes, starts and stops services in
 * dependency order, the platform configuration, and the shared `PlatformError`.
 */
export * from './config/index.js';
export * from './errors/index.js';
export * from './kernel/index.js';
