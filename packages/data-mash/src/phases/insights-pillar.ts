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
import {
  DataStewardRef,
  RealmServiceBase,
  type RealmServiceDeps,
  type VerifiedUserContext,
} from '@platform/smart-city';
import type { z } from 'zod';
import { computeInsights } from '../content/content-insights.js';
import type { ParseResult } from '../content/parse-content.js';
import { InsightsGenerated, SemanticProcessed } from '../flow/contracts.js';
import type { TableProfilerOptions } from '../insights/table-profiler.js';
import type { MilestoneContext } from '../journeys/journey-orchestrator.js';
import { parsedKeys } from './content-pillar.js';
import {
  lineageFieldName,
  lineageNamespace,
  lineageQuality,
  type PhaseLineageRun,
  sameNameColumnLineage,
  withPhaseLineage,
} from './lineage.js';
import { DATA_MASH_REALM, type PhaseServiceOptions, realmDeps, realmServiceDeps } from './phase-service.js';
import { flowPiiRedactor, protectTableInsights } from './pii-protection.js';
import type { SemanticProcessedOutput } from './semantic-layer.js';
import { getJson, putJson } from './stored-json.js';

/** The output of the insights phase (`insights_generated@1`). */
export type InsightsGeneratedOutput = z.output<typeof InsightsGenerated.schema>;

/** Options of the Insights Pillar service. */
export interface InsightsPillarOptions extends PhaseServiceOptions {
  /** Limits of the profiler (exact-distinct limit, samples, correlations). */
  profiler?: TableProfilerOptions;
}

/**
 * The insights phase: reads the parse result the `semantic_processed` handoff names, profiles its
 * tables and text ({@link computeInsights}), keeps the result as JSON next to the parsed copies,
 * stores the correlations as the content's correlation map, and links the insights to the content
 * in the lineage.
 */
export class InsightsPillar extends RealmServiceBase<
  RealmServiceDeps & {
    blobs: BlobStore;
    metadata: MetadataStore;
    semantic: SemanticStore;
    options: InsightsPillarOptions;
  }
> {
  readonly realm = DATA_MASH_REALM;

  /**
   * `insights.generate`: the stored content (checked against `semantic_processed@2` by the
   * journey, which names the parse result to profile) as the verified caller.
   */
  async generate(
    processed: SemanticProcessedOutput,
    user: VerifiedUserContext,
    context?: MilestoneContext,
  ): Promise<InsightsGeneratedOutput> {
    const { tenantId } = user;
    // Checked before anything is read: a treatment that is not one is CONFIG_INVALID.
    flowPiiRedactor(this.deps.options.governance?.pii, tenantId);
    return withPhaseLineage(
      this.getSmartCityApi(DataStewardRef),
      this.deps.metadata,
      {
        tenantId,
        job: 'data_mash.generate_insights',
        context,
        inputs: [{ namespace: lineageNamespace(tenantId), name: `semantic/${processed.contentId}` }],
      },
      (lineage) => this.#generate(tenantId, processed, lineage),
    );
  }

  async #generate(
    tenantId: string,
    processed: SemanticProcessedOutput,
    lineage: PhaseLineageRun,
  ): Promise<InsightsGeneratedOutput> {
    // The handoff names the content, its file and the parse result to profile.
    const content = { contentId: processed.contentId, fileId: processed.fileId };
    const parse = await getJson<ParseResult>(this.deps.blobs, tenantId, processed.parseKey);
    const profiled = { 'content.id': content.contentId, 'file.id': content.fileId, 'content.format': parse.format };
    const insights = await this.withSpan('insights_pillar.profile', profiled, async (span) => {
      // Personal data stays out of the insights: the tables' columns of it as the Content Pillar
      // classified them, and what is found inside values and the text.
      const redactor = flowPiiRedactor(this.deps.options.governance?.pii, tenantId);
      const columns = new Map((parse.structured?.tables ?? []).map((table) => [table.name, table.pii ?? {}]));
      const result = await computeInsights({
        tenantId,
        blobStore: this.deps.blobs,
        parse,
        protectTable: (name, table) => protectTableInsights(table, columns.get(name) ?? {}, redactor),
        ...(this.deps.options.profiler ? { profiler: this.deps.options.profiler } : {}),
      });
      // Counts only: profiles hold sample values, which stay out of traces.
      span.setAttributes({
        'insights.tables': result.tables.length,
        'insights.rows': result.tables.reduce((sum, table) => sum + table.insights.rowCount, 0),
        'insights.columns': result.tables.reduce((sum, table) => sum + table.insights.columns.length, 0),
        'insights.words': result.text?.words ?? 0,
        'insights.statements': result.summary.length,
      });
      return result;
    });
    const resultKey = parsedKeys(content.fileId).insights;
    await putJson(this.deps.blobs, tenantId, resultKey, insights);
    await this.deps.semantic.putCorrelationMap(tenantId, content.contentId, {
      tables: insights.tables.map((table) => ({ name: table.name, correlations: table.insights.correlations })),
    });
    // Lineage: the content's columns (types and counts from the profiles) to their profiles in the insights.
    const namespace = lineageNamespace(tenantId);
    const columns = insights.tables.flatMap((table) =>
      table.insights.columns.map((column) => ({
        name: lineageFieldName(table.name, column.name, insights.tables.length),
        type: column.type,
      })),
    );
    const contentDataset = {
      namespace,
      name: `semantic/${content.contentId}`,
      fields: columns,
      ...(insights.tables.length > 0 ? { quality: lineageQuality(insights.tables) } : {}),
    };
    const profiles = columns.map((column) => ({ name: column.name, type: 'profile' }));
    await lineage.complete({
      link: {
        relation: 'derived_from',
        input: { kind: 'content', id: content.contentId },
        output: { kind: 'insights', id: content.contentId },
      },
      inputs: [contentDataset],
      outputs: [
        {
          namespace,
          name: resultKey,
          fields: profiles,
          columnLineage: sameNameColumnLineage(profiles, contentDataset, { type: 'DIRECT', subtype: 'AGGREGATION' }),
        },
      ],
    });
    this.logOperation('insights_pillar.generate', true, {
      contentId: content.contentId,
      tables: insights.tables.length,
      statements: insights.summary.length,
    });
    return InsightsGenerated.check(
      {
        insightsResult: {
          resultKey,
          tables: insights.tables.length,
          summary: insights.summary.map((statement) => statement.text),
        },
        traceId: processed.traceId,
      },
      'producer',
    );
  }
}

/** The Insights Pillar service. */
export const InsightsPillarRef = defineServiceRef<InsightsPillar>({ id: 'data-mash.insights-pillar', tier: 'realm' });

/** Defines the Insights Pillar service (insights phase). */
export function insightsPillar(options: InsightsPillarOptions = {}) {
  return defineService({
    ref: InsightsPillarRef,
    deps: realmDeps(options, { blobs: BlobStoreRef, metadata: MetadataStoreRef, semantic: SemanticStoreRef }),
    factory: (deps, context) => new InsightsPillar({ ...realmServiceDeps(options, deps, context), options }),
    description: {
      description: 'Data mash insights phase: profiles, correlations, outliers, keywords and a summary',
      realm: DATA_MASH_REALM,
      tags: ['data-mash'],
      capabilities: [
        {
          name: 'insights.generate',
          description: 'Profile stored content and summarise it',
          input: SemanticProcessed.schema,
          output: InsightsGenerated.schema,
        },
      ],
    },
  });
}
