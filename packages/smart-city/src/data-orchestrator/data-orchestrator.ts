import {
  defineService,
  defineServiceRef,
  PlatformError,
  type SerializedPlatformError,
  serializeError,
} from '@platform/foundations';
import { continueTrace } from '@platform/observability';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import { ContentStewardRef, type IncomingFile, type ProcessedFile } from '../content-steward/content-steward.js';
import type { ColumnClassification } from '../data-steward/classification.js';
import { DataStewardRef } from '../data-steward/data-steward.js';
import type { QualityResult, QualityRule } from '../data-steward/quality.js';
import type { DetectedType } from '../file-formats/registry.js';
import { decodeTextContent } from '../file-formats/sniff-content.js';
import { LibrarianRef } from '../librarian/librarian.js';

/** What a file yields for governance and indexing: table rows, plain text, or both. */
export interface ExtractedContent {
  rows?: ReadonlyArray<Record<string, unknown>>;
  text?: string;
}

/** Turns a stored file into rows and/or text (the data mash plugs its parsers in here). */
export type ContentExtractor = (file: {
  bytes: Uint8Array;
  name: string;
  detectedType: DetectedType;
}) => Promise<ExtractedContent>;

/** Options of the Data Orchestrator. */
export interface DataOrchestratorOptions {
  /**
   * Default: text-like files (text, JSON, HTML) as text, no rows, decoded as the data mash's
   * parsers decode (a byte order mark's encoding, else UTF-8, else Windows-1252).
   */
  extract?: ContentExtractor;
  /** Quality rules checked on extracted rows. */
  qualityRules?: readonly QualityRule[];
  /** Largest chunk of text indexed, in characters. Default 1,000. */
  chunkSize?: number;
}

/** The results of each step that ran. */
export interface OrchestrationResults {
  content?: ProcessedFile;
  governance?: { classification?: ColumnClassification[]; quality?: QualityResult[]; lineageRunId: string };
  library?: { contentId: string; chunks: number };
}

/** What {@link DataOrchestrator.processFile} answers: never throws, always carries the trace id. */
export type OrchestrationEnvelope =
  | { success: true; traceId: string; results: OrchestrationResults }
  | {
      success: false;
      traceId: string;
      results: OrchestrationResults;
      error: SerializedPlatformError;
      failedStep: 'content' | 'governance' | 'library';
    };

const TEXT_TYPES: readonly DetectedType[] = ['text', 'json', 'html'];

const defaultExtract: ContentExtractor = async ({ bytes, detectedType }) =>
  TEXT_TYPES.includes(detectedType) ? { text: decodeTextContent(bytes).text } : {};

/** Paragraphs of `text`, merged up to `size` characters, long paragraphs cut at sentence ends where possible. */
export function chunkText(text: string, size: number): Array<{ ref: string; text: string }> {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current) chunks.push(current);
    current = '';
  };
  for (const paragraph of paragraphs) {
    let rest = paragraph;
    while (rest.length > size) {
      const cut = rest.lastIndexOf('. ', size);
      const at = cut > size / 2 ? cut + 1 : size;
      flush();
      chunks.push(rest.slice(0, at).trim());
      rest = rest.slice(at).trim();
    }
    if (current && current.length + rest.length + 2 > size) flush();
    current = current ? `${current}\n\n${rest}` : rest;
  }
  flush();
  return chunks.map((chunk, index) => ({ ref: String(index), text: chunk }));
}

/**
 * Data Orchestrator: one file through Content Steward (validate, store), Data Steward (lineage,
 * classification and quality of extracted rows) and Librarian (index extracted text), in one
 * trace; on failure it answers with the results of the steps that completed.
 */
