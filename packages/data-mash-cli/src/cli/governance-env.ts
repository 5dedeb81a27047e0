import { readFileSync } from 'node:fs';
import type { FlowGovernanceOptions } from '@platform/data-mash';
import { PlatformError } from '@platform/foundations';
import { type DataStewardOptions, definePolicy, type GovernancePolicy } from '@platform/smart-city';

/**
 * The CLI's governance from its environment: `DATA_MASH_PII` (`mask`, the default; `hash`, with
 * `DATA_MASH_PII_KEY`, at least 32 bytes; or `keep`), the treatment of personal data in what the
 * flow derives from a file (docs/personal-data.md); and `DATA_MASH_POLICY`, a policy file the
 * flow, reports and exports ask (docs/governance.md).
 * @throws {PlatformError} `CONFIG_INVALID` naming the variable.
 */
export function governanceFromEnv(env: NodeJS.ProcessEnv): {
  governance?: FlowGovernanceOptions;
  dataSteward?: DataStewardOptions;
} {
  const pii = piiFromEnv(env);
  const policy = policyFromEnv(env);
  if (!policy) return pii ? { governance: { pii } } : {};
  return {
    governance: { ...(pii ? { pii } : {}), platformPolicy: policy.id },
    dataSteward: { policies: [policy] },
  };
}

/**
 * `DATA_MASH_POLICY`: the path of a JSON file holding one governance policy (docs/governance.md),
 * asked at every point of the flow and before reports and exports, for every tenant.
 * @throws {PlatformError} `CONFIG_INVALID` naming the variable, the file and what is wrong.
 */
function policyFromEnv(env: NodeJS.ProcessEnv): GovernancePolicy | undefined {
  const path = env.DATA_MASH_POLICY?.trim();
  if (!path) return undefined;
  const invalid = (why: string, cause?: unknown) =>
    new PlatformError('CONFIG_INVALID', `DATA_MASH_POLICY '${path}' ${why}`, {
      details: { variable: 'DATA_MASH_POLICY', path },
      ...(cause ? { cause } : {}),
    });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(`is not JSON: ${(error as Error).message}`, error);
  }
  try {
    return definePolicy(value as GovernancePolicy);
  } catch (error) {
    throw invalid(`is not a governance policy: ${(error as Error).message}`, error);
  }
}

function piiFromEnv(env: NodeJS.ProcessEnv): FlowGovernanceOptions['pii'] {
  const mode = env.DATA_MASH_PII?.trim();
  if (!mode) return undefined;
  if (mode === 'mask' || mode === 'keep') return { mode };
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
    return { mode, key };
  }
  throw new PlatformError('CONFIG_INVALID', `DATA_MASH_PII is '${mode}'; expected mask, hash or keep`, {
    details: { variable: 'DATA_MASH_PII', value: mode },
  });
}
