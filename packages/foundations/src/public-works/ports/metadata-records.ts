import { z } from 'zod';
import { RecordIdSchema, TenantIdSchema } from './tenancy.js';

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex sha256');
const NameSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name');
const JsonObjectSchema = z.record(z.string(), z.unknown());

/** A reference to any record: its kind (`file`, `parsed_file`, `content`, `insights`, ...) and id. */
export const RecordRefSchema = z.object({ kind: NameSchema, id: z.string().min(1).max(200) }).strict();
export type RecordRef = z.output<typeof RecordRefSchema>;

/** Where a file is in its lifecycle. */
export const FileStatusSchema = z.enum(['received', 'validated', 'stored', 'quarantined', 'deleted']);
export type FileStatus = z.output<typeof FileStatusSchema>;

/** An uploaded file: identity, checks and where its bytes are. */
export const FileRecordSchema = z
  .object({
    tenantId: TenantIdSchema,
    id: RecordIdSchema,
    name: z.string().min(1).max(1024),
    declaredType: z.string().max(255).optional(),
    detectedType: z.string().max(255).optional(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: Sha256Schema,
    status: FileStatusSchema,
    storageKey: z.string().max(1024).optional(),
    quarantineReason: z.string().max(2000).optional(),
    createdBy: z.string().max(255).optional(),
    metadata: JsonObjectSchema,
    createdAt: z.date(),
    updatedAt: z.date(),
    deletedAt: z.date().optional(),
  })
  .strict();
export type FileRecord = z.output<typeof FileRecordSchema>;

/** What `createFile` takes: the store assigns `id` (unless given), timestamps and defaults. */
export const NewFileRecordSchema = FileRecordSchema.omit({ createdAt: true, updatedAt: true, deletedAt: true }).extend({
  id: RecordIdSchema.optional(),
  status: FileStatusSchema.default('received'),
  metadata: JsonObjectSchema.default({}),
});
export type NewFileRecord = z.input<typeof NewFileRecordSchema>;

/** What `updateFile` may change. */
export const FilePatchSchema = FileRecordSchema.pick({
  status: true,
  detectedType: true,
  storageKey: true,
  quarantineReason: true,
  metadata: true,
})
  .partial()
  .strict();
export type FilePatch = z.input<typeof FilePatchSchema>;

/** The result of parsing a file: the structured copy's location, shape and a report. */
export const ParsedFileRecordSchema = z
  .object({
    tenantId: TenantIdSchema,
    id: RecordIdSchema,
    fileId: RecordIdSchema,
    format: z.string().min(1).max(64),
    /** Parser name and version; one parsed record per file and parser. */
    parser: z.string().min(1).max(128),
    storageKey: z.string().max(1024).optional(),
    rowCount: z.number().int().nonnegative().optional(),
    columns: z.array(z.object({ name: z.string(), type: z.string().optional() }).strict()).optional(),
    chunkCount: z.number().int().nonnegative().optional(),
    report: JsonObjectSchema,
    createdAt: z.date(),
  })
  .strict();
export type ParsedFileRecord = z.output<typeof ParsedFileRecordSchema>;

export const NewParsedFileRecordSchema = ParsedFileRecordSchema.omit({ createdAt: true }).extend({
  id: RecordIdSchema.optional(),
  report: JsonObjectSchema.default({}),
});
export type NewParsedFileRecord = z.input<typeof NewParsedFileRecordSchema>;

/** A lineage edge: `from` was `relation` `to` (e.g. parsed_file parsed_from file). */
export const FileLinkSchema = z
  .object({
    tenantId: TenantIdSchema,
    from: RecordRefSchema,
    to: RecordRefSchema,
    relation: NameSchema,
    metadata: JsonObjectSchema,
    createdAt: z.date(),
  })
  .strict();
export type FileLink = z.output<typeof FileLinkSchema>;

export const NewFileLinkSchema = FileLinkSchema.omit({ createdAt: true }).extend({
  metadata: JsonObjectSchema.default({}),
});
export type NewFileLink = z.input<typeof NewFileLinkSchema>;

/** Where a journey or a milestone is. */
export const JourneyStatusSchema = z.enum(['pending', 'running', 'completed', 'failed']);
export const MilestoneStatusSchema = z.enum(['pending', 'running', 'completed', 'failed', 'skipped']);

/** One step of a journey, with results by reference (ids, keys), never payloads. */
export const MilestoneSchema = z
  .object({
    name: NameSchema,
    status: MilestoneStatusSchema,
    startedAt: z.date().optional(),
    completedAt: z.date().optional(),
    result: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    /** How many times its step ran before it completed or failed, when more than once (retries). */
    attempts: z.number().int().min(2).optional(),
  })
  .strict();
export type Milestone = z.output<typeof MilestoneSchema>;

/** A journey: one run of a template's milestones for a tenant, persisted on every transition. */
export const JourneyRecordSchema = z
  .object({
    tenantId: TenantIdSchema,
    id: RecordIdSchema,
    template: NameSchema,
    templateVersion: z.number().int().positive(),
    status: JourneyStatusSchema,
    /** E.g. the file's sha256: one journey per template and key in a tenant. */
    idempotencyKey: z.string().min(1).max(200).optional(),
    /**
     * What the journey is about, in the words people look for it by (the data mash: its file's
     * name); `listJourneys({ label })` finds it by any part of it.
     */
    label: z.string().min(1).max(500).optional(),
    traceId: z.string().optional(),
    milestones: z.array(MilestoneSchema),
    context: JsonObjectSchema,
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    /** Increases by one on every update: the optimistic-concurrency token. */
    version: z.number().int().positive(),
    createdAt: z.date(),
    updatedAt: z.date(),
    completedAt: z.date().optional(),
  })
  .strict();
export type JourneyRecord = z.output<typeof JourneyRecordSchema>;

export const NewJourneyRecordSchema = JourneyRecordSchema.omit({
  version: true,
  createdAt: true,
  updatedAt: true,
  completedAt: true,
}).extend({
  id: RecordIdSchema.optional(),
  status: JourneyStatusSchema.default('pending'),
  context: JsonObjectSchema.default({}),
});
export type NewJourneyRecord = z.input<typeof NewJourneyRecordSchema>;

export const JourneyPatchSchema = JourneyRecordSchema.pick({
  status: true,
  milestones: true,
  context: true,
  completedAt: true,
  traceId: true,
})
  .extend({
    /** The journey's error; `null` clears it (a failed journey running again). */
    error: z.object({ code: z.string(), message: z.string() }).strict().nullable(),
    /** The journey's label; `null` removes it (an erasure), a string replaces it. */
    label: z.string().min(1).max(500).nullable(),
  })
  .partial()
  .strict();
export type JourneyPatch = z.input<typeof JourneyPatchSchema>;

/** An append-only governance fact: a policy decision, a quality check, a classification, ... */
export const GovernanceRecordSchema = z
  .object({
    tenantId: TenantIdSchema,
    id: RecordIdSchema,
    kind: NameSchema,
    subject: RecordRefSchema,
    data: JsonObjectSchema,
    traceId: z.string().optional(),
    createdAt: z.date(),
    /**
     * The record's place in its tenant's audit chain: 1, 2, ... with no gaps. Set by the store
     * on append; absent only on records written before the chain existed (see `verifyAudit`).
     */
    seq: z.number().int().positive().optional(),
    /** The `hash` of the record at `seq - 1`, or 64 zeros for the first one. */
    prevHash: Sha256Schema.optional(),
    /** sha256 of `prevHash` and the record's content: see `governanceRecordHash`. */
    hash: Sha256Schema.optional(),
  })
  .strict();
export type GovernanceRecord = z.output<typeof GovernanceRecordSchema>;

export const NewGovernanceRecordSchema = GovernanceRecordSchema.omit({
  createdAt: true,
  seq: true,
  prevHash: true,
  hash: true,
}).extend({
  id: RecordIdSchema.optional(),
});
export type NewGovernanceRecord = z.input<typeof NewGovernanceRecordSchema>;
