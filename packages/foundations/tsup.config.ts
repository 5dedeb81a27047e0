import { definePackageBuild } from '../../tooling/tsup-preset';

export default definePackageBuild({
  index: 'src/index.ts',
  postgres: 'src/public-works/postgres/index.ts',
  testing: 'src/testing/index.ts',
});
