export { assertSameTenant, parseUserContext, type UserContext, UserContextSchema } from './user-context.js';
