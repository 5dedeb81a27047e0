import { z } from 'zod';
import { CONTENT_FORMATS } from '../content/formats.js';
import { defineHandoffContract } from './handoff-contract.js';

const Id = z.string().min(1).max(200);
const BlobKey = z.string().min(1).max(1024);
const TraceId = z.string().regex(/^[0-9a-f]{32}$/, 'expected a W3C trace id (32 lower-case hex digits)');
const Count = z.number().int().nonnegative();

/** Phase 1 -> 2: the Content Steward validated and stored the file. */
export const FileUploaded = defineHandoffContract(
  'file_uploaded',
  1,
  z
    .object({
      fileId: Id.describe('the Content Steward file record'),
      validationStatus: z.enum(['valid', 'quarantined', 'duplicate']),
      storageLocation: BlobKey.describe('BlobStore key of the original bytes'),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      fileName: z.string().min(1).max(255),
      sizeBytes: Count,
      traceId: TraceId,
    })
    .strict(),
);

/** Phase 2 -> 3: the Content Pillar parsed the file and processed it semantically. */
export const FileParsed = defineHandoffContract(
  'file_parsed',
  1,
  z
    .object({
      fileId: Id,
      parseResult: z
        .object({
          format: z.enum(CONTENT_FORMATS),
          tables: z.array(
            z
              .object({ name: z.string().max(1000), columns: z.array(z.string()), rowCount: Count, rowsKey: BlobKey })
              .strict(),
          ),
          text: z.object({ textKey: BlobKey, characters: Count, chunks: Count }).strict().optional(),
          warnings: Count.describe('warnings in the parse report'),
        })
        .strict(),
      semanticResult: z
        .object({
          resultKey: BlobKey.describe('BlobStore key of the full semantic result (embeddings, graph) as JSON'),
          contentId: Id,
          columns: z.array(
            z
              .object({
                table: z.string(),
                column: z.string(),
                physicalType: z.string(),
                semanticType: z.string(),
                confidence: z.number().min(0).max(1),
              })
              .strict(),
          ),
          embeddings: Count,
          graph: z.object({ nodes: Count, edges: Count }).strict(),
          embedder: z.object({ model: z.string().min(1), dimensions: z.number().int().positive() }).strict(),
        })
        .strict(),
      traceId: TraceId,
    })
    .strict(),
);

/**
 * Phase 3 -> 4, version 1 (journeys stored before version 2 hold it): the content's id only, the
 * Insights Pillar finding the parse result through the content record. Read as version 2.
 */
export const SemanticProcessedV1 = defineHandoffContract(
  'semantic_processed',
  1,
  z
    .object({
      contentId: Id,
      storageStatus: z.enum(['stored', 'unchanged']),
      traceId: TraceId,
    })
    .strict(),
);

const SemanticProcessedSchema = z
  .object({
    contentId: Id.describe('the content record in the semantic layer'),
    fileId: Id.describe('the file the content was parsed from'),
    parseKey: BlobKey.describe('BlobStore key of the parse result (tables, text) the Insights Pillar profiles'),
    storageStatus: z.enum(['stored', 'unchanged']),
    traceId: TraceId,
  })
  .strict();

/** Phase 3 -> 4: the semantic layer stored content, embeddings and graph; what the Insights Pillar reads. */
export const SemanticProcessed = defineHandoffContract('semantic_processed', 2, SemanticProcessedSchema, {
  upgrades: [
    {
      from: SemanticProcessedV1,
      // Version 1 was only ever produced by the Content Pillar, whose content id is the file id and
      // whose parse result is at `parsed/<fileId>/parse.json` (`parsedKeys`).
      upgrade: (value) => {
        const { contentId, storageStatus, traceId } = value as z.output<typeof SemanticProcessedV1.schema>;
        return { contentId, fileId: contentId, parseKey: `parsed/${contentId}/parse.json`, storageStatus, traceId };
      },
    },
  ],
});

/** Phase 4 out: the Insights Pillar profiled the content. */
export const InsightsGenerated = defineHandoffContract(
  'insights_generated',
  1,
  z
    .object({
      insightsResult: z
        .object({
          resultKey: BlobKey.describe('BlobStore key of the full insights result (figures and summary) as JSON'),
          tables: Count,
          summary: z.array(z.string()).describe('the summary sentences, in order'),
        })
        .strict(),
      traceId: TraceId,
    })
    .strict(),
);

/** The four handoffs of the data mash flow, in order. */
export const DATA_MASH_CONTRACTS = [FileUploaded, FileParsed, SemanticProcessed, InsightsGenerated] as const;
