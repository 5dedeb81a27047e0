import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = ['observability', 'foundations', 'smart-city', 'data-mash'];
const source = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url));

const TESTS = [
  'packages/*/src/**/*.test.ts',
  'packages/*/examples/**/*.test.ts',
  'examples/*/src/**/*.test.ts',
  'examples/*/*.test.ts',
];

// Files that need a worker of their own (see `projects` below).
const ISOLATED = [
  'packages/data-mash-cli/src/**/*.test.ts',
  'packages/observability/**/*.test.ts',
  'packages/data-mash/src/distributed/runner-operations.test.ts',
  'packages/data-mash/src/host/journey-trace.test.ts',
  'packages/data-mash/src/insights/parallel/*.test.ts',
  'packages/data-mash/src/journeys/journey-orchestrator.test.ts',
  'packages/data-mash/src/phases/{data-mash-flow,file-digest,interrupted-flow,pii-end-to-end}.test.ts',
  'packages/foundations/examples/*.test.ts',
  'packages/foundations/src/config/load.test.ts',
  'packages/foundations/src/platform/stop-and-health.test.ts',
  'packages/foundations/src/public-works/supabase/supabase.test.ts',
  'packages/foundations/src/public-works/traced-adapters.test.ts',
  'packages/foundations/src/public-works/sqlite/{sqlite-database,sqlite-lock-waits}.test.ts',
  'packages/foundations/src/testing/test-platform.test.ts',
  'packages/smart-city/examples/extend-a-role.test.ts',
  'packages/smart-city/src/bases/bases.test.ts',
  'packages/smart-city/src/communication-director/communication-director.test.ts',
  'packages/smart-city/src/content-steward/content-steward.test.ts',
  'packages/smart-city/src/data-orchestrator/data-orchestrator.test.ts',
  'packages/smart-city/src/security-guard/api-keys.test.ts',
  // PGlite (WebAssembly): in a long-lived worker its starts slowed to timeouts under load.
  'packages/foundations/src/public-works/pglite/*.test.ts',
  'packages/foundations/src/public-works/{migrate-stores,sql/sql-key-value-store}.test.ts',
  'packages/data-mash/src/semantics/semantic-result.test.ts',
];

export default defineConfig({
  resolve: {
    // Tests run against the sources, so `pnpm test` needs no build first. Subpaths come before
    // the package root so that the longer match wins.
    alias: [
      { find: /^@platform\/observability\/testing$/, replacement: source('observability/src/testing/index.ts') },
      {
        find: /^@platform\/observability\/trace-buffer$/,
        replacement: source('observability/src/trace-buffer/index.ts'),
      },
      { find: /^@platform\/foundations\/testing$/, replacement: source('foundations/src/testing/index.ts') },
      { find: /^@platform\/foundations\/errors$/, replacement: source('foundations/src/errors/index.ts') },
      ...['postgres', 'pglite', 'gcs', 'arangodb', 'supabase', 'redis', 'nats'].map((adapter) => ({
        find: new RegExp(`^@platform/foundations/${adapter}$`),
        replacement: source(`foundations/src/public-works/${adapter}/index.ts`),
      })),
      { find: /^@platform\/data-mash\/distributed$/, replacement: source('data-mash/src/distributed/index.ts') },
      { find: /^@platform\/data-mash\/wording$/, replacement: source('data-mash/src/wording/index.ts') },
      { find: /^@platform\/smart-city\/http$/, replacement: source('smart-city/src/http/index.ts') },
      { find: /^@platform\/smart-city\/mcp$/, replacement: source('smart-city/src/mcp/index.ts') },
      ...packages.map((name) => ({
        find: new RegExp(`^@platform/${name}$`),
        replacement: source(`${name}/src/index.ts`),
      })),
    ],
  },
  test: {
    // PGlite creates a database in 2.6-4 s on an idle machine of this kind (measured 2026-11-30),
    // but CI runs 3 workers on 2 cores, and on a slow day one creation passed 30 s there (the
    // MetadataStore conformance hook on PGlite). A limit is for a hang, not for a loaded machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Each new PGlite database starts from a freshly initialized cluster kept in the worker
    // (reuseInitializedPGliteClusters): 0.4-0.7 s instead of 2-3 s of initdb each.
    env: { PLATFORM_PGLITE_REUSE_CLUSTER: '1' },
    // Most files wait (on Postgres, child processes, sockets, timers) more than they compute.
    // vitest's default in run mode is one worker per core but one: a single worker on 2 cores,
    // which ran the files one after another. At least 3 keep the waits overlapping; the longest
    // files start first (vitest orders them by their last duration).
    maxWorkers: Math.max(3, availableParallelism() - 1),
    // Files that change process-wide state (global OpenTelemetry providers, fake timers, spies,
    // environment variables, V8 flags, process listeners), run the CLI, start worker threads or
    // PGlite get a fresh worker each. The others share their worker's module cache: a fresh one
    // per file cost about a third of a second of CPU each (18 files: 18.1 s of CPU, 11.8 shared).
    projects: [
      { extends: true, test: { name: 'isolated', include: ISOLATED } },
      { extends: true, test: { name: 'shared', include: TESTS, exclude: ISOLATED, isolate: false } },
    ],
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts'],
      reporter: ['text-summary', 'html'],
    },
  },
});
