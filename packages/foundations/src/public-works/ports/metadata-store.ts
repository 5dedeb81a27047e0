import type {
  FileLink,
  FilePatch,
  FileRecord,
  FileStatus,
  GovernanceRecord,
  JourneyPatch,
  JourneyRecord,
  NewFileLink,
  NewFileRecord,
  NewGovernanceRecord,
  NewJourneyRecord,
  NewParsedFileRecord,
  ParsedFileRecord,
  RecordRef,
} from './metadata-records.js';
import type { Page, PageOptions } from './tenancy.js';

/**
 * Records about files and what the platform did with them, per tenant: files, parsed files,
 * lineage links, journeys with milestones, and governance records. Every method takes the
 * tenant id first and never returns another tenant's record; an id of another tenant's record
 * is `NOT_FOUND`, exactly like an id that does not exist.
 *
 * Errors: `VALIDATION_FAILED` for malformed input (nothing is written), `NOT_FOUND`,
 * `CONFLICT` for a duplicate or a stale journey version (with `details.existingId` or
 * `details.currentVersion`), `ADAPTER_UNAVAILABLE` when the backend cannot be reached.
 */
export interface MetadataStore {
  /** Adapter name, e.g. `memory`, `pglite`, `postgres`. */
  readonly kind: string;

  /**
   * Records a new file. A file with the same sha256 that is not deleted or quarantined already in
   * the tenant is a `CONFLICT` with `details.existingId`: duplicates are detected per tenant.
   */
  createFile(input: NewFileRecord): Promise<FileRecord>;
  /** @throws `NOT_FOUND` */
  getFile(tenantId: string, id: string): Promise<FileRecord>;
  /** The live (not deleted, not quarantined) file with this checksum, if any. */
  findFileBySha256(tenantId: string, sha256: string): Promise<FileRecord | undefined>;
  /** Newest first. */
  listFiles(tenantId: string, options?: PageOptions & { status?: FileStatus }): Promise<Page<FileRecord>>;
  /** @throws `NOT_FOUND` */
  updateFile(tenantId: string, id: string, patch: FilePatch): Promise<FileRecord>;
  /** Marks the file deleted (status and `deletedAt`); links and parsed records are kept for lineage. */
  deleteFile(tenantId: string, id: string): Promise<FileRecord>;

  /** Records a parse result; one per file and parser, so writing it again returns the same record updated. */
  putParsedFile(input: NewParsedFileRecord): Promise<ParsedFileRecord>;
  /** @throws `NOT_FOUND` */
  getParsedFile(tenantId: string, id: string): Promise<ParsedFileRecord>;
  listParsedFiles(tenantId: string, fileId: string): Promise<ParsedFileRecord[]>;

  /** Adds a lineage edge; adding the same edge again changes nothing. */
  addLink(input: NewFileLink): Promise<FileLink>;
  /** Edges from and/or to a record, optionally of one relation, oldest first. */
  listLinks(tenantId: string, filter: { from?: RecordRef; to?: RecordRef; relation?: string }): Promise<FileLink[]>;

  /** Creates a journey; one per tenant, template and idempotency key (`CONFLICT` with `details.existingId`). */
  createJourney(input: NewJourneyRecord): Promise<JourneyRecord>;
  /** @throws `NOT_FOUND` */
  getJourney(tenantId: string, id: string): Promise<JourneyRecord>;
  findJourneyByIdempotencyKey(tenantId: string, template: string, key: string): Promise<JourneyRecord | undefined>;
  /**
   * Newest first. `label`: only journeys whose label contains this text, ignoring the case of
   * A-Z (other letters as the backend folds them); journeys without a label never match.
   */
  listJourneys(
    tenantId: string,
    options?: PageOptions & { status?: JourneyRecord['status']; template?: string; label?: string },
  ): Promise<Page<JourneyRecord>>;
  /**
   * Applies `patch` if the journey is still at `expectedVersion`, and increments the version.
   * @throws `CONFLICT` (with `details.currentVersion`) when another writer got there first.
   */
  updateJourney(tenantId: string, id: string, expectedVersion: number, patch: JourneyPatch): Promise<JourneyRecord>;

  /**
   * Appends a governance record (never updated, never deleted) at the end of its tenant's audit
   * chain: the store sets `seq` (the tenant's next number, no gaps even under concurrent writers
   * in several processes), `prevHash` and `hash` (see `governanceRecordHash` and `verifyAudit`).
   */
  appendGovernanceRecord(input: NewGovernanceRecord): Promise<GovernanceRecord>;
  /**
   * Appends several records, in the order given, each as {@link appendGovernanceRecord} does: in
   * one transaction (all or none, one commit). Optional: a store without transactions (Supabase,
   * whose REST API runs each request on its own) or written before it leaves it out, and
   * `appendGovernanceBatch`, through which it is called, appends one record after another.
   */
  appendGovernanceRecords?(inputs: readonly NewGovernanceRecord[]): Promise<GovernanceRecord[]>;
  /**
   * Oldest first (by `createdAt`, then id). With `order: 'seq'`, only the chained records, by
   * `seq` ascending: the order `verifyAudit` walks (a cursor of one order is refused by the other).
   */
  listGovernanceRecords(
    tenantId: string,
    options?: PageOptions & { subject?: RecordRef; kind?: string; order?: 'createdAt' | 'seq' },
  ): Promise<Page<GovernanceRecord>>;
}
