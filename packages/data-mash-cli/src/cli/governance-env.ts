import type { FlowGovernanceOptions } from '@platform/data-mash';
import { PlatformError } from '@platform/foundations';

/**
 * The CLI's governance from its environment: `DATA_MASH_PII` (`mask`, the default; `hash`, with
 * `DATA_MASH_PII_KEY`, at least 32 bytes; or `keep`), the treatment of personal data in what the
 * flow derives from a file (docs/personal-data.md).
 * @throws {PlatformError} `CONFIG_INVALID` naming the variable.
 */
export function governanceFromEnv(env: NodeJS.ProcessEnv): { governance?: FlowGovernanceOptions } {
  const mode = env.DATA_MASH_PII?.trim();
  if (!mode) return {};
  if (mode === 'mask' || mode === 'keep') return { governance: { pii: { mode } } };
  if (mode === 'hash') {
    const key = env.DATA_MASH_PII_KEY;
    if (!key) {
      throw new PlatformError(
        'CONFIG_INVALID',
        'DATA_MASH_PII=hash needs DATA_MASH_PII_KEY (at least 32 bytes of secret)',
        {
          details: { variable: 'DATA_MASH_PII_KEY' },
        },
      );
    }
    return { governance: { pii: { mode, key } } };
  }
  throw new PlatformError('CONFIG_INVALID', `DATA_MASH_PII is '${mode}'; expected mask, hash or keep`, {
    details: { variable: 'DATA_MASH_PII', value: mode },
  });
}
