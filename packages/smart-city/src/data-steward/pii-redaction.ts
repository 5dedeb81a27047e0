import { createHmac } from 'node:crypto';
import { PlatformError } from '@platform/foundations';
import { type PiiType, piiTypeOf } from './classification.js';
import { findPiiInText } from './pii-text.js';

/**
 * What becomes of personal data outside the client's own copy of a file (samples, profiles,
 * embeddings, the semantic store, insights, reports):
 * - `mask` (the default): replaced by its kind, `[email]`;
 * - `hash`: replaced by its kind and a keyed hash, `[email:5f0c6b1e9a2d4c3b]`: the same value
 *   gives the same token within a tenant (joins and counts still work), another tenant's tokens
 *   differ, and without the key a token cannot be checked against a guess;
 * - `keep`: left as it is (classification still runs and tags the columns).
 */
export type PiiTreatment =
  | { mode: 'mask' }
  | {
      mode: 'hash';
      /**
       * At least 32 bytes of secret. One key serves every tenant (each gets its own key derived
       * from it and its id); a function gives each tenant its own.
       */
      key: string | Uint8Array | ((tenantId: string) => string | Uint8Array);
    }
  | { mode: 'keep' };

/** Replaces personal data in values and texts, for one tenant, as its {@link PiiTreatment} says. */
export interface PiiRedactor {
  readonly mode: PiiTreatment['mode'];
  /**
   * One value of a column: all of it when the column holds `kind` (or the value is personal data
   * by itself), else the personal data found in it as in a text.
   */
  value(value: string, kind?: PiiType): string;
  /** The personal data found in a text ({@link findPiiInText}), each match replaced. */
  text(text: string): string;
  /** The token that stands for a value of `kind`. */
  token(value: string, kind: PiiType): string;
}

const MIN_KEY_BYTES = 32;

// The same person's e-mail written in two cases, or a card written with and without spaces,
// hash alike.
function normalised(value: string, kind: PiiType): string {
  const text = value.trim();
  switch (kind) {
    case 'email':
    case 'ip_address':
      return text.toLowerCase();
    case 'person_name':
      return text.toLowerCase().replace(/\s+/g, ' ');
    default:
      return text.replace(/[^0-9A-Za-z+]/g, '').toUpperCase();
  }
}

function tenantKey(treatment: Extract<PiiTreatment, { mode: 'hash' }>, tenantId: string): Buffer {
  const given = typeof treatment.key === 'function' ? treatment.key(tenantId) : treatment.key;
  const bytes = typeof given === 'string' ? Buffer.from(given, 'utf8') : Buffer.from(given ?? []);
  if (bytes.byteLength < MIN_KEY_BYTES) {
    throw new PlatformError(
      'CONFIG_INVALID',
      `the PII hash key${typeof treatment.key === 'function' ? ` for tenant '${tenantId}'` : ''} has ${bytes.byteLength} bytes; it needs at least ${MIN_KEY_BYTES} (a random secret, e.g. openssl rand -base64 32)`,
      { details: { minBytes: MIN_KEY_BYTES, tenantId } },
    );
  }
  // A shared key is made the tenant's own, so that two tenants' tokens of one value differ.
  return typeof treatment.key === 'function'
    ? bytes
    : createHmac('sha256', bytes).update(`platform.pii.tenant:${tenantId}`).digest();
}

/**
 * Checks a treatment and answers the redactor of `tenantId`.
 * @throws {PlatformError} `CONFIG_INVALID` for an unknown mode or a hash key under 32 bytes.
 */
export function piiRedactor(treatment: PiiTreatment, tenantId: string): PiiRedactor {
  const mode = (treatment as { mode?: unknown } | null | undefined)?.mode;
  if (mode !== 'mask' && mode !== 'hash' && mode !== 'keep') {
    throw new PlatformError('CONFIG_INVALID', `unknown PII treatment mode '${String(mode)}' (mask, hash or keep)`, {
      details: { mode: String(mode) },
    });
  }
  const key = treatment.mode === 'hash' ? tenantKey(treatment, tenantId) : undefined;
  const token = (value: string, kind: PiiType) =>
    key
      ? `[${kind}:${createHmac('sha256', key)
          .update(`${kind}\u0000${normalised(value, kind)}`)
          .digest('hex')
          .slice(0, 16)}]`
      : `[${kind}]`;
  const text = (input: string) => {
    if (treatment.mode === 'keep' || input.length === 0) return input;
    const matches = findPiiInText(input);
    if (matches.length === 0) return input;
    let out = '';
    let at = 0;
    for (const match of matches) {
      out += input.slice(at, match.start) + token(input.slice(match.start, match.end), match.kind);
      at = match.end;
    }
    return out + input.slice(at);
  };
  return {
    mode: treatment.mode,
    token,
    text,
    value(value, kind) {
      if (treatment.mode === 'keep') return value;
      const whole = kind ?? piiTypeOf(value);
      return whole ? token(value, whole) : text(value);
    },
  };
}
