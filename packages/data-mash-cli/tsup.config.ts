import { readFileSync } from 'node:fs';
import { definePackageBuild } from '../../tooling/tsup-preset';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// The bin only: ESM, no declarations (nothing imports it). tsup keeps the entry's
// `#!/usr/bin/env -S node --max-semi-space-size=8` line and makes dist/cli.js executable.
export default definePackageBuild(
  { cli: 'src/cli.ts' },
  { format: ['esm'], dts: false, define: { __PACKAGE_VERSION__: JSON.stringify(version) } },
);
