/**
 * Copies example files into the README code blocks that follow `<!-- example: path -->` markers,
 * so READMEs show exactly the code the tests run. Run after editing an example:
 *
 *   node tooling/sync-readme-examples.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = /(<!-- example: ([^ ]+) -->\n```ts\n)[\s\S]*?(\n```)/g;

for (const name of readdirSync(join(root, 'packages'))) {
  const readmePath = join(root, 'packages', name, 'README.md');
  let readme: string;
  try {
    readme = readFileSync(readmePath, 'utf8');
  } catch {
    continue;
  }
  const synced = readme.replace(marker, (_match, head: string, path: string, tail: string) => {
    const example = readFileSync(join(root, 'packages', name, path), 'utf8').trim();
    return `${head}${example}${tail}`;
  });
  if (synced !== readme) {
    writeFileSync(readmePath, synced);
    console.log(`updated ${readmePath}`);
  }
}
