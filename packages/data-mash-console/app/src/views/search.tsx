import { useEffect, useState } from 'preact/hooks';
import type { ApiError, SearchHit } from '../api.js';
import { useConsole } from '../context.js';
import { href } from '../router.js';

const KIND_LABELS: Record<string, string> = {
  column_name: 'column',
  column_samples: 'column values',
  column_meaning: 'column meaning',
  table: 'table',
  text_chunk: 'text',
  document: 'document',
};

function describe(hit: SearchHit): { file: string; where: string } {
  const metadata = hit.metadata ?? {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const file = text(hit.file?.name) ?? text(metadata.file_name) ?? 'a file';
  const table = text(metadata.table);
  const column = text(metadata.column);
  const where = column
    ? `${table ? `${table} → ` : ''}${column}`
    : (table ?? (typeof hit.ref === 'string' ? hit.ref : ''));
  return { file, where };
}

/** Hybrid search (words and meaning) over the tenant's content. */
export function SearchView({ initial }: { initial: string }) {
  const { api } = useConsole();
  const [query, setQuery] = useState(initial);
  const [submitted, setSubmitted] = useState(initial);
  const [hits, setHits] = useState<SearchHit[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    if (submitted.trim() === '') return;
    let current = true;
    setHits(undefined);
    api
      .search(submitted.trim())
      .then((result) => {
        if (!current) return;
        setHits(result.hits);
        setError(undefined);
      })
      .catch((caught: ApiError) => current && setError(caught));
    return () => {
      current = false;
    };
  }, [api, submitted]);
  return (
    <>
      <h1 tabIndex={-1}>Search</h1>
      <form
        class="search-form"
        onSubmit={(event) => {
          event.preventDefault();
          setSubmitted(query);
          history.replaceState(null, '', `${href('search')}?${new URLSearchParams({ q: query })}`);
        }}
      >
        <label for="search-query">Search the tenant's files, tables and columns</label>
        <div class="search-row">
          <input
            id="search-query"
            type="search"
            value={query}
            onInput={(event) => setQuery((event.target as HTMLInputElement).value)}
          />
          <button type="submit" class="primary">
            Search
          </button>
        </div>
      </form>
      {error && (
        <p class="error-text" role="alert">
          <code>{error.code}</code> {error.message}
        </p>
      )}
      {submitted.trim() !== '' && hits === undefined && !error && <p class="muted">Searching…</p>}
      {hits && (
        <section aria-label="Results" aria-live="polite">
          <p class="muted">
            {hits.length === 0 ? 'Nothing found.' : `${hits.length} result${hits.length === 1 ? '' : 's'}, best first.`}
          </p>
          <ol class="hits" data-testid="search-results">
            {hits.map((hit) => {
              const { file, where } = describe(hit);
              return (
                <li key={`${hit.contentId}:${hit.kind}:${String(hit.ref)}`} class="hit">
                  <div class="hit-head">
                    {hit.file?.journeyId ? (
                      <a href={href('journeys', hit.file.journeyId)} class="hit-file">
                        {file}
                      </a>
                    ) : (
                      <span class="hit-file">{file}</span>
                    )}
                    {where && <span class="hit-where">{where}</span>}
                    <span class="tag">{KIND_LABELS[hit.kind] ?? hit.kind}</span>
                    <span class="muted">found by {hit.foundBy.join(' and ')}</span>
                  </div>
                  {hit.text && <p class="hit-text">{hit.text}</p>}
                </li>
              );
            })}
          </ol>
        </section>
      )}
    </>
  );
}
