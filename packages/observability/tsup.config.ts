import { definePackageBuild } from '../../tooling/tsup-preset';

export default definePackageBuild({
  index: 'src/index.ts',
  testing: 'src/testing/index.ts',
  'trace-buffer': 'src/trace-buffer/index.ts',
});
