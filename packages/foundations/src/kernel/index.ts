export { type CreatePlatformOptions, createPlatform, type Platform, type PlatformState } from './platform.js';
export {
  formatStartupReport,
  type PlatformHealth,
  type ServiceHealthRecord,
  type ServiceStartRecord,
  type ServiceStopRecord,
  type StartupReport,
  type StopReport,
} from './reports.js';
export {
  type AnyServiceDefinition,
  definePlatformModule,
  defineService,
  type PlatformModule,
  type ResolvedDeps,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceDefinitionOptions,
  type ServiceDeps,
  type ServiceHealth,
  type ServiceLifecycle,
} from './service-definition.js';
export {
  defineServiceRef,
  SERVICE_TIERS,
  type ServiceRef,
  type ServiceRefOptions,
  type ServiceTier,
  tierRank,
} from './service-ref.js';
export type { SignalTarget } from './signals.js';
