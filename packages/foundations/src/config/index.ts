export {
  CONFIG_ENV_VARIABLES,
  ConfigError,
  type ConfigIssue,
  type EnvBinding,
  type LoadConfigOptions,
  loadPlatformConfig,
  parseByteSize,
} from './load.js';
export {
  PUBLIC_WORKS_PORT_LIST,
  PUBLIC_WORKS_PORTS,
  type PublicWorksPort,
  type StoreKey,
} from './ports.js';
export { type PlatformConfig, type PlatformConfigInput, PlatformConfigSchema } from './schema.js';
