import type { SearchMode } from '@platform/smart-city';
import { EXIT, figure, print, printable, printJson, table, UsageError } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

const MODES: readonly SearchMode[] = ['hybrid', 'text', 'vector'];

/** `data-mash search "<query>"`: the Librarian's search over everything the tenant ingested. */
export async function search(
  query: string,
  options: GlobalOptions & { mode?: string; limit?: string; kind?: string },
): Promise<number> {
  const mode = (options.mode ?? 'hybrid') as SearchMode;
  if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got '${options.mode}'`);
  const limit = options.limit === undefined ? 10 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new UsageError('--limit must be a whole number from 1 to 100');
  if (query.trim() === '') throw new UsageError('the query is empty');
  const session = await openExistingSession(options);
  try {
    const hits = await session.librarian.search(session.user, query, { mode, limit, kind: options.kind ?? '*' });
    if (options.json) {
      printJson(hits);
      return EXIT.ok;
    }
    if (hits.length === 0) {
      print(`nothing found for '${printable(query)}'`);
      return EXIT.ok;
    }
    print(
      table(
        ['SCORE', 'CONTENT', 'KIND', 'REF', 'TEXT'],
        hits.map((hit) => {
          const text = (hit.text ?? '').replace(/\s+/g, ' ');
          return [
            figure(hit.score),
            hit.contentId,
            hit.kind,
            hit.ref,
            text.length > 80 ? `${text.slice(0, 79)}…` : text,
          ];
        }),
      ),
    );
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
