import {
  defineService,
  defineServiceRef,
  ErrorCode,
  PlatformError,
  type SemanticSearchResult,
  type SemanticStore,
  SemanticStoreRef,
} from '@platform/foundations';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';

/**
 * The embedder port: turns texts into vectors, `embed(texts)` giving one vector of `dimensions`
 * numbers a text, made by the model named `model`. One type for the data mash (which embeds what
 * it stores) and the Librarian (which embeds queries), so that both embed alike. `data-mash`
 * ships an offline default (`HashingEmbedder`); a hosted model (OpenAI, Vertex, a local server)
 * is a small class with the same three members.
 */
export interface Embedder {
  readonly model: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<number[][]>;
}

/** @deprecated The same port under its former name: use {@link Embedder}. */
export type TextEmbedder = Embedder;

/** Content to index: its chunks of text, each with a stable reference (e.g. its position). */
export interface IndexRequest {
  tenantId: string;
  contentId: string;
  fileId?: string;
  kind?: string;
  title?: string;
  chunks: ReadonlyArray<{ ref: string; text: string }>;
}

/** How to search: keywords, meaning, or both fused. */
export type SearchMode = 'text' | 'vector' | 'hybrid';

/** One search hit. */
export interface LibraryHit extends SemanticSearchResult {
  /** Which searches found it (both, for a hybrid hit found by keywords and by meaning). */
  foundBy: Array<'text' | 'vector'>;
}

/** Reciprocal rank fusion constant (Cormack et al.): damps the weight of top ranks. */
export const RRF_K = 60;

/**
 * Librarian: indexes content chunks with their embeddings in the semantic store, and searches
 * them by keywords, by vector similarity, or hybrid (reciprocal rank fusion of both lists:
 * score = Σ 1 / (60 + rank)). Every search is filtered by the caller's tenant.
 */
export class Librarian extends SmartCityRoleBase<RoleDeps & { semantic: SemanticStore; embedder: Embedder }> {
  /** Internal track: indexes (or re-indexes, idempotently) the chunks of one content. */
  async indexContent(request: IndexRequest): Promise<{ contentId: string; chunks: number }> {
    return this.withSpan(
      'librarian.index',
      { 'content.id': request.contentId, chunks: request.chunks.length },
      async () => {
        if (request.chunks.length > 100_000) {
          throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'at most 100,000 chunks per content', {
            details: { field: 'chunks' },
          });
        }
        await this.deps.semantic.upsertContent({
          tenantId: request.tenantId,
          contentId: request.contentId,
          kind: request.kind ?? 'unstructured',
          ...(request.fileId ? { fileId: request.fileId } : {}),
          ...(request.title ? { title: request.title } : {}),
        });
        for (let start = 0; start < request.chunks.length; start += 64) {
          const batch = request.chunks.slice(start, start + 64);
          const vectors = await this.deps.embedder.embed(batch.map((chunk) => chunk.text));
          await this.deps.semantic.upsertEmbeddings(
            request.tenantId,
            request.contentId,
            batch.map((chunk, index) => ({
              id: `chunk:${chunk.ref}`,
              kind: 'chunk',
              ref: chunk.ref,
              text: chunk.text,
              vector: vectors[index] as number[],
              model: this.deps.embedder.model,
            })),
          );
        }
        this.logOperation('librarian.index', true, { contentId: request.contentId, chunks: request.chunks.length });
        return { contentId: request.contentId, chunks: request.chunks.length };
      },
    );
  }

  /**
   * Client track: searches the caller's tenant. By default the indexed text chunks only; `kind`
   * names another kind of embedding (e.g. `column_meaning`), or `'*'` for every kind.
   */
  async search(
    userContext: unknown,
    query: string,
    options: { mode?: SearchMode; limit?: number; contentId?: string; kind?: string } = {},
  ): Promise<LibraryHit[]> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'content:read');
    const mode = options.mode ?? 'hybrid';
    const limit = options.limit ?? 10;
    const kind = options.kind ?? 'chunk';
    return this.withSpan('librarian.search', { 'search.mode': mode }, async () => {
      const filter = {
        ...(options.contentId ? { contentId: options.contentId } : {}),
        ...(kind === '*' ? {} : { kind }),
      };
      const byText =
        mode === 'vector'
          ? []
          : await this.deps.semantic.searchText(user.tenantId, query, {
              limit: mode === 'hybrid' ? 50 : limit,
              ...filter,
            });
      let byVector: SemanticSearchResult[] = [];
      if (mode !== 'text') {
        const [vector] = await this.deps.embedder.embed([query]);
        if (vector?.some((value) => value !== 0)) {
          byVector = await this.deps.semantic.search(user.tenantId, vector, {
            limit: mode === 'hybrid' ? 50 : limit,
            model: this.deps.embedder.model,
            ...filter,
          });
        }
      }
      if (mode === 'text') return byText.map((hit) => ({ ...hit, foundBy: ['text' as const] }));
      if (mode === 'vector') return byVector.map((hit) => ({ ...hit, foundBy: ['vector' as const] }));
      const fused = new Map<string, LibraryHit>();
      for (const [source, list] of [
        ['text', byText],
        ['vector', byVector],
      ] as const) {
        list.forEach((hit, rank) => {
          const key = `${hit.contentId}\u0000${hit.id}`;
          const entry = fused.get(key) ?? { ...hit, score: 0, foundBy: [] };
          entry.score += 1 / (RRF_K + rank + 1);
          entry.foundBy.push(source);
          fused.set(key, entry);
        });
      }
      return [...fused.values()].sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, limit);
    });
  }
}

/** The Librarian role. */
export const LibrarianRef = defineServiceRef<Librarian>({ id: 'smart-city.librarian', tier: 'smart-city' });

/** Defines the Librarian service on the platform's semantic store, with the given embedder. */
export function librarian(options: { embedder: Embedder }) {
  return defineService({
    ref: LibrarianRef,
    deps: { semantic: SemanticStoreRef },
    factory: ({ semantic }, context) => new Librarian({ ...context, semantic, embedder: options.embedder }),
    description: { description: 'Indexing and full-text, vector and hybrid search over content', tags: ['search'] },
  });
}
