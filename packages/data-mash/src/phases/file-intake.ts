import {
  defineService,
  defineServiceRef,
  type MetadataStore,
  MetadataStoreRef,
  PlatformError,
} from '@platform/foundations';
import { currentTraceId, generateTraceId } from '@platform/observability';
import {
  ContentStewardRef,
  DataStewardRef,
  type IncomingFile,
  RealmServiceBase,
  type RealmServiceDeps,
  type VerifiedUserContext,
} from '@platform/smart-city';
import { z } from 'zod';
import { FileUploaded } from '../flow/contracts.js';
import type { MilestoneContext } from '../journeys/journey-orchestrator.js';
import { lineageNamespace, withPhaseLineage } from './lineage.js';
import { DATA_MASH_REALM, type PhaseServiceOptions, realmDeps, realmServiceDeps } from './phase-service.js';

/**
 * What the infrastructure phase takes: a new file (its bytes, or `open` giving a fresh body for
 * each attempt, so that a retried upload reads the whole file again), or one the Content Steward
 * already holds.
 */
export type FileIntakeInput =
  | { file: IncomingFile }
  | { file: Omit<IncomingFile, 'data'> & { open: () => IncomingFile['data'] } }
  | { fileId: string };

/** The output of the infrastructure phase (`file_uploaded@1`). */
export type FileUploadedOutput = z.output<typeof FileUploaded.schema>;

/**
 * The infrastructure phase: hands a new file to the Content Steward (validation, storage,
 * duplicate detection), or looks up a stored one, and answers with the `file_uploaded@1`
 * handoff. A quarantined file stops the flow here with `FILE_QUARANTINED` and the reason; the
 * file stays in quarantine for inspection.
 */
export class FileIntake extends RealmServiceBase<RealmServiceDeps & { metadata: MetadataStore }> {
  readonly realm = DATA_MASH_REALM;

  /** `content.upload_file`: runs as the caller (client track), into the caller's tenant. */
  async uploadFile(
    input: FileIntakeInput,
    user: VerifiedUserContext,
    context?: MilestoneContext,
  ): Promise<FileUploadedOutput> {
    // Lineage: the stored file is the run's output (a quarantined file fails the run).
    const namespace = lineageNamespace(user.tenantId);
    return withPhaseLineage(
      this.getSmartCityApi(DataStewardRef),
      this.deps.metadata,
      { tenantId: user.tenantId, job: 'data_mash.upload_file', context },
      async (lineage) => {
        const uploaded = await this.#upload(input, user);
        await lineage.complete({ outputs: [{ namespace, name: uploaded.storageLocation }] });
        return uploaded;
      },
    );
  }

  async #upload(input: FileIntakeInput, user: VerifiedUserContext) {
    // The journey's first step: no handoff contract checked what the caller gave, so it is checked here.
    checkIntakeInput(input);
    const traceId = currentTraceId() ?? generateTraceId();
    if ('fileId' in input) {
      const record = await this.deps.metadata.getFile(user.tenantId, input.fileId);
      if (record.status === 'quarantined' || record.status === 'deleted') {
        throw new PlatformError(
          record.status === 'deleted' ? 'NOT_FOUND' : 'FILE_QUARANTINED',
          `file '${record.id}' is ${record.status}`,
          { details: { fileId: record.id, status: record.status } },
        );
      }
      return FileUploaded.check(
        {
          fileId: record.id,
          validationStatus: 'valid',
          storageLocation: record.storageKey,
          sha256: record.sha256,
          fileName: record.name,
          sizeBytes: record.sizeBytes,
          traceId,
        },
        'producer',
      );
    }
    const { file } = input;
    const incoming: IncomingFile =
      'open' in file
        ? {
            name: file.name,
            ...(file.declaredType ? { declaredType: file.declaredType } : {}),
            ...(file.sha256 ? { sha256: file.sha256 } : {}),
            data: file.open(),
          }
        : file;
    const processed = await this.getSmartCityApi(ContentStewardRef).processClientFile(user, incoming);
    if (processed.validationStatus === 'quarantined') {
      throw new PlatformError('FILE_QUARANTINED', `the file was quarantined: ${processed.reason}`, {
        details: { fileId: processed.fileId, reason: processed.reason, detectedType: processed.detectedType },
      });
    }
    return FileUploaded.check(
      {
        fileId: processed.fileId,
        validationStatus: processed.validationStatus,
        storageLocation: processed.storageLocation,
        sha256: processed.sha256,
        fileName: file.name,
        sizeBytes: processed.sizeBytes,
        traceId: processed.traceId ?? traceId,
      },
      'producer',
    );
  }
}

/** The infrastructure phase service. */
export const FileIntakeRef = defineServiceRef<FileIntake>({ id: 'data-mash.file-intake', tier: 'realm' });

const Sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hexadecimal digits')
  .optional();
const StoredFileInput = z.object({ fileId: z.string().min(1) }).strict();
const FileWithData = z.object({
  name: z.string().min(1),
  declaredType: z.string().optional(),
  sha256: Sha256,
  data: z.custom((value) => value != null, 'data is required: a Uint8Array, a Readable or an async iterable'),
});
const FileWithOpen = z.object({
  name: z.string().min(1),
  declaredType: z.string().optional(),
  sha256: Sha256,
  open: z.custom<() => unknown>((value) => typeof value === 'function', 'open must be a function'),
});
const IntakeInputSchema = z.union([
  StoredFileInput,
  z.object({ file: z.union([FileWithData, FileWithOpen]) }).strict(),
]);

// Checked branch by branch, so that a problem is named by its field (a union's error names none).
// Built once: zod compiles a schema the first time it parses with it, a cost per call when built in one.
const FileWithDataInput = z.object({ file: FileWithData }).strict();
const FileWithOpenInput = z.object({ file: FileWithOpen }).strict();

function intakeInputProblems(input: unknown): string[] {
  const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  if (!isObject(input) || !('file' in input || 'fileId' in input)) return ['(input): needs file or fileId'];
  const schema =
    'fileId' in input
      ? StoredFileInput
      : isObject(input.file) && 'open' in input.file
        ? FileWithOpenInput
        : FileWithDataInput;
  const result = schema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`);
}

function checkIntakeInput(input: unknown): asserts input is FileIntakeInput {
  const problems = intakeInputProblems(input);
  if (problems.length === 0) return;
  throw new PlatformError(
    'VALIDATION_FAILED',
    `content.upload_file takes { file: { name, data } }, { file: { name, open } } or { fileId }: ${problems.join('; ')}`,
    { details: { step: 'content.upload_file', problems } },
  );
}

/** Defines the infrastructure phase service (it uses the Content Steward at run time). */
export function fileIntake(options: PhaseServiceOptions = {}) {
  return defineService({
    ref: FileIntakeRef,
    deps: realmDeps(options, { metadata: MetadataStoreRef }),
    factory: (deps, context) => new FileIntake(realmServiceDeps(options, deps, context)),
    description: {
      description: 'Data mash infrastructure phase: the file validated and stored by the Content Steward',
      realm: DATA_MASH_REALM,
      tags: ['data-mash'],
      capabilities: [
        {
          name: 'content.upload_file',
          description: 'Validate and store a file (or take a stored one) and hand it to parsing',
          input: IntakeInputSchema,
          output: FileUploaded.schema,
        },
      ],
    },
  });
}
