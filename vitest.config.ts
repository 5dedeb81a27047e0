import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['observability', 'foundations', 'smart-city', 'data-mash'];
const source = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `pnpm test` needs no build first. Subpaths come before
    // the package root so that the longer match wins.
    alias: [
      { find: /^@platform\/observability\/testing$/, replacement: source('observability/src/testing/index.ts') },
      { find: /^@platform\/foundations\/testing$/, replacement: source('foundations/src/testing/index.ts') },
      { find: /^@platform\/foundations\/errors$/, replacement: source('foundations/src/errors/index.ts') },
      ...['postgres', 'pglite', 'gcs', 'arangodb', 'supabase', 'redis', 'nats'].map((adapter) => ({
        find: new RegExp(`^@platform/foundations/${adapter}$`),
        replacement: source(`foundations/src/public-works/${adapter}/index.ts`),
      })),
      { find: /^@platform\/data-mash\/distributed$/, replacement: source('data-mash/src/distributed/index.ts') },
      { find: /^@platform\/smart-city\/http$/, replacement: source('smart-city/src/http/index.ts') },
      { find: /^@platform\/smart-city\/mcp$/, replacement: source('smart-city/src/mcp/index.ts') },
      ...packages.map((name) => ({
        find: new RegExp(`^@platform/${name}$`),
        replacement: source(`${name}/src/index.ts`),
      })),
    ],
  },
  test: {
    // PGlite creates a database in a few seconds on these machines; a hang still fails fast enough.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/examples/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/*/*.test.ts',
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
});
