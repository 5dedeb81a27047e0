import { type MetadataStore, PlatformError, type RecordRef } from '@platform/foundations';
import type { ColumnClassification, DataSteward, PiiType } from '@platform/smart-city';
import type { ParseResult } from '../content/parse-content.js';
import type { FlowPiiOptions, PiiColumns } from './pii-protection.js';

/**
 * The points of the flow where the Data Steward is asked before anything goes further: storing
 * the parsed content, embedding it, indexing it in the semantic store, producing a report, and
 * exporting the tables.
 */
export type FlowPolicyAction = 'store_parsed' | 'embed' | 'index' | 'report' | 'export';

/**
 * Which governance policies the data mash asks (the policies themselves are the Data Steward's:
 * `dataSteward({ policies })`, versioned, first matching rule decides). The platform's policy
 * (internal track) and a client's policy (client track, per tenant) are kept apart: both are
 * asked at every point, and either can deny. With neither, the flow asks nothing.
 */
export interface FlowGovernanceOptions {
  /** The platform's own policy id, asked for every tenant. */
  platformPolicy?: string;
  /** The client's policy id for a tenant (`undefined`: the tenant has none). */
  clientPolicy?: (tenantId: string) => string | undefined;
  /**
   * What becomes of personal data in samples, profiles, embeddings, the semantic store, insights
   * and reports: masked (the default), replaced by a keyed hash, or kept; for every tenant or per
   * tenant ({@link FlowPiiOptions}). The uploaded file and its parsed copy stay as they are.
   */
  pii?: FlowPiiOptions;
}

/** The actions the flow asks about; a policy the flow asks may name only these (or `*`). */
export const FLOW_POLICY_ACTIONS: readonly FlowPolicyAction[] = ['store_parsed', 'embed', 'index', 'report', 'export'];

/**
 * Checks that a policy the flow asks exists and names only actions the flow asks: a rule with a
 * misspelled action (`embedd`) would never match, and a deny rule would silently let data through.
 * @throws {PlatformError} `CONFIG_INVALID` naming the policy and the unknown actions.
 */
export function checkFlowPolicy(
  steward: Pick<DataSteward, 'policy'>,
  policyId: string,
  track: 'platform' | 'client',
): void {
  const policy = steward.policy(policyId);
  if (!policy) {
    throw new PlatformError(
      'CONFIG_INVALID',
      `the ${track} policy '${policyId}' the data mash asks is not one of the Data Steward's (dataSteward({ policies }))`,
      { details: { policy: policyId, track } },
    );
  }
  const known = new Set<string>([...FLOW_POLICY_ACTIONS, '*']);
  const unknown = [...new Set(policy.rules.flatMap((rule) => rule.actions.filter((action) => !known.has(action))))];
  if (unknown.length > 0) {
    throw new PlatformError(
      'CONFIG_INVALID',
      `the ${track} policy '${policyId}' names actions the data mash never asks: ${unknown.map((action) => `'${action}'`).join(', ')} (it asks ${FLOW_POLICY_ACTIONS.join(', ')})`,
      { details: { policy: policyId, track, unknownActions: unknown } },
    );
  }
}

/** What a decision is asked about: the action, the caller's roles and what the data holds. */
export interface FlowPolicyRequest {
  tenantId: string;
  action: FlowPolicyAction;
  /** Where the decision is recorded: the journey when there is one, else the file. */
  subject: RecordRef;
  roles: readonly string[];
  pii: readonly PiiType[];
}

/**
 * Asks every configured policy about `request`; each decision is recorded by the Data Steward
 * (`policy_decision`: policy, version, rule, action and the inputs) against the subject.
 * @throws {PlatformError} `POLICY_DENIED` naming the policy, its version and the deciding rule.
 */
