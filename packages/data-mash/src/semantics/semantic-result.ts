import { createHash } from 'node:crypto';
import { type GraphEdge, type GraphNode, type NewEmbeddingRecord, PlatformError } from '@platform/foundations';
import type { Embedder, PiiRedactor, PiiType } from '@platform/smart-city';
import type { ParseResult } from '../content/parse-content.js';
import { describeColumn } from './describe.js';
import { type FoundEntity, findEntities } from './entities.js';
import { inferPhysicalType, type PhysicalTypeInference, physicalTypeOfProfile } from './physical-types.js';
import { inferSemanticType, type SemanticTypeInference } from './semantic-types.js';

export type { Embedder } from '@platform/smart-city';

/** What semantic processing inferred about one column. */
export interface ColumnSemantics {
  table: string;
  column: string;
  physical: PhysicalTypeInference;
  semantic: SemanticTypeInference;
  /** A sentence saying what the column holds; embedded as the column's meaning. */
  meaning: string;
}

type NodeInput = Pick<GraphNode, 'id' | 'kind' | 'label'> & { properties?: Record<string, unknown> };
type EdgeInput = Pick<GraphEdge, 'from' | 'to' | 'relation'> & { properties?: Record<string, unknown> };

/** The Content Pillar's semantic output for one file: ready for the SemanticStore as it is. */
export interface SemanticResult {
  content: {
    contentId: string;
    fileId: string;
    /** `structured`, `unstructured`, or `mixed` (tables and text). */
    kind: 'structured' | 'unstructured' | 'mixed';
    title?: string;
    metadata: Record<string, unknown>;
  };
  columns: ColumnSemantics[];
  /** Entities found in the text chunks, by chunk index. */
  entities: Array<FoundEntity & { chunk: number }>;
  /** Per column: its name and type, its meaning and its sample values; per chunk: its text. */
  embeddings: NewEmbeddingRecord[];
  /** file -> tables -> columns -> semantic types; file -> chunks -> entities. */
  graph: { nodes: NodeInput[]; edges: EdgeInput[] };
  embedder: { model: string; dimensions: number };
}

/** Options of {@link processSemantics}. */
export interface SemanticOptions {
  fileId: string;
  /** Defaults to the file id: one file, one content. */
  contentId?: string;
  fileName?: string;
  embedder: Embedder;
  /** Texts per `embed` call. Default 64. */
  batchSize?: number;
  /** Sample values joined into a column's sample embedding. Default 20. */
  sampleValuesEmbedded?: number;
  /**
   * Personal data: the columns that hold it (by table name, then column) and the redactor that
   * replaces it in every embedded text, entity and label. Types are still inferred from the
   * values as they are; nothing of them is kept. Default: texts as they are.
   */
  pii?: { redactor: PiiRedactor; columns: ReadonlyMap<string, Readonly<Record<string, PiiType>>> };
}

const shortId = (text: string) =>
  text.length <= 120 ? text : createHash('sha256').update(text).digest('hex').slice(0, 32);

/**
 * Infers each column's physical and semantic type from the parse samples, finds entities in the
 * text chunks, embeds (through the given `Embedder`) each column's name and type, meaning
 * and samples and each chunk, and builds the content graph. Ids are derived from the content id
 * and positions, so processing the same file again replaces rather than duplicates.
 */
