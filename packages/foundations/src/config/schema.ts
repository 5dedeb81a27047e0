import { z } from 'zod';

const positiveMs = z.int().positive().max(3_600_000);

// Store locations are URLs that may hold credentials: messages about them never include them.
// Which schemes exist is the adapter registry's to say (adapters arrive from packages and hosts):
// here a location only has to be a URL.
const storeUrl = z
  .string()
  .trim()
  .refine((value) => /^[a-z][a-z0-9+.-]*:\/\//i.test(value), {
    message: 'expected a store URL (<scheme>://...), such as sqlite://./platform.db or postgres://host/db',
  });

/**
 * The whole platform configuration, as one zod schema. Every field has a default that needs no
 * setup; `loadPlatformConfig` fills them in from code and from `PLATFORM_*` variables.
 */
export const PlatformConfigSchema = z
  .object({
    /** `local`: embedded defaults under `dataDir`. `cloud`: real backends, named explicitly. `CLOUD_READY_MODE=true` picks it. */
    profile: z.enum(['local', 'cloud']).default('local'),
    /** `development` turns on start-up checks that are too slow or too strict for production. */
    environment: z.enum(['development', 'test', 'production']).default('development'),
    /** Where embedded adapters keep their files. */
    dataDir: z.string().trim().min(1).default('./.platform'),
    kernel: z
      .object({
        /** Default time limit of one service's factory plus `initialize()`. */
        startTimeoutMs: positiveMs.default(30_000),
        /** Default time limit of one service's `drain()` and of its `shutdown()`. */
        stopTimeoutMs: positiveMs.default(10_000),
        /** Time limit of one service's `health()`. */
        healthTimeoutMs: positiveMs.default(5_000),
      })
      .strict()
      .prefault({}),
    telemetry: z
      .object({
        /** Where telemetry events go unless the host passes a sink in code. */
        sink: z.enum(['stdout', 'silent']).default('stdout'),
        /** Include (redacted) stacks in error events. */
        includeStacks: z.boolean().default(false),
        /** Keys to redact on top of the defaults (passwords, tokens, e-mails, ...). */
        redactKeys: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
    limits: z
      .object({
        /**
         * Largest file the Content Steward accepts, in bytes. Default 100 MiB. Files are streamed,
         * never held whole, so the limit guards storage and time, not memory.
         */
        maxFileBytes: z
          .int()
          .positive()
          .max(Number.MAX_SAFE_INTEGER)
          .default(100 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    /**
     * Where each Public Works port keeps its data, as URLs whose scheme picks the adapter (see the
     * adapter registry: `createPlatform({ adapterFactories })`). Omitted: the local profile's
     * embedded default; the cloud profile refuses to guess for blob, metadata and semantic stores.
     */
    stores: z
      .object({
        blob: storeUrl.optional(),
        metadata: storeUrl.optional(),
        semantic: storeUrl.optional(),
        eventBus: storeUrl.optional(),
        keyValue: storeUrl.optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The validated configuration, with every default filled in. */
export type PlatformConfig = z.output<typeof PlatformConfigSchema>;

/** Configuration as code writes it: every field optional. */
export type PlatformConfigInput = z.input<typeof PlatformConfigSchema>;