export async function enforceFlowPolicies(
  steward: Pick<DataSteward, 'decideInternal' | 'policy'>,
  options: FlowGovernanceOptions | undefined,
  request: FlowPolicyRequest,
): Promise<void> {
  const policies = [
    ...(options?.platformPolicy ? [{ id: options.platformPolicy, track: 'platform' as const }] : []),
    ...((id) => (id ? [{ id, track: 'client' as const }] : []))(options?.clientPolicy?.(request.tenantId)),
  ];
  for (const policy of policies) {
    // A client's policy is known only when its tenant calls: checked then, failing closed.
    if (policy.track === 'client') checkFlowPolicy(steward, policy.id, 'client');
    const decision = await steward.decideInternal(request.tenantId, request.subject, policy.id, {
      action: request.action,
      roles: request.roles,
      pii: request.pii,
      dataClass: 'client',
    });
    if (!decision.allowed) {
      throw new PlatformError(
        'POLICY_DENIED',
        `the ${policy.track} policy '${decision.policy}' (version ${decision.version}) denies '${request.action}' (rule '${decision.rule}')`,
        {
          details: {
            policy: decision.policy,
            version: decision.version,
            rule: decision.rule,
            action: request.action,
            track: policy.track,
            pii: [...request.pii],
          },
        },
      );
    }
  }
}

/** True when the flow has any policy to ask. */
export function governs(options: FlowGovernanceOptions | undefined, tenantId: string): boolean {
  return Boolean(options?.platformPolicy || options?.clientPolicy?.(tenantId));
}

// The values kept of a table while it was parsed, by column: its uniform sample of each column,
// and the profile's first rows and top values. Enough to tell a column of e-mail addresses or
// card numbers without reading the table again.
function sampleRows(table: NonNullable<ParseResult['structured']>['tables'][number]): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  for (const [column, values] of Object.entries(table.samples)) {
    for (const value of values) rows.push({ [column]: value });
  }
  const insights = table.profile?.insights;
  if (!insights) return rows;
  const names = insights.columns.map((column) => column.name);
  for (const row of insights.rows.firstRows) {
    rows.push(Object.fromEntries(names.map((name, index) => [name, row[index] ?? null])));
  }
  for (const column of insights.columns) {
    for (const top of column.topValues ?? []) rows.push({ [column.name]: top.value });
  }
  return rows;
}

/** What classification found in a parse result. */
export interface ParsedClassification {
  /** Every kind of personal data found, in columns and in the text, sorted. */
  pii: PiiType[];
  /** The columns of personal data of each table, by table name. */
  tables: Map<string, PiiColumns>;
  columns: Array<ColumnClassification & { table: string }>;
}

/**
 * Classifies the columns of every parsed table and the text's chunks (through the Data Steward,
 * which records a `classification` per table and one for the text against the file, with kinds
 * and counts only) and answers the kinds of personal data found and where.
 */
export async function classifyParsed(
  steward: Pick<DataSteward, 'classifyInternal' | 'classifyTextInternal'>,
  tenantId: string,
  fileId: string,
  parse: ParseResult,
): Promise<ParsedClassification> {
  const subject = { kind: 'file', id: fileId } as const;
  const columns: ParsedClassification['columns'] = [];
  const tables = new Map<string, PiiColumns>();
  for (const table of parse.structured?.tables ?? []) {
    const rows = sampleRows(table);
    if (rows.length === 0) continue;
    const classified = await steward.classifyInternal(tenantId, subject, rows, { table: table.name });
    columns.push(...classified.map((column) => ({ ...column, table: table.name })));
    const kinds = Object.fromEntries(classified.flatMap((column) => (column.pii ? [[column.column, column.pii]] : [])));
    if (Object.keys(kinds).length > 0) tables.set(table.name, kinds);
  }
  const found = new Set<PiiType>(columns.flatMap((column) => (column.pii ? [column.pii] : [])));
  const chunks = parse.unstructured?.chunks ?? [];
  if (chunks.length > 0) {
    const text = await steward.classifyTextInternal(
      tenantId,
      subject,
      chunks.map((chunk) => chunk.text),
    );
    for (const kind of text.pii) found.add(kind);
  }
  return { pii: [...found].sort(), tables, columns };
}

/** The kinds of personal data the flow found in a file (from its `classification` records). */
export async function piiOfFile(metadata: MetadataStore, tenantId: string, fileId: string): Promise<PiiType[]> {
  const found = new Set<PiiType>();
  let cursor: string | undefined;
  do {
    const page = await metadata.listGovernanceRecords(tenantId, {
      subject: { kind: 'file', id: fileId },
      kind: 'classification',
      ...(cursor ? { cursor } : {}),
    });
    for (const record of page.items) {
      for (const column of (record.data.columns ?? []) as Array<{ pii?: PiiType }>) {
        if (column.pii) found.add(column.pii);
      }
      for (const kind of (record.data.pii ?? []) as PiiType[]) found.add(kind);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return [...found].sort();
}
