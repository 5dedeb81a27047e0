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
