import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import type { GovernanceRecord, Journey } from '../api.js';
import { Problem } from '../components/problem.js';
import { useLoad } from '../components/use-load.js';
import { useConsole } from '../context.js';
import { formatTime } from '../format.js';

const KIND_LABELS: Record<string, string> = {
  policy_decision: 'policy decision',
  classification: 'classification',
  lineage_event: 'lineage event',
  lineage_run: 'run ledger',
  audit: 'audit',
  erasure: 'erasure',
};

function kindLabel(kind: string): string {
  return KIND_LABELS[kind] ?? kind.replace(/_/g, ' ');
}

/** What a record says in a line, from the fields its kind carries. */
function summary(record: GovernanceRecord): string {
  const details = record.details;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  if (record.kind === 'policy_decision') {
    const policy = text(details.policy) ?? text(details.policyId) ?? 'a policy';
    const version = typeof details.version === 'number' ? ` v${details.version}` : '';
    const rule = text(details.rule);
    const asked = (details.inputs as { pii?: unknown } | undefined)?.pii;
    const pii = Array.isArray(asked) && asked.length > 0 ? asked.map(String) : undefined;
    const reason = text(details.reason);
    return [
      `${policy}${version}${text(details.action) ? ` on ${text(details.action)}` : ''}`,
      rule ? `, rule ${rule}` : '',
      pii ? ` (personal data: ${pii.join(', ')})` : '',
      reason ? `: ${reason}` : '',
    ].join('');
  }
  if (record.kind === 'classification') {
    const columns = Array.isArray(details.columns) ? details.columns.length : undefined;
    const pii = Array.isArray(details.pii) ? details.pii.length : undefined;
    if (columns !== undefined || pii !== undefined) {
      return [
        columns !== undefined ? `${columns} columns classified` : '',
        pii !== undefined ? `${pii} with personal data` : '',
      ]
        .filter(Boolean)
        .join(', ');
    }
  }
  const job = text(details.job) ?? text((details.job as { name?: unknown } | undefined)?.name);
  if (job) return `${job.replace(/^data_mash\./, '')}${details.attempt ? ` (attempt ${String(details.attempt)})` : ''}`;
  return record.action ?? '';
}

/**
 * The governance records of a journey, oldest first, as the audit chain holds them: policy
 * decisions (allowed or denied, and why), classifications, the lineage runs; each opens to its
 * stored details. A filter keeps one kind.
 */
export function GovernancePanel({ journey }: { journey: Journey }) {
  const { api } = useConsole();
  const { value, error } = useLoad(
    () => api.journeyView(journey.id, 'governance'),
    [api, journey.id, journey.updatedAt],
  );
  const [kind, setKind] = useState('');
  const [open, setOpen] = useState<string | undefined>();
  if (error) return <Problem error={error} />;
  if (!value) return <p class="muted">Loading the governance records…</p>;
  const kinds = [...new Set(value.records.map((record) => record.kind))].sort();
  const records = kind ? value.records.filter((record) => record.kind === kind) : value.records;
  const denied = value.records.filter((record) => record.decision === 'deny').length;
  return (
    <section class="panel" aria-labelledby="governance-title">
      <div class="panel-head">
        <h2 id="governance-title">Governance</h2>
        <label class="inline-field">
          Kind{' '}
          <select value={kind} onChange={(event) => setKind((event.target as HTMLSelectElement).value)}>
            <option value="">all ({value.records.length})</option>
            {kinds.map((entry) => (
              <option key={entry} value={entry}>
                {kindLabel(entry)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p class="muted">
        {value.records.length} records about this journey, its file and its runs
        {denied > 0 ? `, ${denied} denied by policy` : ''}
        {value.truncated ? ' (the oldest shown; there are more)' : ''}.
      </p>
      <div class="table-scroll">
        <table class="governance" data-testid="governance">
          <caption class="visually-hidden">Governance records, oldest first</caption>
          <thead>
            <tr>
              <th scope="col" class="number">
                #
              </th>
              <th scope="col">When</th>
              <th scope="col">Kind</th>
              <th scope="col">Decision or action</th>
              <th scope="col">What</th>
              <th scope="col">
                <span class="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {records.map((record) => {
              const expanded = open === record.id;
              return (
                <Fragment key={record.id}>
                  <tr class={record.decision === 'deny' ? 'row-denied' : undefined}>
                    <td class="number">{record.seq ?? '–'}</td>
                    <td>{formatTime(record.createdAt)}</td>
                    <td>{kindLabel(record.kind)}</td>
                    <td>
                      {record.decision ? (
                        <span class={`decision decision-${record.decision}`}>
                          {record.decision === 'deny' ? 'denied' : 'allowed'}
                        </span>
                      ) : (
                        (record.action ?? '–')
                      )}
                    </td>
                    <td>
                      {summary(record)}
                      {record.actor && <span class="muted"> · by {record.actor}</span>}
                    </td>
                    <td>
                      <button
                        type="button"
                        class="link-button"
                        aria-expanded={expanded}
                        onClick={() => setOpen(expanded ? undefined : record.id)}
                      >
                        {expanded ? 'Hide' : 'Details'}
                        <span class="visually-hidden"> of record {record.seq ?? record.id}</span>
                      </button>
                    </td>
                  </tr>
                  {expanded && (
                    <tr>
                      <td colSpan={6}>
                        <pre class="record-details">
                          {JSON.stringify({ subject: record.subject, ...record.details }, null, 2)}
                        </pre>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
