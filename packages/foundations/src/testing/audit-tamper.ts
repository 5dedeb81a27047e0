import type { AuditTamper } from './metadata-store-conformance.js';

/**
 * An {@link AuditTamper} for the SQL adapters' `platform_governance_records` table: `run` executes
 * one statement on the store's database, with `?` parameters (`sqlite`) or `$1, $2, ...`
 * (`postgres`, PGlite included).
 */
export function sqlAuditTamper(
  dialect: 'sqlite' | 'postgres',
  run: (sql: string, params: unknown[]) => unknown,
): AuditTamper {
  const p = (n: number) => (dialect === 'sqlite' ? '?' : `$${n}`);
  const where = (first: number) => `where tenant_id = ${p(first)} and seq = ${p(first + 1)}`;
  const moveSeq = (tenantId: string, from: number, to: number) =>
    run(`update platform_governance_records set seq = ${p(1)} ${where(2)}`, [to, tenantId, from]);
  return {
    async editData(tenantId, seq, data) {
      const value = dialect === 'sqlite' ? p(1) : `${p(1)}::jsonb`;
      await run(`update platform_governance_records set data = ${value} ${where(2)}`, [
        JSON.stringify(data),
        tenantId,
        seq,
      ]);
    },
    async remove(tenantId, seq) {
      await run(`delete from platform_governance_records ${where(1)}`, [tenantId, seq]);
    },
    async swapSeq(tenantId, a, b) {
      // Through a free seq: (tenant_id, seq) is unique.
      const parked = 1_000_000_000 + a;
      await moveSeq(tenantId, a, parked);
      await moveSeq(tenantId, b, a);
      await moveSeq(tenantId, parked, b);
    },
  };
}
