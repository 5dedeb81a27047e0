export * from './user-context.js';
export {
  type CallerOrigin,
  callerOrigin,
  isVerifiedUserContext,
  requireVerifiedUserContext,
  type ServiceIdentityOptions,
  serviceIdentity,
  trustUserContext,
  type VerifiedUserContext,
} from './verified.js';
