import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APP = fileURLToPath(new URL('../dist/app', import.meta.url));
// Issue 20: the first load is at most ~200 KB of compressed JavaScript.
const FIRST_LOAD_BROTLI_BYTES = 200 * 1024;

describe('the built console', () => {
  it('loads at most 200 KB of compressed JavaScript first, and its charts only on the Insights tab', async () => {
    if (!existsSync(join(APP, 'index.html')))
      throw new Error(`the console is not built (${APP}): run pnpm build first`);
    const html = await readFile(join(APP, 'index.html'), 'utf8');
    // What the page itself names: its entry script, the chunks it preloads, its stylesheet.
    const named = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.js)"/g)].map((match) => match[1] as string);
    expect(named.length).toBeGreaterThan(0);
    // The entry's static imports load with it; dynamic imports (the charts) do not.
    const firstLoad = new Set<string>();
    const visit = async (file: string) => {
      if (firstLoad.has(file)) return;
      firstLoad.add(file);
      const source = await readFile(join(APP, file), 'utf8');
      for (const match of source.matchAll(
        /(?:^|[;\n}])\s*import\s*(?:[\w*{}\s,$]+from\s*)?["']\.\/([^"']+\.js)["']/g,
      )) {
        await visit(`assets/${match[1]}`);
      }
    };
    for (const file of named) await visit(file);
    let brotli = 0;
    for (const file of firstLoad) brotli += (await stat(join(APP, `${file}.br`))).size;
    expect(brotli, `first load: ${[...firstLoad].join(', ')}`).toBeLessThanOrEqual(FIRST_LOAD_BROTLI_BYTES);
    // No chart library in the first load: Observable Plot's chunk is fetched by the Insights tab.
    for (const file of firstLoad) {
      expect(await readFile(join(APP, file), 'utf8'), file).not.toMatch(/--plot-background|plot-clip/);
    }
  });
});
