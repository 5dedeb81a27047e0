export {
  CONFIG_ENV_VARIABLES,
  ConfigError,
  type ConfigIssue,
  type EnvBinding,
  type LoadConfigOptions,
  loadPlatformConfig,
  parseByteSize,
} from './load.js';
export { type PlatformConfig, type PlatformConfigInput, PlatformConfigSchema, STORE_SCHEMES } from './schema.js';
