import { definePackageBuild } from '../../tooling/tsup-preset';

// The server side only (it serves dist/app, which `vite build` writes first; `clean` would remove it).
export default definePackageBuild({ index: 'src/index.ts' }, { clean: false });
