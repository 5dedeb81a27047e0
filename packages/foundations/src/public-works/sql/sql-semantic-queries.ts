import type { EmbeddingRecord } from '../ports/semantic-store.js';

// SQL text of SqlSemanticStore built from a request: values always go to `params`, never into
// the text.

/** `and ...` clauses for the optional search filters, their values appended to `params`. */
export function filterClauses(
  params: unknown[],
  options: { contentId?: string; kind?: string; model?: string; metadata?: Record<string, string | number | boolean> },
): string {
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(`and ${sql.replace('?', `$${params.length}`)}`);
  };
  if (options.contentId !== undefined) add('content_id = ?', options.contentId);
  if (options.kind !== undefined) add('kind = ?', options.kind);
  if (options.model !== undefined) add('model = ?', options.model);
  if (options.metadata && Object.keys(options.metadata).length > 0)
    add('metadata @> ?::jsonb', JSON.stringify(options.metadata));
  return clauses.join(' ');
}

/** One statement upserting a batch of a content's embeddings, all of `dimensions`. */
export function upsertEmbeddingsQuery(
  tenantId: string,
  contentId: string,
  dimensions: number,
  batch: readonly EmbeddingRecord[],
): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = batch.map((embedding) => {
    values.push(
      tenantId,
      contentId,
      embedding.id,
      embedding.kind,
      embedding.ref,
      embedding.text ?? null,
      embedding.model,
      dimensions,
      JSON.stringify(embedding.vector),
      JSON.stringify(embedding.metadata),
    );
    const base = values.length - 10;
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}, $${base + 7}, $${base + 8}, $${base + 9}::vector, $${base + 10}::jsonb)`;
  });
  const sql = `insert into platform_embeddings (tenant_id, content_id, id, kind, ref, text, model, dimensions, embedding, metadata)
             values ${tuples.join(', ')}
             on conflict (tenant_id, content_id, id) do update set kind = excluded.kind, ref = excluded.ref, text = excluded.text,
               model = excluded.model, dimensions = excluded.dimensions, embedding = excluded.embedding, metadata = excluded.metadata`;
  return { sql, values };
}
