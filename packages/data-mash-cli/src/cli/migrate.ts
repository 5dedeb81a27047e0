import { migrateStores } from '@platform/foundations';
import { EXIT, print, printJson } from './output.js';
import { cliConfig, type GlobalOptions } from './session.js';

/**
 * `data-mash migrate`: applies the SQL migrations of the configured metadata and semantic stores
 * (`PLATFORM_METADATA_STORE`, `PLATFORM_SEMANTIC_STORE`, or the local PGlite database);
 * `--supabase` adds the row-level security policies for a Supabase project's database.
 */
export async function migrate(options: GlobalOptions & { supabase?: boolean }): Promise<number> {
  const report = await migrateStores(cliConfig(options), { supabase: options.supabase === true });
  if (options.json) {
    printJson(report);
    return EXIT.ok;
  }
  for (const entry of report) {
    const what = entry.skipped
      ? `skipped (${entry.skipped})`
      : entry.applied.length === 0
        ? 'up to date'
        : `applied ${entry.applied.join(', ')}`;
    print(`${entry.store} store ${entry.location}: ${what}`);
  }
  return EXIT.ok;
}
