export {
  ErrorCode,
  PlatformError,
  type PlatformErrorCode,
  type PlatformErrorOptions,
  type SerializedPlatformError,
  serializeError,
} from './platform-error.js';
