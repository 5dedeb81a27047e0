import { definePackageBuild } from '../../tooling/tsup-preset';

// The profile worker is its own entry: worker threads load it by file.
export default definePackageBuild({
  index: 'src/index.ts',
  'profile-worker': 'src/insights/parallel/profile-worker.ts',
});