export class DataOrchestrator extends SmartCityRoleBase<RoleDeps & { options: DataOrchestratorOptions }> {
  async processFile(
    userContext: unknown,
    file: IncomingFile,
    request: { headers?: Record<string, string | undefined>; traceId?: string } = {},
  ): Promise<OrchestrationEnvelope> {
    return continueTrace(request, (traceId) =>
      this.withSpan('data_orchestrator.process_file', undefined, async () => {
        const results: OrchestrationResults = {};
        let step: 'content' | 'governance' | 'library' = 'content';
        let lineageRunId: string | undefined;
        try {
          const user = this.requireUserContext(userContext);
          const content = await this.getSmartCityApi(ContentStewardRef).processClientFile(user, file);
          results.content = content;
          if (content.validationStatus === 'quarantined') {
            throw new PlatformError('FILE_QUARANTINED', `the file was quarantined: ${content.reason}`, {
              details: { fileId: content.fileId, reason: content.reason },
            });
          }

          step = 'governance';
          const steward = this.getSmartCityApi(DataStewardRef);
          const subject = { kind: 'file', id: content.fileId };
          const dataset = { namespace: `platform/${user.tenantId}`, name: content.storageLocation };
          const started = await steward.emitLineage(user.tenantId, {
            eventType: 'START',
            job: 'smart_city.process_file',
            inputs: [dataset],
          });
          lineageRunId = started.run.runId;
          const { stream } = await this.getSmartCityApi(ContentStewardRef).readFile(user, content.fileId);
          const chunks: Buffer[] = [];
          for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
          const extracted = await (this.deps.options.extract ?? defaultExtract)({
            bytes: Buffer.concat(chunks),
            name: file.name,
            detectedType: content.detectedType,
          });
          const governance: OrchestrationResults['governance'] = { lineageRunId };
          if (extracted.rows) {
            governance.classification = await steward.classifyInternal(user.tenantId, subject, extracted.rows);
            if (this.deps.options.qualityRules?.length) {
              governance.quality = await steward.checkQualityInternal(
                user.tenantId,
                subject,
                extracted.rows,
                this.deps.options.qualityRules,
              );
            }
          }
          results.governance = governance;

          step = 'library';
          if (extracted.text) {
            const contentId = `content-${content.fileId}`;
            results.library = await this.getSmartCityApi(LibrarianRef).indexContent({
              tenantId: user.tenantId,
              contentId,
              fileId: content.fileId,
              title: file.name,
              chunks: chunkText(extracted.text, this.deps.options.chunkSize ?? 1000),
            });
          }
          await steward.emitLineage(user.tenantId, {
            eventType: 'COMPLETE',
            runId: started.run.runId,
            job: 'smart_city.process_file',
            inputs: [dataset],
            outputs: results.library ? [{ namespace: dataset.namespace, name: results.library.contentId }] : [],
          });
          return { success: true as const, traceId: traceId, results };
        } catch (error) {
          this.auditError(error, { operation: 'data_orchestrator.process_file', details: { step } });
          if (lineageRunId) {
            // The run's FAIL event is best effort: the caller's error matters more than lineage.
            await this.getSmartCityApi(DataStewardRef)
              .emitLineage(this.requireUserContext(userContext).tenantId, {
                eventType: 'FAIL',
                runId: lineageRunId,
                job: 'smart_city.process_file',
              })
              .catch(() => undefined);
          }
          return {
            success: false as const,
            traceId: traceId,
            results,
            error: serializeError(error),
            failedStep: step,
          };
        }
      }),
    );
  }
}

/** The Data Orchestrator role. */
export const DataOrchestratorRef = defineServiceRef<DataOrchestrator>({
  id: 'smart-city.data-orchestrator',
  tier: 'smart-city',
});

/** Defines the Data Orchestrator service (it uses Content Steward, Data Steward and Librarian at run time). */
export function dataOrchestrator(options: DataOrchestratorOptions = {}) {
  return defineService({
    ref: DataOrchestratorRef,
    factory: (_deps, context) => new DataOrchestrator({ ...context, options }),
    description: {
      description: 'One file through Content Steward, Data Steward and Librarian',
      tags: ['orchestration'],
    },
  });
}
