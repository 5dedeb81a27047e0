export { CONSOLE_CONTENT_SECURITY_POLICY, type ConsoleRoutesOptions, consoleRoutes } from './console-routes.js';
