import { randomBytes } from 'node:crypto';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import {
  type FileLink,
  FilePatchSchema,
  type FileRecord,
  type GovernanceRecord,
  type JourneyPatch,
  JourneyPatchSchema,
  type JourneyRecord,
  NewFileLinkSchema,
  NewFileRecordSchema,
  NewGovernanceRecordSchema,
  NewJourneyRecordSchema,
  NewParsedFileRecordSchema,
  type ParsedFileRecord,
  RecordRefSchema,
} from './ports/metadata-records.js';
import { assertTenantId, parseRecord } from './ports/tenancy.js';

// Validation and defaults shared by every MetadataStore adapter, so that all of them accept and
// refuse exactly the same input and fill in exactly the same values.

let lastMs = 0;
let sequence = 0;

/**
 * A record id: the prefix and a UUIDv7 (RFC 9562) whose 12-bit counter increases within one
 * millisecond, so ids created later in this process sort later. Lists ordered by (createdAt, id)
 * then keep insertion order even for records created in the same millisecond.
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    sequence = randomBytes(2).readUInt16BE() & 0x3ff;
  } else {
    sequence += 1;
    if (sequence > 0xfff) {
      // More than ~3,000 ids in one millisecond: borrow the next millisecond.
      lastMs += 1;
      sequence = 0;
    }
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${prefix}_${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function prepareFile(input: unknown, now: Date): FileRecord {
  const parsed = parseRecord(NewFileRecordSchema, input, 'file record');
  return { ...parsed, id: parsed.id ?? newId('file'), createdAt: now, updatedAt: now };
}

/** Drops keys whose value is `undefined`: a patch never erases a field by omission. */
function definedOnly<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

export function prepareFilePatch(patch: unknown) {
  return definedOnly(parseRecord(FilePatchSchema, patch, 'file patch'));
}

export function prepareParsedFile(input: unknown, now: Date): ParsedFileRecord {
  const parsed = parseRecord(NewParsedFileRecordSchema, input, 'parsed file record');
  return { ...parsed, id: parsed.id ?? newId('parsed'), createdAt: now };
}

export function prepareLink(input: unknown, now: Date): FileLink {
  return { ...parseRecord(NewFileLinkSchema, input, 'file link'), createdAt: now };
}

export function prepareJourney(input: unknown, now: Date): JourneyRecord {
  const parsed = parseRecord(NewJourneyRecordSchema, input, 'journey');
  return { ...parsed, id: parsed.id ?? newId('journey'), version: 1, createdAt: now, updatedAt: now };
}

export function prepareJourneyPatch(patch: JourneyPatch) {
  return definedOnly(parseRecord(JourneyPatchSchema, patch, 'journey patch'));
}

/** The journey after a patch (one more version, updated now); an `error: null` patch removes the error. */
export function patchedJourney(current: JourneyRecord, changes: ReturnType<typeof prepareJourneyPatch>): JourneyRecord {
  const { error, label, ...rest } = changes;
  const next: JourneyRecord = { ...current, ...rest, version: current.version + 1, updatedAt: new Date() };
  if (error === null) delete next.error;
  else if (error !== undefined) next.error = error;
  if (label === null) delete next.label;
  else if (label !== undefined) next.label = label;
  return next;
}

export function prepareGovernanceRecord(input: unknown, now: Date): GovernanceRecord {
  const parsed = parseRecord(NewGovernanceRecordSchema, input, 'governance record');
  return { ...parsed, id: parsed.id ?? newId('gov'), createdAt: now };
}

export function prepareRef(ref: unknown, field: string) {
  return parseRecord(RecordRefSchema, ref, field);
}

export function checkTenantAndId(tenantId: string, id: string): void {
  assertTenantId(tenantId);
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) {
    throw new PlatformError(
      ErrorCode.VALIDATION_FAILED,
      'invalid id: expected a non-empty string of at most 200 characters',
      {
        details: { field: 'id' },
      },
    );
  }
}

export function duplicateFile(existing: FileRecord): PlatformError {
  return new PlatformError(
    ErrorCode.CONFLICT,
    `a file with the same sha256 already exists in tenant '${existing.tenantId}': '${existing.id}'`,
    { details: { existingId: existing.id, sha256: existing.sha256 } },
  );
}

export function duplicateJourney(existing: JourneyRecord): PlatformError {
  return new PlatformError(
    ErrorCode.CONFLICT,
    `journey '${existing.id}' already exists for template '${existing.template}' and this idempotency key`,
    { details: { existingId: existing.id } },
  );
}

export function staleJourney(id: string, expected: number, current: number): PlatformError {
  return new PlatformError(
    ErrorCode.CONFLICT,
    `journey '${id}' is at version ${current}, not ${expected}: reload it and apply the change again`,
    { details: { currentVersion: current, expectedVersion: expected } },
  );
}

/** Keyset cursor over (createdAt, id): opaque to callers, refused when tampered with. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.getTime(), id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at === 'number' && Number.isFinite(at) && typeof id === 'string') return { at: new Date(at), id };
  } catch {
    // fall through to the error below
  }
  throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid cursor: pass the nextCursor of a previous page', {
    details: { field: 'cursor' },
  });
}
