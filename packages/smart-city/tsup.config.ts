import { definePackageBuild } from '../../tooling/tsup-preset';

// `http` (Hono) and `mcp` (the MCP SDK) are entries of their own, so that their optional peers are
// loaded only by hosts that import `@platform/smart-city/http` or `@platform/smart-city/mcp`.
export default definePackageBuild({ index: 'src/index.ts', http: 'src/http/index.ts', mcp: 'src/mcp/index.ts' });
