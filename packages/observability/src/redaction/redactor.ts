/**
 * Removes secrets and personal data from anything about to leave the process (telemetry events,
 * span attributes, audited errors). Keys are matched after normalisation, so `accessToken`,
 * `access_token` and `Access-Token` are one key; values are scanned for e-mail addresses, JWTs
 * and bearer credentials. The input is never mutated: a redacted copy is returned.
 */

/** Keys redacted by default. A key matches when, lower-cased with `-`, `_`, `.` and spaces removed, it equals or ends with an entry. */
export const DEFAULT_SENSITIVE_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'authorization',
  'auth',
  'cookie',
  'credential',
  'credentials',
  'email',
  'ssn',
  'cardnumber',
  'cvv',
]);

/** How a {@link Redactor} behaves. Every option has a safe default. */
export interface RedactionOptions {
  /** Extra sensitive keys: strings (normalised, matched as equal or suffix) or patterns tested on the raw key. */
  keys?: ReadonlyArray<string | RegExp>;
  /** Use only `keys`, without {@link DEFAULT_SENSITIVE_KEYS}. Default `false`. */
  replaceDefaultKeys?: boolean;
  /** Replace e-mail addresses found inside string values. Default `true`. */
  redactEmailValues?: boolean;
  /** Replace JWTs and `Bearer`/`Basic` credentials found inside string values. Default `true`. */
  redactCredentialValues?: boolean;
  /** What replaces a redacted value. Default `'[REDACTED]'`. */
  censor?: string;
  /** Deeper values are replaced by `'[Truncated]'`. Default 8. */
  maxDepth?: number;
  /** Longer strings are cut, with a marker of how much was cut. Default 4096. */
  maxStringLength?: number;
  /** Longer arrays keep this many items and a marker. Default 100. */
  maxArrayLength?: number;
}

/** A configured redaction function set, created by {@link createRedactor}. */
export interface Redactor {
  /** A redacted, JSON-safe copy of `value`. */
  redact(value: unknown): unknown;
  /** A redacted copy of a string (patterns and length limit only). */
  redactString(value: string): string;
  /** True when a value under `key` is always replaced. */
  isSensitiveKey(key: string): boolean;
  /** What replaces a redacted value. */
  readonly censor: string;
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+/g;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const AUTH_SCHEME = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

/** A map key as a string, whatever it is; never throws. */
function keyString(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return String(key);
  try {
    return String(key);
  } catch {
    return Object.prototype.toString.call(key);
  }
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

/** Builds a {@link Redactor}. Build it once and reuse it: matching tables are prepared here. */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const censor = options.censor ?? '[REDACTED]';
  const maxDepth = options.maxDepth ?? 8;
  const maxStringLength = options.maxStringLength ?? 4096;
  const maxArrayLength = options.maxArrayLength ?? 100;
  const redactEmails = options.redactEmailValues ?? true;
  const redactCredentials = options.redactCredentialValues ?? true;

  const suffixes: string[] = options.replaceDefaultKeys ? [] : [...DEFAULT_SENSITIVE_KEYS];
  const patterns: RegExp[] = [];
  for (const key of options.keys ?? []) {
    if (typeof key === 'string') suffixes.push(normaliseKey(key));
    else patterns.push(key);
  }
  const verdicts = new Map<string, boolean>();

  function isSensitiveKey(key: string): boolean {
    const known = verdicts.get(key);
    if (known !== undefined) return known;
    const normal = normaliseKey(key);
    const verdict =
      suffixes.some((entry) => entry.length > 0 && normal.endsWith(entry)) ||
      patterns.some((pattern) => {
        pattern.lastIndex = 0;
        return pattern.test(key);
      });
    // Keys are few and repeat; the cache is bounded so hostile key sets cannot grow it forever.
    if (verdicts.size < 10_000) verdicts.set(key, verdict);
    return verdict;
  }

  function redactString(value: string): string {
    let text = value;
    let cut = 0;
    if (text.length > maxStringLength) {
      cut = text.length - maxStringLength;
      text = text.slice(0, maxStringLength);
    }
    if (redactEmails && text.includes('@')) text = text.replace(EMAIL, censor);
    if (redactCredentials) {
      if (text.includes('eyJ')) text = text.replace(JWT, censor);
      text = text.replace(AUTH_SCHEME, (_match, scheme: string) => `${scheme} ${censor}`);
    }
    return cut > 0 ? `${text}…[${cut} more characters]` : text;
  }

  function walk(value: unknown, depth: number, seen: WeakSet<object>): unknown {
    switch (typeof value) {
      case 'string':
        return redactString(value);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
        return value;
      case 'bigint':
        return value.toString();
      case 'undefined':
      case 'function':
      case 'symbol':
        return undefined;
    }
    if (value === null) return null;
    const object = value as object;
    if (seen.has(object)) return '[Circular]';
    if (depth >= maxDepth) return '[Truncated]';
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) {
      return `[Binary ${object.byteLength} bytes]`;
    }
    seen.add(object);
    try {
      return walkObject(object, depth, seen);
    } catch {
      // A throwing getter, toJSON or key conversion must not make telemetry throw.
      return '[Unreadable]';
    } finally {
      seen.delete(object);
    }
  }

  function walkObject(object: object, depth: number, seen: WeakSet<object>): unknown {
    if (object instanceof Error) return walkError(object, depth, seen);
    if (Array.isArray(object)) return walkArray(object, depth, seen);
    if (object instanceof Set) return walkArray([...object], depth, seen);
    if (object instanceof Map) return walkEntries(object.entries(), depth, seen);
    const toJSON = (object as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(object), depth + 1, seen);
    return walkEntries(Object.entries(object), depth, seen);
  }

  function walkArray(items: readonly unknown[], depth: number, seen: WeakSet<object>): unknown[] {
    const kept = items.slice(0, maxArrayLength).map((item) => walk(item, depth + 1, seen) ?? null);
    if (items.length > maxArrayLength) kept.push(`…[${items.length - maxArrayLength} more items]`);
    return kept;
  }

  function walkEntries(
    entries: Iterable<[unknown, unknown]>,
    depth: number,
    seen: WeakSet<object>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [rawKey, item] of entries) {
      const key = keyString(rawKey);
      if (isSensitiveKey(key)) {
        if (item !== undefined) out[key] = censor;
        continue;
      }
      const redacted = walk(item, depth + 1, seen);
      if (redacted !== undefined) out[key] = redacted;
    }
    return out;
  }

  function walkError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
    const out: Record<string, unknown> = { name: error.name, message: redactString(error.message) };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    if (error.cause !== undefined) out.cause = walk(error.cause, depth + 1, seen);
    return out;
  }

  return { redact: (value) => walk(value, 0, new WeakSet()), redactString, isSensitiveKey, censor };
}

/** The redactor used wherever none is configured: default keys and value patterns. */
export const defaultRedactor: Redactor = createRedactor();
