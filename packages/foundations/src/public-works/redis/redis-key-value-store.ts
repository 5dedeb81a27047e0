import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ServiceLifecycle } from '../../kernel/service-definition.js';
import { canonicalJson } from '../audit-chain.js';
import { probeHealth } from '../health-probe.js';
import { checkIncrement, checkKey, checkTtl, jsonText, notANumber } from '../key-value-input.js';
import type { JsonValue, KeyValueStore, KeyValueWriteOptions } from '../ports/key-value-store.js';
import { redactConnectionString } from '../postgres/redact.js';

/**
 * Options of {@link RedisKeyValueStore}: a server URL (`redis://[:password@]host:port[/db]`, the
 * store creates, connects and closes its client), or a client of the host's (never closed here).
 */
export type RedisKeyValueStoreOptions =
  | {
      url: string;
      /** Prefix of every key the store writes. Default `platform:kv:`. */
      keyPrefix?: string;
      /** How long connecting may take before `ADAPTER_UNAVAILABLE`, in milliseconds. Default 5 s. */
      connectTimeoutMs?: number;
    }
  | {
      client: Redis;
      /** Prefix of every key the store writes. Default `platform:kv:`. */
      keyPrefix?: string;
    };

// The number a value stored by `increment` is written as: integers as integers (as JSON.stringify
// writes them), other numbers with the fewest digits that read back the same.
const FORMAT_NUMBER = `
local function format_number(v)
  if v == math.floor(v) and math.abs(v) < 1e15 then return string.format('%d', v) end
  for p = 15, 17 do
    local s = string.format('%.' .. p .. 'g', v)
    if tonumber(s) == v then return s end
  end
  return string.format('%.17g', v)
end
`;

// KEYS[1]; ARGV: by, ttl in ms or ''. Returns the new value's text, or false when the value is
// not a number. A live entry keeps its expiry (KEEPTTL); a new one gets the ttl.
const INCREMENT = `${FORMAT_NUMBER}
local current = redis.call('GET', KEYS[1])
local value = tonumber(ARGV[1])
if current then
  local n = tonumber(current)
  if n == nil then return false end
  value = n + value
end
local text = format_number(value)
if current then
  redis.call('SET', KEYS[1], text, 'KEEPTTL')
elseif ARGV[2] ~= '' then
  redis.call('SET', KEYS[1], text, 'PX', ARGV[2])
else
  redis.call('SET', KEYS[1], text)
end
return text
`;

// KEYS[1]; ARGV: 'absent' or 'equals', expected text, next text, ttl in ms or ''. Values are
// canonical JSON (sorted keys), so equal JSON values have equal text, except numbers written by
// INCREMENT, which are also compared as numbers.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == 'absent' then
  if current then return 0 end
else
  if not current then return 0 end
  if current ~= ARGV[2] then
    local a, b = tonumber(current), tonumber(ARGV[2])
    if a == nil or b == nil or a ~= b then return 0 end
  end
