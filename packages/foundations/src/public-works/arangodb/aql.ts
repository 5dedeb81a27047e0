import { createHash } from 'node:crypto';
import type { SemanticSearchOptions } from '../ports/semantic-store.js';

/** An AQL query with its bind parameters. Values are always bound, never written into the text. */
export interface AqlQuery {
  query: string;
  bindVars: Record<string, unknown>;
}

/** The collections of one store, by role. */
export interface Collections {
  contents: string;
  embeddings: string;
  nodes: string;
  edges: string;
  correlations: string;
}

/** Collection names with a prefix (letters, digits, underscores): `<prefix>contents`, ... */
export function collectionsOf(prefix: string): Collections {
  return {
    contents: `${prefix}contents`,
    embeddings: `${prefix}embeddings`,
    nodes: `${prefix}graph_nodes`,
    edges: `${prefix}graph_edges`,
    correlations: `${prefix}correlation_maps`,
  };
}

/**
 * A document key from its identifying parts: the sha256 of the parts, each prefixed by its length
 * (so no two lists of parts collide), so any id, whatever its characters or length, gives a
 * valid, fixed-length `_key`, and the tenant is part of every key.
 */
export function documentKey(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${Buffer.byteLength(part)}:${part}`);
  return hash.digest('hex');
}

/** `FILTER` clauses for the optional search filters, with their bind parameters added to `bindVars`. */
function searchFilters(
  options: Pick<SemanticSearchOptions, 'contentId' | 'kind' | 'model' | 'metadata'>,
  bindVars: Record<string, unknown>,
): string {
  const clauses: string[] = [];
  if (options.contentId !== undefined) {
    bindVars.contentId = options.contentId;
    clauses.push('doc.contentId == @contentId');
  }
  if (options.kind !== undefined) {
    bindVars.kind = options.kind;
    clauses.push('doc.kind == @kind');
  }
  if (options.model !== undefined) {
    bindVars.model = options.model;
    clauses.push('doc.model == @model');
  }
  Object.entries(options.metadata ?? {}).forEach(([key, value], index) => {
    bindVars[`metaKey${index}`] = key;
    bindVars[`metaValue${index}`] = value;
    clauses.push(`doc.metadata[@metaKey${index}] == @metaValue${index}`);
  });
  return clauses.map((clause) => `  FILTER ${clause}\n`).join('');
}

const HIT = `{ contentId: doc.contentId, id: doc.id, kind: doc.kind, ref: doc.ref, text: doc.text,
    model: doc.model, metadata: doc.metadata, score }`;

/** Exact cosine search over the tenant's embeddings of the query's dimension, best first. */
export function vectorSearchQuery(
  collections: Collections,
  tenantId: string,
  vector: readonly number[],
  limit: number,
  options: SemanticSearchOptions = {},
): AqlQuery {
  const bindVars: Record<string, unknown> = {
    '@embeddings': collections.embeddings,
    tenantId,
    dimensions: vector.length,
    vector,
    limit,
  };
  const filters = searchFilters(options, bindVars);
  return {
    query: `FOR doc IN @@embeddings
  FILTER doc.tenantId == @tenantId AND doc.dimensions == @dimensions
${filters}  LET score = COSINE_SIMILARITY(doc.vector, @vector)
  SORT score DESC, doc.id ASC
  LIMIT @limit
  RETURN ${HIT}`,
    bindVars,
  };
}

/**
 * Approximate cosine search through ArangoDB's vector index (3.12.6+: the `FILTER`s between `FOR`
 * and `SORT` are applied during the index lookup, so the tenant filter is a pre-filter). No
 * secondary sort key and no dimension filter: the index holds one dimension, and anything but
 * `SORT <similarity> DESC LIMIT` keeps the optimizer from using it. `nProbe` cells are searched,
 * so fewer than `limit` results can come back; the store then falls back to the exact query.
 */
export function approximateSearchQuery(
  collections: Collections,
  tenantId: string,
  vector: readonly number[],
  limit: number,
  nProbe: number,
  options: SemanticSearchOptions = {},
): AqlQuery {
  const bindVars: Record<string, unknown> = {
    '@embeddings': collections.embeddings,
    tenantId,
    vector,
    nProbe,
    limit,
  };
  const filters = searchFilters(options, bindVars);
  return {
    query: `FOR doc IN @@embeddings
  FILTER doc.tenantId == @tenantId
${filters}  LET score = APPROX_NEAR_COSINE(doc.vector, @vector, { nProbe: @nProbe })
  SORT score DESC
  LIMIT @limit
  RETURN ${HIT}`,
    bindVars,
  };
}

/**
 * Keyword search: every term must be one of the embedding's words (kept with it, lower-cased, as
 * `words()` splits them); score = occurrences of the terms / sqrt(word count), as the other stores.
 */
export function textSearchQuery(
  collections: Collections,
  tenantId: string,
  terms: readonly string[],
  limit: number,
  options: Omit<SemanticSearchOptions, 'model'> = {},
): AqlQuery {
  const bindVars: Record<string, unknown> = {
    '@embeddings': collections.embeddings,
    tenantId,
    terms,
    first: terms[0],
    limit,
  };
  const filters = searchFilters(options, bindVars);
  return {
    query: `FOR doc IN @@embeddings
  FILTER doc.tenantId == @tenantId AND @first IN doc.words
${filters}  LET counts = (FOR term IN @terms RETURN LENGTH(FOR word IN doc.words FILTER word == term RETURN 1))
  FILTER MIN(counts) > 0
  LET score = SUM(counts) / SQRT(LENGTH(doc.words))
  SORT score DESC, doc.id ASC
  LIMIT @limit
  RETURN ${HIT}`,
    bindVars,
  };
}

/** Inserts or replaces documents by `_key`; `keep` names fields an existing document keeps (e.g. `createdAt`). */
export function upsertQuery(collection: string, documents: readonly object[], keep: readonly string[] = []): AqlQuery {
  const bindVars: Record<string, unknown> = { '@collection': collection, documents };
  keep.forEach((field, index) => {
    bindVars[`keep${index}`] = field;
  });
  const kept = keep.map((_field, index) => `[@keep${index}]: OLD[@keep${index}]`).join(', ');
  return {
    query: `FOR doc IN @documents
  UPSERT { _key: doc._key } INSERT doc REPLACE ${kept ? `MERGE(doc, { ${kept} })` : 'doc'} IN @@collection
  RETURN NEW`,
    bindVars,
  };
}

/** The edges leaving any of `ids` (out: by `from`, in: by `to`), optionally of some relations: one level of a traversal. */
export function edgesAtQuery(
  collections: Collections,
  tenantId: string,
  ids: readonly string[],
  direction: 'out' | 'in' | 'both',
  relations?: readonly string[],
): AqlQuery {
  const sides = [direction !== 'in' ? 'doc.from IN @ids' : '', direction !== 'out' ? 'doc.to IN @ids' : '']
    .filter(Boolean)
    .join(' OR ');
  const bindVars: Record<string, unknown> = { '@edges': collections.edges, tenantId, ids };
  let relation = '';
  if (relations !== undefined) {
    bindVars.relations = relations;
    relation = '\n  FILTER doc.relation IN @relations';
  }
  return {
    query: `FOR doc IN @@edges
  FILTER doc.tenantId == @tenantId AND (${sides})${relation}
  RETURN { from: doc.from, to: doc.to, relation: doc.relation, properties: doc.properties }`,
    bindVars,
  };
}

/** Removes every document of a content from each of its collections (run inside one transaction). */
export function removeContentQueries(collections: Collections, tenantId: string, contentId: string): AqlQuery[] {
  return [collections.embeddings, collections.nodes, collections.edges, collections.correlations].map((name) => ({
    query: `FOR doc IN @@collection
  FILTER doc.tenantId == @tenantId AND doc.contentId == @contentId
  REMOVE doc IN @@collection`,
    bindVars: { '@collection': name, tenantId, contentId },
  }));
}
