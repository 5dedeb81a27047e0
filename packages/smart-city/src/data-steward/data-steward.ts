import {
  type AuditVerification,
  appendGovernanceBatch,
  defineService,
  defineServiceRef,
  ErrorCode,
  type FileRecord,
  type GovernanceRecord,
  type MetadataStore,
  MetadataStoreRef,
  type NewGovernanceRecord,
  PlatformError,
  type RecordRef,
  type VerifyAuditOptions,
  verifyAudit,
} from '@platform/foundations';
import { currentTraceId } from '@platform/observability';
import { type RoleDeps, SmartCityRoleBase } from '../bases/smart-city-role-base.js';
import type { UserContext } from '../user-context/user-context.js';
import { type ColumnClassification, classifyColumns, type PiiType } from './classification.js';
import {
  type LineageDataset,
  type LineageRunDetails,
  type LineageSink,
  lineageEventRecord,
  type OpenLineageRunEvent,
  runEvent,
} from './lineage.js';
import { findPiiInText } from './pii-text.js';
import { definePolicy, evaluatePolicy, type GovernancePolicy, type PolicyDecision } from './policy.js';
import { checkQuality, type QualityResult, type QualityRule } from './quality.js';

/** Options of the Data Steward. */
export interface DataStewardOptions {
  /** Policies by id; the latest version given wins. */
  policies?: readonly GovernancePolicy[];
  /**
   * Where lineage events go. Default: `lineage_event` governance records in the metadata store
   * (`metadataLineageSink`). `httpLineageSink(url)` posts them to an OpenLineage endpoint such as
   * Marquez's `/api/v1/lineage`. A sink that throws fails the emitting call.
   */
  lineageSink?: LineageSink;
  /** Share of a column's values that must match a personal-data kind to classify it. Default 0.8. */
  piiThreshold?: number;
}

/** A retention rule: files older than `maxAgeDays` (optionally only of some statuses) are due. */
export interface RetentionRule {
  maxAgeDays: number;
  statuses?: ReadonlyArray<FileRecord['status']>;
}

type Rows = ReadonlyArray<Record<string, unknown>>;

/** The personal data found in texts: the kinds, and the counts of each in each text that has any. */
export interface TextClassification {
  pii: PiiType[];
  /** Texts with personal data, by their index in the texts given. */
  texts: Array<{ index: number; pii: Partial<Record<PiiType, number>> }>;
  examined: number;
}

/**
 * Data Steward: governance. Versioned policies evaluated with a decision log, quality rules with
 * pass rates and failed-row samples, column classification with PII detection, OpenLineage run
 * events to a pluggable sink, retention rules, and a compliance audit trail. Client methods take
 * a user context (and are audited); internal methods take a tenant id and run as the platform.
 */
export class DataSteward extends SmartCityRoleBase<
  RoleDeps & { metadata: MetadataStore; options: DataStewardOptions }
