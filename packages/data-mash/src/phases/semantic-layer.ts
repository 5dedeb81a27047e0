import {
  type BlobStore,
  BlobStoreRef,
  defineService,
  defineServiceRef,
  type MetadataStore,
  MetadataStoreRef,
  type SemanticStore,
  SemanticStoreRef,
} from '@platform/foundations';
import type { SpanFunction } from '@platform/observability';
import {
  DataStewardRef,
  RealmServiceBase,
  type RealmServiceDeps,
  type VerifiedUserContext,
} from '@platform/smart-city';
import type { z } from 'zod';
import { FileParsed, SemanticProcessed } from '../flow/contracts.js';
import type { MilestoneContext } from '../journeys/journey-orchestrator.js';
import type { SemanticResult } from '../semantics/semantic-result.js';
import { CONTENT_PILLAR_PARSER, type FileParsedOutput, parsedKeys } from './content-pillar.js';
import { enforceFlowPolicies, governs, piiOfFile } from './governance.js';
import {
  lineageFieldName,
  lineageNamespace,
  type PhaseLineageRun,
  sameNameColumnLineage,
  withPhaseLineage,
} from './lineage.js';
import { DATA_MASH_REALM, type PhaseServiceOptions, realmDeps, realmServiceDeps } from './phase-service.js';
import { takeJson } from './stored-json.js';

/** The output of the semantic layer phase (`semantic_processed@2`). */
export type SemanticProcessedOutput = z.output<typeof SemanticProcessed.schema>;

type Span = Parameters<SpanFunction<unknown>>[0];

/** Embeddings written per call: bounded statements, whatever the file's size. */
const EMBEDDING_BATCH = 500;

/**
 * The semantic layer phase: stores the semantic result the Content Pillar kept (content record,
 * embeddings, graph) in the SemanticStore. Everything is an upsert by id, and the content record
 * is written again last with the digest of what was stored: a phase that finds the same digest
 * answers `unchanged` without writing, one interrupted midway writes everything again.
 */
export class SemanticLayer extends RealmServiceBase<
  RealmServiceDeps & {
    blobs: BlobStore;
    metadata: MetadataStore;
    semantic: SemanticStore;
    options?: PhaseServiceOptions;
  }
