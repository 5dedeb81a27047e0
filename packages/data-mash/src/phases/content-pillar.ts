import {
  type BlobStore,
  BlobStoreRef,
  defineService,
  defineServiceRef,
  type MetadataStore,
  MetadataStoreRef,
} from '@platform/foundations';
import {
  DataStewardRef,
  type Embedder,
  type PiiType,
  RealmServiceBase,
  type RealmServiceDeps,
  type VerifiedUserContext,
} from '@platform/smart-city';
import type { z } from 'zod';
import { type ParseContentOptions, parseContent } from '../content/parse-content.js';
import { HashingEmbedder } from '../embedding/hashing-embedder.js';
import { FileParsed, FileUploaded } from '../flow/contracts.js';
import type { TableProfilerOptions } from '../insights/table-profiler.js';
import type { MilestoneContext } from '../journeys/journey-orchestrator.js';
import { processSemantics } from '../semantics/semantic-result.js';
import type { FileUploadedOutput } from './file-intake.js';
import { checkFlowPolicy, classifyParsed, enforceFlowPolicies, governs } from './governance.js';
import {
  lineageFieldName,
  lineageNamespace,
  lineageQuality,
  type PhaseLineageRun,
  sameNameColumnLineage,
  withPhaseLineage,
} from './lineage.js';
import { DATA_MASH_REALM, type PhaseServiceOptions, realmDeps, realmServiceDeps } from './phase-service.js';
import { flowPiiRedactor, protectParse } from './pii-protection.js';
import { putJson, putJsonForHandoff } from './stored-json.js';

/** The output of the business enablement phase (`file_parsed@1`). */
export type FileParsedOutput = z.output<typeof FileParsed.schema>;

/** Options of the Content Pillar service. */
export interface ContentPillarOptions extends PhaseServiceOptions {
  /** Default: the offline {@link HashingEmbedder}. Use the same embedder as the Librarian so search finds the chunks. */
  embedder?: Embedder;
  /** Format, chunking and limits of parsing. */
  parse?: ParseContentOptions;
  /**
   * The profiler options tables are profiled with while they are parsed (unless `parse.profile`
   * says otherwise, `false` turning it off). Give the Insights Pillar the same options: with
   * others it reads the stored rows back to profile them itself. Default: the profiler's defaults.
   */
  profiler?: TableProfilerOptions;
}

/** The parser name recorded on parsed-file records: one record per file and parser version. */
export const CONTENT_PILLAR_PARSER = 'data-mash.content-pillar@1';

/** Where the Content Pillar keeps a file's parse result and semantic result. */
export function parsedKeys(fileId: string) {
  return {
    parse: `parsed/${fileId}/parse.json`,
    semantic: `parsed/${fileId}/semantic.json`,
    insights: `parsed/${fileId}/insights.json`,
  };
}

/**
 * The business enablement phase: parses the stored file (tables to JSON Lines copies, text to
 * chunks), processes it semantically (column types, embeddings, entities, graph), keeps both
 * results in the BlobStore next to the parsed copies, records the parsed file, and links it to
 * the file in the lineage. Every write is keyed by the file id: running it again overwrites.
 */
export class ContentPillar extends RealmServiceBase<
  RealmServiceDeps & {
    blobs: BlobStore;
    metadata: MetadataStore;
    options: ContentPillarOptions;
    embedder: Embedder;
  }
