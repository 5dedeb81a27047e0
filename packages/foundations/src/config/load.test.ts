import { describe, expect, it } from 'vitest';
import { ConfigError, loadPlatformConfig, parseByteSize } from './load.js';

describe('loadPlatformConfig', () => {
  it('needs no setup: every field has a default', () => {
    expect(loadPlatformConfig({}, { env: {} })).toEqual({
      profile: 'local',
      environment: 'development',
      dataDir: './.platform',
      kernel: { startTimeoutMs: 30_000, stopTimeoutMs: 10_000, healthTimeoutMs: 5_000 },
      telemetry: { sink: 'stdout', includeStacks: false, redactKeys: [] },
      stores: {},
      limits: { maxFileBytes: 100 * 1024 * 1024 },
    });
  });

  it('reads PLATFORM_* variables, and code wins over the environment', () => {
    const env = {
      PLATFORM_ENV: 'production',
      PLATFORM_DATA_DIR: '/var/lib/platform',
      PLATFORM_START_TIMEOUT_MS: '5000',
      PLATFORM_TELEMETRY_STACKS: 'yes',
      PLATFORM_REDACT_KEYS: 'iban, tax_id,',
    };
    const config = loadPlatformConfig({ kernel: { startTimeoutMs: 7000 } }, { env });
    expect(config).toMatchObject({
      environment: 'production',
      dataDir: '/var/lib/platform',
      kernel: { startTimeoutMs: 7000, stopTimeoutMs: 10_000 },
      telemetry: { includeStacks: true, redactKeys: ['iban', 'tax_id'] },
    });
  });

  it('reads the file size limit in bytes or with a unit, and names the variable of a bad one', () => {
    expect(loadPlatformConfig({}, { env: {} }).limits.maxFileBytes).toBe(100 * 1024 * 1024);
    for (const [raw, bytes] of [
      ['1048576', 1_048_576],
      ['2GB', 2_000_000_000],
      ['1.5 GiB', 1.5 * 1024 ** 3],
      ['500m', 500 * 1024 ** 2],
    ] as const) {
      expect(loadPlatformConfig({}, { env: { PLATFORM_MAX_FILE_BYTES: raw } }).limits.maxFileBytes).toBe(bytes);
    }
    expect(() => loadPlatformConfig({}, { env: { PLATFORM_MAX_FILE_BYTES: 'huge' } })).toThrow(
      /limits\.maxFileBytes \(from PLATFORM_MAX_FILE_BYTES\)/,
    );
    expect(parseByteSize('12 parsecs')).toBeUndefined();
    expect(parseByteSize('1.5')).toBeUndefined();
  });

  it('switches to the cloud profile with CLOUD_READY_MODE=true, unless PLATFORM_PROFILE says otherwise', () => {
    expect(loadPlatformConfig({}, { env: { CLOUD_READY_MODE: 'true' } }).profile).toBe('cloud');
    expect(loadPlatformConfig({}, { env: { CLOUD_READY_MODE: 'false' } }).profile).toBe('local');
    expect(loadPlatformConfig({}, { env: { CLOUD_READY_MODE: 'true', PLATFORM_PROFILE: 'local' } }).profile).toBe(
      'local',
    );
  });

  it('lists every problem with its path, its environment variable and the expected form, without echoing values', () => {
    const secretLooking = 'postgres://admin:hunter2@db/prod';
    let error: unknown;
    try {
      loadPlatformConfig(
        { profile: secretLooking as never, kernel: { stopTimeoutMs: -1 }, telemetry: { colour: 'red' } as never },
        { env: { PLATFORM_START_TIMEOUT_MS: 'soon', CLOUD_READY_MODE: 'maybe', PLATFORM_ENV: secretLooking } },
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((issue) => [issue.path, issue.envVar])).toEqual([
      ['profile', undefined],
      ['environment', 'PLATFORM_ENV'],
      ['kernel.startTimeoutMs', 'PLATFORM_START_TIMEOUT_MS'],
      ['kernel.stopTimeoutMs', undefined],
      ['telemetry', undefined],
    ]);
    expect(issues[0]?.message).toContain('"local"|"cloud"');
    expect(issues[2]?.message).toBe('Invalid input: expected number, received string');
    expect(issues[4]?.message).toBe("unknown key 'colour'");
    const message = (error as Error).message;
    expect(message).toContain('invalid platform configuration (5 problems)');
    expect(message).toContain('kernel.startTimeoutMs (from PLATFORM_START_TIMEOUT_MS)');
    expect(message).not.toContain('hunter2');
    expect(JSON.stringify((error as ConfigError).toJSON())).not.toContain('hunter2');
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('reads store URLs from PLATFORM_*_STORE and refuses what is not a URL without echoing it', () => {
    const config = loadPlatformConfig(
      {},
      { env: { PLATFORM_METADATA_STORE: 'postgres://u:pw@db/x', PLATFORM_BLOB_STORE: 'memory://' } },
    );
    expect(config.stores).toEqual({ metadata: 'postgres://u:pw@db/x', blob: 'memory://' });
    const error = (() => {
      try {
        loadPlatformConfig({}, { env: { PLATFORM_SEMANTIC_STORE: 'admin:s3cret@host/db' } });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.issues).toEqual([
      {
        path: 'stores.semantic',
        envVar: 'PLATFORM_SEMANTIC_STORE',
        message: 'expected a store URL (<scheme>://...), such as sqlite://./platform.db or postgres://host/db',
      },
    ]);
    expect(error?.message).not.toContain('s3cret');
  });

  it('reads process.env by default', () => {
    const previous = process.env.PLATFORM_DATA_DIR;
    process.env.PLATFORM_DATA_DIR = '/tmp/from-process-env';
    try {
      expect(loadPlatformConfig().dataDir).toBe('/tmp/from-process-env');
    } finally {
      if (previous === undefined) delete process.env.PLATFORM_DATA_DIR;
      else process.env.PLATFORM_DATA_DIR = previous;
    }
  });
});
