import { defineConfig, type Options } from 'tsup';

/**
 * One build shape for every package: ESM + CJS + declarations for each entry, Node 22 target.
 * Splitting is on for both formats so that two entries of one package (e.g. `.` and `./testing`)
 * share one copy of module state instead of each bundling its own.
 */
export function definePackageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: true,
    treeshake: true,
    target: 'node22',
    platform: 'node',
    // import.meta.url in the CommonJS output too (packages locate files they ship, e.g. migrations).
    shims: true,
    // Class names are part of the API (error.name in JSON output, stack traces): never renamed.
    keepNames: true,
    ...overrides,
  });
}