> {
  readonly realm = DATA_MASH_REALM;

  /**
   * Checks, at start, the platform policy the flow is configured to ask and a PII treatment given
   * for every tenant (`CONFIG_INVALID` naming what is wrong).
   */
  initialize(): void {
    const governance = this.deps.options.governance;
    if (governance?.platformPolicy)
      checkFlowPolicy(this.getSmartCityApi(DataStewardRef), governance.platformPolicy, 'platform');
    if (governance?.pii && typeof governance.pii !== 'function') flowPiiRedactor(governance.pii, 'platform');
  }

  /**
   * `content.parse_file`: the uploaded file (checked against `file_uploaded@1` by the journey) as
   * the verified caller.
   */
  async parseFile(
    uploaded: FileUploadedOutput,
    user: VerifiedUserContext,
    context?: MilestoneContext,
  ): Promise<FileParsedOutput> {
    const namespace = lineageNamespace(user.tenantId);
    return withPhaseLineage(
      this.getSmartCityApi(DataStewardRef),
      this.deps.metadata,
      {
        tenantId: user.tenantId,
        job: 'data_mash.parse_file',
        context,
        inputs: [{ namespace, name: uploaded.storageLocation }],
        outputs: [{ namespace, name: parsedKeys(uploaded.fileId).parse }],
      },
      (lineage) => this.#parseFile(user, uploaded, lineage, context),
    );
  }

  async #parseFile(
    user: { tenantId: string; roles: readonly string[] },
    uploaded: FileUploadedOutput,
    lineage: PhaseLineageRun,
    context: MilestoneContext | undefined,
  ): Promise<FileParsedOutput> {
    const { tenantId } = user;
    const file = { 'file.id': uploaded.fileId };
    // Governance: asked before the parsed content is stored, and (with what the tables hold)
    // before it is embedded; a denial fails the phase and nothing further is stored.
    const governance = this.deps.options.governance;
    const steward = this.getSmartCityApi(DataStewardRef);
    const ask = (action: 'store_parsed' | 'embed', pii: readonly PiiType[]) =>
      enforceFlowPolicies(steward, governance, {
        tenantId,
        action,
        subject: context ? { kind: 'journey', id: context.journeyId } : { kind: 'file', id: uploaded.fileId },
        roles: user.roles,
        pii,
      });
    // A treatment that is not one fails before anything is read or stored.
    const redactor = flowPiiRedactor(governance?.pii, tenantId);
    if (governs(governance, tenantId)) await ask('store_parsed', []);
    const parse = await this.withSpan(
      'content_pillar.parse',
      { ...file, 'file.size': uploaded.sizeBytes },
      async (span) => {
        const body = await this.deps.blobs.getStream(tenantId, uploaded.storageLocation);
        // Tables are profiled on the way: the Insights Pillar then does not read them back.
        const options = this.deps.options.parse ?? {};
        const result = await parseContent(
          { tenantId, fileId: uploaded.fileId, fileName: uploaded.fileName, body, blobStore: this.deps.blobs },
          { ...options, profile: options.profile ?? this.deps.options.profiler ?? {} },
        );
        // Shapes and counts only: cell values and text stay out of traces.
        const tables = result.structured?.tables ?? [];
        span.setAttributes({
          'content.format': result.format,
          'content.tables': tables.length,
          'content.rows': tables.reduce((sum, table) => sum + table.rowCount, 0),
          'content.characters': result.unstructured?.characters ?? 0,
          'content.chunks': result.unstructured?.chunks.length ?? 0,
          'content.warnings': result.report.warnings.length,
        });
        return result;
      },
    );
    // Personal data: every column and chunk classified (kinds and counts recorded, never values),
    // then kept out of everything derived from the file as the tenant's treatment says.
    const classified = await this.withSpan('content_pillar.classify', file, async (span) => {
      const result = await classifyParsed(steward, tenantId, uploaded.fileId, parse);
      span.setAttribute('content.pii', result.pii.join(','));
      return result;
    });
    if (governs(governance, tenantId)) await ask('embed', classified.pii);
    const semantic = await this.withSpan('content_pillar.process_semantics', file, async (span) => {
      const result = await processSemantics(parse, {
        fileId: uploaded.fileId,
        fileName: uploaded.fileName,
        embedder: this.deps.embedder,
        pii: { redactor, columns: classified.tables },
      });
      span.setAttributes({
        'content.id': result.content.contentId,
        'semantic.columns': result.columns.length,
        'semantic.embeddings': result.embeddings.length,
        'semantic.entities': result.entities.length,
        'semantic.graph.nodes': result.graph.nodes.length,
        'semantic.graph.edges': result.graph.edges.length,
      });
      return result;
    });
    const keys = parsedKeys(uploaded.fileId);
    await putJson(this.deps.blobs, tenantId, keys.parse, protectParse(parse, classified.tables, redactor));
    await putJsonForHandoff(this.deps.blobs, tenantId, keys.semantic, semantic);
    const tables = parse.structured?.tables ?? [];
    const parsed = await this.deps.metadata.putParsedFile({
      tenantId,
      fileId: uploaded.fileId,
      format: parse.format,
      parser: CONTENT_PILLAR_PARSER,
      storageKey: keys.parse,
      ...(tables.length > 0 ? { rowCount: tables.reduce((sum, table) => sum + table.rowCount, 0) } : {}),
      ...(tables.length === 1
        ? {
            columns: semantic.columns.map((column) => ({ name: column.column, type: column.semantic.type })),
          }
        : {}),
      ...(parse.unstructured ? { chunkCount: parse.unstructured.chunks.length } : {}),
      report: { warnings: parse.report.warnings.length, droppedWarnings: parse.report.droppedWarnings },
    });
    // Lineage: the file's columns (names and types, counts from the profile made while parsing)
    // to the parsed copy's, one to one.
    const namespace = lineageNamespace(tenantId);
    const fields = semantic.columns.map((column) => ({
      name: lineageFieldName(column.table, column.column, tables.length),
      type: column.physical.type,
    }));
    const profiled = tables.flatMap((table) =>
      table.profile ? [{ name: table.name, insights: table.profile.insights }] : [],
    );
    const fileDataset = {
      namespace,
      name: uploaded.storageLocation,
      fields,
      ...(profiled.length === tables.length && tables.length > 0 ? { quality: lineageQuality(profiled) } : {}),
    };
    await lineage.complete({
      link: {
        relation: 'parsed_from',
        input: { kind: 'file', id: uploaded.fileId },
        output: { kind: 'parsed_file', id: parsed.id },
      },
      inputs: [fileDataset],
      outputs: [{ namespace, name: keys.parse, fields, columnLineage: sameNameColumnLineage(fields, fileDataset) }],
    });
    this.logOperation('content_pillar.parse_file', true, {
      fileId: uploaded.fileId,
      format: parse.format,
      tables: tables.length,
      warnings: parse.report.warnings.length,
    });
    return FileParsed.check(
      {
        fileId: uploaded.fileId,
        parseResult: {
          format: parse.format,
          tables: tables.map((table) => ({
            name: table.name,
            columns: table.columns,
            rowCount: table.rowCount,
            rowsKey: table.rowsKey,
          })),
          ...(parse.unstructured
            ? {
                text: {
                  textKey: parse.unstructured.textKey,
                  characters: parse.unstructured.characters,
                  chunks: parse.unstructured.chunks.length,
                },
              }
            : {}),
          warnings: parse.report.warnings.length,
        },
        semanticResult: {
          resultKey: keys.semantic,
          contentId: semantic.content.contentId,
          columns: semantic.columns.map((column) => ({
            table: column.table,
            column: column.column,
            physicalType: column.physical.type,
            semanticType: column.semantic.type,
            confidence: column.semantic.confidence,
          })),
          embeddings: semantic.embeddings.length,
          graph: { nodes: semantic.graph.nodes.length, edges: semantic.graph.edges.length },
          embedder: semantic.embedder,
        },
        traceId: uploaded.traceId,
      },
      'producer',
    );
  }
}

/** The Content Pillar service. */
export const ContentPillarRef = defineServiceRef<ContentPillar>({ id: 'data-mash.content-pillar', tier: 'realm' });

/** Defines the Content Pillar service (business enablement phase). */
export function contentPillar(options: ContentPillarOptions = {}) {
  const embedder = options.embedder ?? new HashingEmbedder();
  return defineService({
    ref: ContentPillarRef,
    deps: realmDeps(options, { blobs: BlobStoreRef, metadata: MetadataStoreRef }),
    factory: (deps, context) => new ContentPillar({ ...realmServiceDeps(options, deps, context), options, embedder }),
    description: {
      description: 'Data mash business enablement phase: parse, then process semantically',
      realm: DATA_MASH_REALM,
      tags: ['data-mash'],
      capabilities: [
        {
          name: 'content.parse_file',
          description: 'Parse a stored file and process it semantically',
          input: FileUploaded.schema,
          output: FileParsed.schema,
        },
      ],
    },
  });
}
