/**
 * Writes docs/handoff-contracts.md from the contracts of the built @platform/data-mash (run
 * `pnpm build` first). A test fails when the page is not current.
 *
 *   node tooling/render-handoff-contracts.ts
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_MASH_CONTRACTS, renderHandoffContracts } from '../packages/data-mash/dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const path = join(root, 'docs', 'handoff-contracts.md');
writeFileSync(path, renderHandoffContracts(DATA_MASH_CONTRACTS, 'Data mash handoff contracts'));
console.log(`wrote ${path}`);
