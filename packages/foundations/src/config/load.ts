import type { z } from 'zod';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import { PUBLIC_WORKS_PORT_LIST } from './ports.js';
import { type PlatformConfig, type PlatformConfigInput, PlatformConfigSchema } from './schema.js';

/** One problem in a configuration: where, what is wrong, and where the value came from. */
export interface ConfigIssue {
  /** Dotted path in the configuration object, e.g. `kernel.startTimeoutMs`. */
  path: string;
  /** What is wrong and what form is expected. Never contains the value itself. */
  message: string;
  /** The environment variable the value came from, when it came from one. */
  envVar?: string;
}

/** Thrown when the configuration is invalid: lists every problem at once. */
export class ConfigError extends PlatformError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      ErrorCode.CONFIG_INVALID,
      `invalid platform configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues
          .map((issue) => `  - ${issue.path}${issue.envVar ? ` (from ${issue.envVar})` : ''}: ${issue.message}`)
          .join('\n'),
      { details: { issues } },
    );
    this.issues = issues;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

/** Where one environment variable lands in the configuration. */
export interface EnvBinding {
  variable: string;
  path: readonly string[];
  parse: (raw: string) => unknown;
}

const asString = (raw: string) => raw;
const asNumber = (raw: string) => (/^\s*\d+\s*$/.test(raw) ? Number(raw) : raw);
const asBoolean = (raw: string) => {
  const value = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off', ''].includes(value)) return false;
  return raw;
};
const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * A size in bytes from `1048576`, `500MB`, `1.5 GiB`, `2g` (k/m/g/t alone are binary units).
 * Returns `undefined` for anything else.
 */
export function parseByteSize(raw: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  const unit = match ? BYTE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) return undefined;
  // A fraction of a byte is a typo, not a limit.
  if (unit === 1 && match[1]?.includes('.')) return undefined;
  const bytes = Math.floor(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
const asByteSize = (raw: string) => parseByteSize(raw) ?? raw;
const asList = (raw: string) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/**
 * Environment variables the configuration reads, and where each lands. Documented in
 * docs/configuration.md; keep the two in step.
 */
export const CONFIG_ENV_VARIABLES: readonly EnvBinding[] = Object.freeze([
  { variable: 'PLATFORM_PROFILE', path: ['profile'], parse: asString },
  { variable: 'PLATFORM_ENV', path: ['environment'], parse: asString },
  { variable: 'PLATFORM_DATA_DIR', path: ['dataDir'], parse: asString },
  { variable: 'PLATFORM_START_TIMEOUT_MS', path: ['kernel', 'startTimeoutMs'], parse: asNumber },
  { variable: 'PLATFORM_STOP_TIMEOUT_MS', path: ['kernel', 'stopTimeoutMs'], parse: asNumber },
  { variable: 'PLATFORM_HEALTH_TIMEOUT_MS', path: ['kernel', 'healthTimeoutMs'], parse: asNumber },
  { variable: 'PLATFORM_TELEMETRY_SINK', path: ['telemetry', 'sink'], parse: asString },
  { variable: 'PLATFORM_TELEMETRY_STACKS', path: ['telemetry', 'includeStacks'], parse: asBoolean },
  { variable: 'PLATFORM_REDACT_KEYS', path: ['telemetry', 'redactKeys'], parse: asList },
  { variable: 'PLATFORM_MAX_FILE_BYTES', path: ['limits', 'maxFileBytes'], parse: asByteSize },
  ...PUBLIC_WORKS_PORT_LIST.map((entry) => ({
    variable: entry.env,
    path: ['stores', entry.store],
    parse: asString,
  })),
]);

/** Options of {@link loadPlatformConfig}. */
export interface LoadConfigOptions {
  /** Environment to read; `process.env` by default. Pass `{}` to ignore the environment. */
  env?: Env;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function deepMerge(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    const current = out[key];
    const bothObjects = [current, value].every(
      (item) => typeof item === 'object' && item !== null && !Array.isArray(item),
    );
    out[key] = bothObjects ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

function fromEnv(env: Env): { values: Record<string, unknown>; sources: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const binding of CONFIG_ENV_VARIABLES) {
    const raw = env[binding.variable];
    if (raw === undefined) continue;
    setPath(values, binding.path, binding.parse(raw));
    sources.set(binding.path.join('.'), binding.variable);
  }
  const cloud = env.CLOUD_READY_MODE;
  if (cloud !== undefined && env.PLATFORM_PROFILE === undefined) {
    const enabled = asBoolean(cloud);
    values.profile = enabled === true ? 'cloud' : enabled === false ? 'local' : cloud;
    sources.set('profile', 'CLOUD_READY_MODE');
  }
  return { values, sources };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  // zod's messages name the expected form and the received type, never the received value.
  if (issue.code === 'unrecognized_keys')
    return `unknown key${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `'${key}'`).join(', ')}`;
  return issue.message;
}

/**
 * Builds the platform configuration from defaults, then environment variables, then `input`
 * (code wins over environment). `CLOUD_READY_MODE=true` selects the cloud profile unless
 * `PLATFORM_PROFILE` says otherwise.
 *
 * @throws {ConfigError} `CONFIG_INVALID` listing every problem with its path, the environment
 * variable it came from, and the expected form; values are never echoed.
 *
 * @example
 * ```ts
 * const config = loadPlatformConfig({ kernel: { startTimeoutMs: 5_000 } });
 * ```
 */
export function loadPlatformConfig(input: PlatformConfigInput = {}, options: LoadConfigOptions = {}): PlatformConfig {
  const { values, sources } = fromEnv(options.env ?? process.env);
  const merged = deepMerge(values, input as Record<string, unknown>);
  const parsed = PlatformConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue): ConfigIssue => {
    const path = issue.path.map(String).join('.') || '(root)';
    const fromCode = hasPath(input, issue.path);
    const envVar = fromCode ? undefined : sources.get(path);
    return { path, message: describeIssue(issue), ...(envVar ? { envVar } : {}) };
  });
  throw new ConfigError(issues);
}

function hasPath(value: unknown, path: readonly PropertyKey[]): boolean {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !(key in node)) return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node !== undefined;
}