> {
  readonly realm = DATA_MASH_REALM;

  /** `semantic.store_content`: the parsed file (checked against `file_parsed@1` by the journey) as the verified caller. */
  async storeContent(
    parsed: FileParsedOutput,
    user: VerifiedUserContext,
    context?: MilestoneContext,
  ): Promise<SemanticProcessedOutput> {
    const { tenantId } = user;
    // Governance: asked before anything is indexed in the semantic store, with what the file holds.
    const governance = this.deps.options?.governance;
    if (governs(governance, tenantId)) {
      await enforceFlowPolicies(this.getSmartCityApi(DataStewardRef), governance, {
        tenantId,
        action: 'index',
        subject: context ? { kind: 'journey', id: context.journeyId } : { kind: 'file', id: parsed.fileId },
        roles: user.roles,
        pii: await piiOfFile(this.deps.metadata, tenantId, parsed.fileId),
      });
    }
    // Lineage: the parsed copy's columns (physical types) to the content's (semantic types), one to one.
    const namespace = lineageNamespace(tenantId);
    const { tables } = parsed.parseResult;
    const field = (column: (typeof parsed.semanticResult.columns)[number]) =>
      lineageFieldName(column.table, column.column, tables.length);
    const source = {
      namespace,
      name: parsedKeys(parsed.fileId).parse,
      fields: parsed.semanticResult.columns.map((column) => ({ name: field(column), type: column.physicalType })),
    };
    const fields = parsed.semanticResult.columns.map((column) => ({ name: field(column), type: column.semanticType }));
    return withPhaseLineage(
      this.getSmartCityApi(DataStewardRef),
      this.deps.metadata,
      {
        tenantId,
        job: 'data_mash.store_content',
        context,
        inputs: [source],
        outputs: [
          {
            namespace,
            name: `semantic/${parsed.semanticResult.contentId}`,
            fields,
            columnLineage: sameNameColumnLineage(fields, source),
          },
        ],
      },
      (lineage) =>
        this.withSpan('semantic_layer.store_content', { 'file.id': parsed.fileId }, (span) =>
          this.#store(tenantId, parsed, context, span, lineage),
        ),
    );
  }

  async #store(
    tenantId: string,
    parsed: FileParsedOutput,
    context: MilestoneContext | undefined,
    span: Span,
    lineage: PhaseLineageRun,
  ): Promise<SemanticProcessedOutput> {
    // In hand when the Content Pillar ran in this process; read from its blob when resumed elsewhere.
    const semantic = await takeJson<SemanticResult>(this.deps.blobs, tenantId, parsed.semanticResult.resultKey);
    const { value: result, sha256: digest } = semantic;
    const { contentId } = result.content;
    // Counts only: the embedded texts and graph labels stay out of traces.
    span.setAttributes({
      'content.id': contentId,
      'semantic.bytes': semantic.bytes,
      'semantic.in_hand': semantic.fromHand,
      'semantic.embeddings': result.embeddings.length,
      'semantic.graph.nodes': result.graph.nodes.length,
      'semantic.graph.edges': result.graph.edges.length,
    });
    // Only a milestone that ran before (or a direct call) may find its own earlier output.
    const existing =
      (context?.retry ?? true)
        ? await this.deps.semantic.getContent(tenantId, contentId).catch((error: { code?: string }) => {
            if (error.code === 'NOT_FOUND') return undefined;
            throw error;
          })
        : undefined;
    const unchanged = existing?.metadata.semanticDigest === digest;
    // What the Insights Pillar reads, handed on in the contract.
    const keys = parsedKeys(parsed.fileId);
    const handedOn = { fileId: parsed.fileId, parseKey: keys.parse };
    span.setAttribute('semantic.storage_status', unchanged ? 'unchanged' : 'stored');
    if (unchanged) {
      return SemanticProcessed.check(
        { contentId, ...handedOn, storageStatus: 'unchanged', traceId: parsed.traceId },
        'producer',
      );
    }
    const record = {
      tenantId,
      contentId,
      fileId: result.content.fileId,
      kind: result.content.kind,
      ...(result.content.title ? { title: result.content.title } : {}),
      metadata: { ...result.content.metadata, parseKey: keys.parse, semanticKey: parsed.semanticResult.resultKey },
    };
    await this.deps.semantic.upsertContent(record);
    for (let start = 0; start < result.embeddings.length; start += EMBEDDING_BATCH) {
      await this.deps.semantic.upsertEmbeddings(
        tenantId,
        contentId,
        result.embeddings.slice(start, start + EMBEDDING_BATCH),
      );
    }
    await this.deps.semantic.upsertGraph(tenantId, contentId, result.graph);
    await this.deps.semantic.upsertContent({ ...record, metadata: { ...record.metadata, semanticDigest: digest } });
    const [parsedFile] = (await this.deps.metadata.listParsedFiles(tenantId, parsed.fileId)).filter(
      (entry) => entry.parser === CONTENT_PILLAR_PARSER,
    );
    await lineage.complete({
      link: {
        relation: 'derived_from',
        input: parsedFile ? { kind: 'parsed_file', id: parsedFile.id } : { kind: 'file', id: parsed.fileId },
        output: { kind: 'content', id: contentId },
      },
    });
    this.logOperation('semantic_layer.store_content', true, {
      contentId,
      embeddings: result.embeddings.length,
      nodes: result.graph.nodes.length,
    });
    return SemanticProcessed.check(
      { contentId, ...handedOn, storageStatus: 'stored', traceId: parsed.traceId },
      'producer',
    );
  }
}

/** The semantic layer service. */
export const SemanticLayerRef = defineServiceRef<SemanticLayer>({ id: 'data-mash.semantic-layer', tier: 'realm' });

/** Defines the semantic layer service (stores content, embeddings and graph). */
export function semanticLayer(options: PhaseServiceOptions = {}) {
  return defineService({
    ref: SemanticLayerRef,
    deps: realmDeps(options, { blobs: BlobStoreRef, metadata: MetadataStoreRef, semantic: SemanticStoreRef }),
    factory: (deps, context) => new SemanticLayer({ ...realmServiceDeps(options, deps, context), options }),
    description: {
      description: 'Data mash semantic layer phase: content, embeddings and graph into the SemanticStore',
      realm: DATA_MASH_REALM,
      tags: ['data-mash'],
      capabilities: [
        {
          name: 'semantic.store_content',
          description: 'Store a parsed file’s semantic result in the semantic layer',
          input: FileParsed.schema,
          output: SemanticProcessed.schema,
        },
      ],
    },
  });
}
