import { readFileSync } from 'node:fs';
import { definePackageBuild } from '../../tooling/tsup-preset';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The profile worker is its own entry: worker threads load it by file. (The `data-mash` bin is
// @platform/data-mash-cli.)
export default definePackageBuild(
  {
    index: 'src/index.ts',
    'profile-worker': 'src/insights/parallel/profile-worker.ts',
    distributed: 'src/distributed/index.ts',
    // Browser-safe (the console bundles it): no Node module, no other platform package at runtime.
    wording: 'src/wording/index.ts',
  },
  { define: { __PACKAGE_VERSION__: JSON.stringify(version) } },
);