export async function processSemantics(parse: ParseResult, options: SemanticOptions): Promise<SemanticResult> {
  const contentId = options.contentId ?? options.fileId;
  const tables = parse.structured?.tables ?? [];
  const chunks = parse.unstructured?.chunks ?? [];
  const kind = tables.length > 0 && chunks.length > 0 ? 'mixed' : tables.length > 0 ? 'structured' : 'unstructured';
  const fileNode = `file:${shortId(options.fileId)}`;
  const nodes: NodeInput[] = [
    { id: fileNode, kind: 'file', label: options.fileName ?? options.fileId, properties: { format: parse.format } },
  ];
  const edges: EdgeInput[] = [];
  const columns: ColumnSemantics[] = [];
  const toEmbed: Array<Omit<NewEmbeddingRecord, 'vector' | 'model'> & { text: string }> = [];
  const typeNodes = new Set<string>();
  const redactValue = (value: string, kind?: PiiType) => options.pii?.redactor.value(value, kind) ?? value;
  const redactText = (text: string) => options.pii?.redactor.text(text) ?? text;

  tables.forEach((table, tableIndex) => {
    const tableNode = `${contentId}:table:${tableIndex + 1}`;
    nodes.push({
      id: tableNode,
      kind: 'table',
      label: clip(table.name, 1000),
      properties: { rows: table.rowCount, rowsKey: table.rowsKey },
    });
    edges.push({ from: fileNode, to: tableNode, relation: 'has_table' });
    const piiColumns = options.pii?.columns.get(table.name) ?? {};
    table.columns.forEach((column, columnIndex) => {
      const samples = table.samples[column] ?? [];
      const pii = piiColumns[column];
      // One type decision per column: the profile's when the table was profiled while parsed.
      const profiled = table.profile?.insights.columns[columnIndex];
      const physical = profiled ? physicalTypeOfProfile(profiled) : inferPhysicalType(samples, column);
      const semantic = inferSemanticType(column, samples, physical);
      const meaning = describeColumn(column, physical, semantic);
      columns.push({ table: table.name, column, physical, semantic, meaning });
      const columnNode = `${tableNode}:column:${columnIndex + 1}`;
      nodes.push({
        id: columnNode,
        kind: 'column',
        label: clip(column, 1000),
        properties: { physicalType: physical.type, share: physical.share, ...(pii ? { pii } : {}) },
      });
      edges.push({ from: tableNode, to: columnNode, relation: 'has_column' });
      // Semantic type nodes belong to the content, so deleting one file never orphans another's edges.
      const typeNode = `${contentId}:semantic_type:${semantic.type}`;
      if (!typeNodes.has(typeNode)) {
        typeNodes.add(typeNode);
        nodes.push({ id: typeNode, kind: 'semantic_type', label: semantic.type });
      }
      edges.push({
        from: columnNode,
        to: typeNode,
        relation: 'has_semantic_type',
        properties: { confidence: semantic.confidence },
      });
      const metadata = {
        table: table.name,
        column,
        physical_type: physical.type,
        semantic_type: semantic.type,
        ...(pii ? { pii } : {}),
      };
      const id = `${contentId}:t${tableIndex + 1}:c${columnIndex + 1}`;
      const ref = `${table.name}.${column}`.slice(0, 500);
      toEmbed.push({
        id: `${id}:name`,
        kind: 'column_name',
        ref,
        text: `${clip(column, 1000)} (${physical.type})`,
        metadata,
      });
      toEmbed.push({ id: `${id}:meaning`, kind: 'column_meaning', ref, text: clip(meaning, 10_000), metadata });
      if (samples.length > 0) {
        const text = samples
          .slice(0, options.sampleValuesEmbedded ?? 20)
          .map((value) => redactValue(value, pii))
          .join(', ')
          .slice(0, 2000);
        toEmbed.push({ id: `${id}:samples`, kind: 'column_samples', ref, text, metadata });
      }
    });
  });

  const entities: SemanticResult['entities'] = [];
  const entityNodes = new Set<string>();
  for (const chunk of chunks) {
    const chunkNode = `${contentId}:chunk:${chunk.index}`;
    nodes.push({
      id: chunkNode,
      kind: 'chunk',
      label: `chunk ${chunk.index + 1}`,
      properties: { start: chunk.start, end: chunk.end },
    });
    edges.push({ from: fileNode, to: chunkNode, relation: 'has_chunk' });
    const metadata: Record<string, string | number> = { start: chunk.start, end: chunk.end };
    if (chunk.pageStart !== undefined) metadata.page = chunk.pageStart;
    if (chunk.section && chunk.section.length > 0)
      metadata.section = redactText(chunk.section.join(' > ')).slice(0, 500);
    toEmbed.push({
      id: `${contentId}:chunk:${chunk.index}`,
      kind: 'chunk',
      ref: String(chunk.index),
      text: redactText(chunk.text).slice(0, 10_000),
      metadata,
    });
    // Entities are found in the text as written; what is kept of them is their redacted text.
    for (const found of findEntities(chunk.text)) {
      const entity = { ...found, text: redactText(found.text) };
      entities.push({ ...entity, chunk: chunk.index });
      const value = entity.text.toLowerCase();
      const entityNode = `${contentId}:entity:${entity.type}:${shortId(value)}`;
      if (!entityNodes.has(entityNode)) {
        entityNodes.add(entityNode);
        nodes.push({
          id: entityNode,
          kind: 'entity',
          label: entity.text.slice(0, 1000),
          properties: { type: entity.type },
        });
      }
      edges.push({ from: chunkNode, to: entityNode, relation: 'mentions' });
    }
  }

  const vectors = await embedAll(
    options.embedder,
    toEmbed.map((entry) => entry.text),
    options.batchSize ?? 64,
  );
  const embeddings: NewEmbeddingRecord[] = toEmbed.map((entry, index) => ({
    ...entry,
    vector: vectors[index] as number[],
    model: options.embedder.model,
  }));
  const title = parse.unstructured?.title === undefined ? undefined : redactText(parse.unstructured.title);
  return {
    content: {
      contentId,
      fileId: options.fileId,
      kind,
      ...(title ? { title } : {}),
      metadata: {
        format: parse.format,
        fileName: options.fileName ?? null,
        tables: tables.map((table) => ({ name: table.name, rows: table.rowCount, columns: table.columns.length })),
        characters: parse.unstructured?.characters ?? 0,
        chunks: chunks.length,
      },
    },
    columns,
    entities,
    embeddings,
    graph: { nodes, edges: dedupeEdges(edges) },
    embedder: { model: options.embedder.model, dimensions: options.embedder.dimensions },
  };
}

async function embedAll(embedder: Embedder, texts: readonly string[], batchSize: number): Promise<number[][]> {
  const vectors: number[][] = [];
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = texts.slice(start, start + batchSize);
    const result = await embedder.embed(batch);
    if (result.length !== batch.length || result.some((vector) => vector.length !== embedder.dimensions)) {
      throw new PlatformError(
        'CONTRACT_VIOLATION',
        `embedder '${embedder.model}' returned ${result.length} vectors for ${batch.length} texts, or vectors not of ${embedder.dimensions} dimensions`,
        { details: { model: embedder.model, expectedDimensions: embedder.dimensions } },
      );
    }
    vectors.push(...result);
  }
  return vectors;
}

function dedupeEdges(edges: EdgeInput[]): EdgeInput[] {
  const seen = new Set<string>();
  return edges.filter((edge) => {
    const key = `${edge.from}\u0000${edge.relation}\u0000${edge.to}`;
    return !seen.has(key) && seen.add(key);
  });
}

// Names come from files: a header can be as long as a line. Labels and texts the semantic store
// limits are cut, with an ellipsis saying so.
function clip(text: string, most: number): string {
  return text.length <= most ? text : `${text.slice(0, most - 1)}…`;
}