end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`;

interface Script {
  source: string;
  sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = { increment: script(INCREMENT), compareAndSet: script(COMPARE_AND_SET) };

// Loaded on first use: ioredis is an optional peer dependency.
async function loadRedis(): Promise<typeof import('ioredis').Redis> {
  try {
    const module = (await import('ioredis')) as unknown as { Redis?: typeof Redis; default?: typeof Redis };
    const RedisClass = module.Redis ?? module.default;
    if (!RedisClass) throw new Error('ioredis exports no Redis class');
    return RedisClass;
  } catch (error) {
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      'redis:// stores need the optional peer dependency ioredis: install it (e.g. pnpm add ioredis)',
      { details: { adapter: 'redis' }, cause: error },
    );
  }
}

/**
 * A {@link KeyValueStore} on Redis through `ioredis` (an optional peer dependency), shared by every
 * process using the same server and key prefix. Each entry is one string key
 * `<keyPrefix><tenantId>:<key>` holding canonical JSON (tenant ids cannot contain `:`, so
 * tenants never collide). Expiry is Redis's own (`PX`): an expired key is gone for every reader,
 * and Redis reclaims it, so there is nothing to sweep. `increment` and `compareAndSet` are Lua
 * scripts (run by `EVALSHA`, loaded again after a server restart), atomic on the server.
 *
 * Expiry uses the server's clock: no injectable clock.
 *
 * @example
 * ```ts
 * const store = await RedisKeyValueStore.connect({ url: 'redis://127.0.0.1:6379' });
 * await store.set('acme', 'greeting', { text: 'hello' }, { ttlMs: 60_000 });
 * ```
 */
export class RedisKeyValueStore implements KeyValueStore, ServiceLifecycle {
  readonly kind = 'redis';
  readonly #prefix: string;
  readonly #url: string | undefined;
  readonly #connectTimeoutMs: number;
  #client: Promise<Redis> | undefined;
  #ownsClient: boolean;

  constructor(options: RedisKeyValueStoreOptions) {
    this.#prefix = options.keyPrefix ?? 'platform:kv:';
    if ('client' in options) {
      this.#client = Promise.resolve(options.client);
      this.#ownsClient = false;
      this.#url = undefined;
      this.#connectTimeoutMs = 0;
    } else {
      this.#url = options.url;
      this.#ownsClient = true;
      this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    }
  }

  /**
   * Creates a store and connects it (loading `ioredis`).
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when `ioredis` is not installed or the server
   * does not answer (the message names the URL without its password).
   */
  static async connect(options: RedisKeyValueStoreOptions): Promise<RedisKeyValueStore> {
    const store = new RedisKeyValueStore(options);
    await store.initialize();
    return store;
  }

  /** Connects (when the store owns its client) and checks that the server answers. */
  async initialize(): Promise<void> {
    await this.#run(async (client) => client.ping());
  }

  /** Closes the client the store created; a client passed in is left open. */
  async shutdown(): Promise<void> {
    const client = this.#client;
    if (!this.#ownsClient || !client) return;
    this.#client = undefined;
    this.#ownsClient = false;
    const redis = await client.catch(() => undefined);
    await redis?.quit().catch(() => redis.disconnect());
  }

  /** Healthy while the server answers `PING`. */
  health() {
    return probeHealth(async () => {
      if (!this.#client) throw new Error('redis: the store was shut down');
      await this.#run(async (client) => client.ping());
    });
  }

  #open(): Promise<Redis> {
    if (this.#client) return this.#client;
    const url = this.#url as string;
    const opening = (async () => {
      const Constructor = await loadRedis();
      const client = new Constructor(url, {
        lazyConnect: true,
        connectTimeout: this.#connectTimeoutMs,
        maxRetriesPerRequest: 2,
      });
      // Errors surface through the commands; without a listener, ioredis would log each reconnect.
      client.on('error', () => {});
      try {
        await client.connect();
      } catch (error) {
        client.disconnect();
        throw new PlatformError(
          ErrorCode.ADAPTER_UNAVAILABLE,
          `redis: cannot connect to ${redactConnectionString(url)}: ${(error as Error).message}`,
          { details: { adapter: 'redis' }, cause: error },
        );
      }
      return client;
    })();
    this.#client = opening;
    // A failed connection is retried by the next call.
    opening.catch(() => {
      if (this.#client === opening) this.#client = undefined;
    });
    return opening;
  }

  async #run<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    const client = await this.#open();
    try {
      return await work(client);
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `redis: ${(error as Error).message}`, {
        details: { adapter: 'redis' },
        cause: error,
      });
    }
  }

  // EVALSHA, falling back to EVAL (which caches the script) when the server does not know it.
  #eval(scriptToRun: Script, key: string, args: Array<string | number>): Promise<unknown> {
    return this.#run(async (client) => {
      try {
        return await client.evalsha(scriptToRun.sha, 1, key, ...args);
      } catch (error) {
        if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
        return client.eval(scriptToRun.source, 1, key, ...args);
      }
    });
  }

  #key(tenantId: string, key: string): string {
    checkKey(tenantId, key);
    return `${this.#prefix}${tenantId}:${key}`;
  }

  async get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined> {
    const address = this.#key(tenantId, key);
    const text = await this.#run((client) => client.get(address));
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  async set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void> {
    const address = this.#key(tenantId, key);
    checkTtl(options);
    const text = canonicalJson(JSON.parse(jsonText(value)));
    await this.#run((client) =>
      options?.ttlMs === undefined ? client.set(address, text) : client.set(address, text, 'PX', options.ttlMs),
    );
  }

  async delete(tenantId: string, key: string): Promise<boolean> {
    const address = this.#key(tenantId, key);
    return (await this.#run((client) => client.del(address))) === 1;
  }

  async increment(tenantId: string, key: string, by = 1, options?: KeyValueWriteOptions): Promise<number> {
    const address = this.#key(tenantId, key);
    checkTtl(options);
    checkIncrement(by);
    const text = await this.#eval(SCRIPTS.increment, address, [String(by), options?.ttlMs ?? '']);
    if (typeof text !== 'string') throw notANumber(key);
    return Number(text);
  }

  async compareAndSet(
    tenantId: string,
    key: string,
    expected: JsonValue | undefined,
    next: JsonValue,
    options?: KeyValueWriteOptions,
  ): Promise<boolean> {
    const address = this.#key(tenantId, key);
    checkTtl(options);
    const nextText = canonicalJson(JSON.parse(jsonText(next)));
    const expectedText = expected === undefined ? '' : canonicalJson(JSON.parse(jsonText(expected, 'expected')));
    const written = await this.#eval(SCRIPTS.compareAndSet, address, [
      expected === undefined ? 'absent' : 'equals',
      expectedText,
      nextText,
      options?.ttlMs ?? '',
    ]);
    return written === 1;
  }
}
