import { type MetadataStore, PlatformError, type RecordRef } from '@platform/foundations';
import type { ColumnClassification, DataSteward, PiiType } from '@platform/smart-city';
import type { ParseResult } from '../content/parse-content.js';

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

/** True when the flow has any policy to ask (so that nothing is classified for nobody). */
export function governs(options: FlowGovernanceOptions | undefined, tenantId: string): boolean {
  return Boolean(options?.platformPolicy || options?.clientPolicy?.(tenantId));
}

// The values the profile kept of a table, by column: its first rows and its top values. Enough to
// tell a column of e-mail addresses or card numbers, without reading the table again.
function sampleRows(table: NonNullable<ParseResult['structured']>['tables'][number]): Array<Record<string, unknown>> {
  const insights = table.profile?.insights;
  if (!insights) return [];
  const names = insights.columns.map((column) => column.name);
  const rows: Array<Record<string, unknown>> = insights.rows.firstRows.map((row) =>
    Object.fromEntries(names.map((name, index) => [name, row[index] ?? null])),
  );
  for (const column of insights.columns) {
    for (const top of column.topValues ?? []) rows.push({ [column.name]: top.value });
  }
  return rows;
}

/**
 * Classifies the columns of every parsed table (through the Data Steward, which records a
 * `classification` per table against the file) and answers the kinds of personal data found.
 */
export async function classifyParsedTables(
  steward: Pick<DataSteward, 'classifyInternal'>,
  tenantId: string,
  fileId: string,
  parse: ParseResult,
): Promise<{ pii: PiiType[]; columns: Array<ColumnClassification & { table: string }> }> {
  const columns: Array<ColumnClassification & { table: string }> = [];
  for (const table of parse.structured?.tables ?? []) {
    const rows = sampleRows(table);
    if (rows.length === 0) continue;
    const classified = await steward.classifyInternal(tenantId, { kind: 'file', id: fileId }, rows);
    columns.push(...classified.map((column) => ({ ...column, table: table.name })));
  }
  const pii = [...new Set(columns.flatMap((column) => (column.pii ? [column.pii] : [])))].sort();
  return { pii, columns };
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
    }
    cursor = page.nextCursor;
  } while (cursor);
  return [...found].sort();
}