> {
  constructor(deps: RoleDeps & { metadata: MetadataStore; options: DataStewardOptions }) {
    super(deps);
    // A policy is checked when the steward is made, not when a flow first asks it: a typo in a
    // rule must stop the platform's start, naming the policy, rather than fail every flow later.
    for (const [index, policy] of (deps.options.policies ?? []).entries()) {
      try {
        definePolicy(policy);
      } catch (error) {
        throw new PlatformError(
          ErrorCode.CONFIG_INVALID,
          `data steward: policy '${String(policy?.id ?? `#${index + 1}`)}' (version ${String(policy?.version)}) is invalid: ${(error as Error).message}`,
          { details: { policy: policy?.id, version: policy?.version }, cause: error },
        );
      }
    }
  }

  /** The latest version of a policy given to the steward, or `undefined`. */
  policy(id: string): GovernancePolicy | undefined {
    return this.#policy(id);
  }

  #policy(id: string): GovernancePolicy | undefined {
    return (this.deps.options.policies ?? [])
      .filter((policy) => policy.id === id)
      .sort((a, b) => b.version - a.version)[0];
  }

  async #record(
    tenantId: string,
    kind: string,
    subject: RecordRef,
    data: Record<string, unknown>,
  ): Promise<GovernanceRecord> {
    const traceId = currentTraceId();
    return this.deps.metadata.appendGovernanceRecord({
      tenantId,
      kind,
      subject,
      data,
      ...(traceId ? { traceId } : {}),
    });
  }

  async #audit(user: UserContext, operation: string, subject: RecordRef): Promise<void> {
    await this.#record(user.tenantId, 'audit', subject, { operation, userId: user.userId });
  }

  // --- internal track -------------------------------------------------------------------------

  /**
   * Evaluates a policy and records the decision (`policy_decision`: policy, version, rule, action
   * and the inputs) against the subject.
   */
  async decideInternal(
    tenantId: string,
    subject: RecordRef,
    policyId: string,
    request: { action: string; roles?: readonly string[]; pii?: readonly PiiType[]; dataClass?: 'client' | 'platform' },
  ): Promise<PolicyDecision> {
    const policy = this.#policy(policyId);
    const decision: PolicyDecision = policy
      ? evaluatePolicy(policy, {
          action: request.action,
          roles: request.roles ?? [],
          pii: request.pii ?? [],
          dataClass: request.dataClass ?? 'client',
        })
      : { allowed: false, policy: policyId, version: 0, rule: 'unknown_policy' };
    // The decision with what it was asked (the inputs), so that it can be replayed and explained.
    await this.#record(tenantId, 'policy_decision', subject, {
      ...decision,
      action: request.action,
      inputs: {
        roles: [...(request.roles ?? [])],
        pii: [...(request.pii ?? [])],
        dataClass: request.dataClass ?? 'client',
      },
    });
    this.logOperation('data_steward.decide', decision.allowed, { policy: decision.policy, rule: decision.rule });
    return decision;
  }

  /** Runs quality rules on rows and records the results (`quality_check`). */
  async checkQualityInternal(
    tenantId: string,
    subject: RecordRef,
    rows: Rows,
    rules: readonly QualityRule[],
  ): Promise<QualityResult[]> {
    return this.withSpan('data_steward.check_quality', { rules: rules.length, rows: rows.length }, async () => {
      const results = checkQuality(rows, rules);
      await this.#record(tenantId, 'quality_check', subject, {
        results: results.map(({ failedSamples, ...rest }) => ({ ...rest, failedSamples: failedSamples.length })),
      });
      return results;
    });
  }

  /**
   * Classifies columns (personal data, client or platform data) and records it
   * (`classification`, with `scope`, e.g. the table's name, when given). The record holds the
   * columns' kinds and shares, never a value.
   */
  async classifyInternal(
    tenantId: string,
    subject: RecordRef,
    rows: Rows,
    scope?: { table?: string },
  ): Promise<ColumnClassification[]> {
    return this.withSpan('data_steward.classify', { rows: rows.length }, async () => {
      const columns = classifyColumns(rows, this.deps.options.piiThreshold ?? 0.8);
      await this.#record(tenantId, 'classification', subject, {
        ...(scope?.table !== undefined ? { table: scope.table } : {}),
        columns,
      });
      return columns;
    });
  }

  /**
   * Finds the personal data in texts (chunks of a document; {@link findPiiInText}) and records
   * how much of each kind each text holds (`classification` with `texts`): counts, never a value.
   */
  async classifyTextInternal(
    tenantId: string,
    subject: RecordRef,
    texts: readonly string[],
  ): Promise<TextClassification> {
    return this.withSpan('data_steward.classify_text', { texts: texts.length }, async () => {
      const parts: TextClassification['texts'] = [];
      texts.forEach((text, index) => {
        const counts: Partial<Record<PiiType, number>> = {};
        for (const match of findPiiInText(text)) counts[match.kind] = (counts[match.kind] ?? 0) + 1;
        if (Object.keys(counts).length > 0) parts.push({ index, pii: counts });
      });
      const pii = [...new Set(parts.flatMap((part) => Object.keys(part.pii) as PiiType[]))].sort();
      await this.#record(tenantId, 'classification', subject, { texts: parts, examined: texts.length, pii });
      return { pii, texts: parts, examined: texts.length };
    });
  }

  /**
   * Emits an OpenLineage run event for a job of the tenant (namespace `platform/<tenantId>`) to
   * the lineage sink: datasets with their `schema`, `dataQualityMetrics` and `columnLineage`
   * facets, and the run's `parent`, `errorMessage` (FAIL, ABORT) and `processing_engine` facets
   * when given. Names, types and counts only: no value of the data goes into an event.
   *
   * `records.before` and `records.after` are governance records of the tenant that belong with
   * the event (a caller's own ledger of its runs, say), appended just before and just after it.
   * With the default sink, the event's own record and these are appended in one call
   * (`appendGovernanceBatch`: one transaction where the store has them); with another sink,
   * `before`, the sink, then `after`.
   * @throws {PlatformError} `VALIDATION_FAILED` for a record of another tenant.
   */
  async emitLineage(
    tenantId: string,
    event: {
      eventType: OpenLineageRunEvent['eventType'];
      runId?: string;
      job: string;
      inputs?: readonly LineageDataset[];
      outputs?: readonly LineageDataset[];
      eventTime?: Date;
    } & LineageRunDetails,
    records: { before?: readonly NewGovernanceRecord[]; after?: readonly NewGovernanceRecord[] } = {},
  ): Promise<OpenLineageRunEvent> {
    const { job, ...rest } = event;
    const lineage = runEvent({ ...rest, job: { namespace: `platform/${tenantId}`, name: job } });
    const before = records.before ?? [];
    const after = records.after ?? [];
    if ([...before, ...after].some((record) => record.tenantId !== tenantId)) {
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'records kept with a lineage event must be of its tenant', {
        details: { field: 'records', tenantId },
      });
    }
    const sink = this.deps.options.lineageSink;
    if (!sink) {
      await appendGovernanceBatch(this.deps.metadata, [...before, lineageEventRecord(lineage, tenantId), ...after]);
      return lineage;
    }
    if (before.length > 0) await appendGovernanceBatch(this.deps.metadata, before);
    await sink(lineage, tenantId);
    if (after.length > 0) await appendGovernanceBatch(this.deps.metadata, after);
    return lineage;
  }

  /** Files of the tenant that a retention rule says are due, oldest first. */
  async retentionDue(tenantId: string, rule: RetentionRule, now = new Date()): Promise<FileRecord[]> {
    const cutoff = now.getTime() - rule.maxAgeDays * 86_400_000;
    const due: FileRecord[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.metadata.listFiles(tenantId, { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const file of page.items) {
        if (
          file.createdAt.getTime() < cutoff &&
          file.status !== 'deleted' &&
          (!rule.statuses || rule.statuses.includes(file.status))
        )
          due.push(file);
      }
      cursor = page.nextCursor;
    } while (cursor);
    return due.reverse();
  }

  // --- client track ---------------------------------------------------------------------------

  /** Client track of {@link decideInternal}: the user's roles count; the call is audited. */
  async decide(
    userContext: unknown,
    subject: RecordRef,
    policyId: string,
    request: { action: string; pii?: readonly PiiType[]; dataClass?: 'client' | 'platform' },
  ) {
    const user = this.requireUserContext(userContext);
    await this.#audit(user, 'decide', subject);
    return this.decideInternal(user.tenantId, subject, policyId, { ...request, roles: user.roles });
  }

  /** Client track of {@link checkQualityInternal}. */
  async checkQuality(userContext: unknown, subject: RecordRef, rows: Rows, rules: readonly QualityRule[]) {
    const user = this.requireUserContext(userContext);
    await this.#audit(user, 'check_quality', subject);
    return this.checkQualityInternal(user.tenantId, subject, rows, rules);
  }

  /** Client track of {@link classifyInternal}. */
  async classify(userContext: unknown, subject: RecordRef, rows: Rows) {
    const user = this.requireUserContext(userContext);
    await this.#audit(user, 'classify', subject);
    return this.classifyInternal(user.tenantId, subject, rows);
  }

  /** The compliance trail of the user's tenant (optionally of one subject), oldest first. */
  async auditTrail(
    userContext: unknown,
    options: { subject?: RecordRef; kind?: string; limit?: number; cursor?: string } = {},
  ) {
    const user = this.requireUserContext(userContext);
    return this.deps.metadata.listGovernanceRecords(user.tenantId, options);
  }

  /**
   * Checks the tenant's governance and audit records are as appended: every record's hash and
   * its link to the previous one (`verifyAudit` of `@platform/foundations`). Pass the `head` of an
   * earlier result as `expectedHead` to also catch records removed from the end.
   */
  async verifyAuditInternal(tenantId: string, options: VerifyAuditOptions = {}): Promise<AuditVerification> {
    return this.withSpan('data_steward.verify_audit', {}, () => verifyAudit(this.deps.metadata, tenantId, options));
  }

  /** Client track of {@link verifyAuditInternal}, for the user's tenant: needs `audit:read`; the call is audited. */
  async verifyAudit(userContext: unknown, options: VerifyAuditOptions = {}): Promise<AuditVerification> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'audit:read', { tenantId: user.tenantId });
    await this.#audit(user, 'verify_audit', { kind: 'tenant', id: user.tenantId });
    return this.verifyAuditInternal(user.tenantId, options);
  }
}

/** The Data Steward role. */
export const DataStewardRef = defineServiceRef<DataSteward>({ id: 'smart-city.data-steward', tier: 'smart-city' });

/** Defines the Data Steward service on the platform's metadata store. */
export function dataSteward(options: DataStewardOptions = {}) {
  return defineService({
    ref: DataStewardRef,
    deps: { metadata: MetadataStoreRef },
    factory: ({ metadata }, context) => new DataSteward({ ...context, metadata, options }),
    description: {
      description: 'Governance: policies, quality, classification, lineage, retention, audit',
      tags: ['governance'],
    },
  });
}
