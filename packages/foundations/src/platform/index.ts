export { type CreatePlatformOptions, createPlatform, type Platform, type PlatformState } from './create-platform.js';
export {
  formatStartupReport,
  type PlatformHealth,
  type ServiceHealthRecord,
  type ServiceStartRecord,
  type ServiceStopRecord,
  type StartupReport,
  type StopReport,
} from './reports.js';
