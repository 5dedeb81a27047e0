import { MetadataStoreRef, verifyAudit } from '@platform/foundations';
import { EXIT, print, printJson, UsageError } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

/** Options of `data-mash audit`. */
export interface AuditOptions extends GlobalOptions {
  /** `--expect <seq>:<hash>`: the head printed by an earlier run, kept outside the data directory. */
  expect?: string;
}

function expectedHead(value: string | undefined): { seq: number; hash: string } | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!match) throw new UsageError(`--expect takes the head an earlier run printed, <seq>:<sha256>, not '${value}'`);
  return { seq: Number(match[1]), hash: match[2] as string };
}

/**
 * `data-mash audit`: verifies the tenant's governance and audit records are as appended (the
 * hash chain: an edited, deleted or moved record is reported), and prints the chain's head. Keep
 * that head elsewhere and pass it as `--expect` next time: records removed from the end since
 * then are found too. Exits 1 when the chain is broken.
 */
export async function audit(options: AuditOptions): Promise<number> {
  const expected = expectedHead(options.expect);
  const session = await openExistingSession(options);
  try {
    const result = await verifyAudit(session.platform.get(MetadataStoreRef), session.user.tenantId, {
      ...(expected ? { expectedHead: expected } : {}),
    });
    const head = `${result.head.seq}:${result.head.hash}`;
    if (options.json) printJson({ ...result, head: { ...result.head, text: head } });
    else {
      print(
        `${result.ok ? 'intact' : 'BROKEN'}: ${result.records} chained records in tenant '${result.tenantId}'` +
          (result.legacy > 0 ? ` (and ${result.legacy} written before the chain, not verifiable)` : ''),
      );
      for (const problem of result.ok ? [] : result.problems) print(`  seq ${problem.seq}: ${problem.kind}`);
      print(`head ${head}  (keep it; next time: data-mash audit --expect ${head})`);
    }
    return result.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await session.close();
  }
}
