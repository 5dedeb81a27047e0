import { migrateStores } from '@platform/foundations';
import { EXIT, print, printJson } from './output.js';
import { cliConfig, type GlobalOptions } from './session.js';

/**
 * `data-mash migrate`: applies the SQL migrations of the configured metadata, semantic and
 * key-value stores (`PLATFORM_METADATA_STORE`, `PLATFORM_SEMANTIC_STORE`,
 * `PLATFORM_KEY_VALUE_STORE`, or the local SQLite database); `--supabase` adds each Postgres
 * store's row-level security for a Supabase project's database.
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
    const store = entry.appliesTo ? `${entry.appliesTo} store's row-level security` : `${entry.store} store`;
    print(`${store} ${entry.location}: ${what}`);
  }
  return EXIT.ok;
}
