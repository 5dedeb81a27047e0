import { type AuditHead, chainGovernanceRecord, decodeSeqCursor, encodeSeqCursor } from '../audit-chain.js';
import {
  checkTenantAndId,
  decodeCursor,
  duplicateFile,
  duplicateJourney,
  encodeCursor,
  patchedJourney,
  prepareFile,
  prepareFilePatch,
  prepareGovernanceRecord,
  prepareJourney,
  prepareJourneyPatch,
  prepareLink,
  prepareParsedFile,
  prepareRef,
  staleJourney,
} from '../metadata-input.js';
import type {
  FileLink,
  FileRecord,
  GovernanceRecord,
  JourneyRecord,
  NewGovernanceRecord,
  ParsedFileRecord,
  RecordRef,
} from '../ports/metadata-records.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { assertTenantId, notFound, type Page, type PageOptions, pageLimit } from '../ports/tenancy.js';

type Timed = { createdAt: Date; id: string };

function page<T extends Timed>(rows: T[], options: PageOptions | undefined, direction: 'asc' | 'desc'): Page<T> {
  const limit = pageLimit(options);
  const cursor = decodeCursor(options?.cursor);
  const sign = direction === 'asc' ? 1 : -1;
  const compare = (a: Timed, b: Timed) =>
    sign * (a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sorted = [...rows].sort(compare);
  const after = cursor ? sorted.filter((row) => compare(row, { createdAt: cursor.at, id: cursor.id }) > 0) : sorted;
  const items = after.slice(0, limit).map((row) => structuredClone(row));
  const last = items.at(-1);
  return after.length > limit && last ? { items, nextCursor: encodeCursor(last.createdAt, last.id) } : { items };
}

const sameRef = (a: RecordRef, b: RecordRef) => a.kind === b.kind && a.id === b.id;
const isLive = (file: FileRecord) => file.status !== 'deleted' && file.status !== 'quarantined';

/**
 * A {@link MetadataStore} in process memory, with the same validation, conflicts and ordering
 * as the SQL adapters (the shared conformance suite holds them to it).
 */
export class MemoryMetadataStore implements MetadataStore {
  readonly kind = 'memory';
  readonly #files = new Map<string, FileRecord>();
  readonly #parsed = new Map<string, ParsedFileRecord>();
  readonly #links: FileLink[] = [];
  readonly #journeys = new Map<string, JourneyRecord>();
  readonly #governance: GovernanceRecord[] = [];
  readonly #heads = new Map<string, AuditHead>();

  #row<T>(table: Map<string, T>, kind: string, tenantId: string, id: string): T {
    checkTenantAndId(tenantId, id);
    const row = table.get(`${tenantId}\u0000${id}`);
    if (!row) throw notFound(kind, tenantId, id);
    return row;
  }

  // Checks and writes below never await in between, so concurrent callers cannot both pass a
  // uniqueness check: the same guarantee the SQL adapters get from unique indexes.
  #liveBySha256(tenantId: string, sha256: string): FileRecord | undefined {
    return [...this.#files.values()].find(
      (file) => file.tenantId === tenantId && file.sha256 === sha256 && isLive(file),
    );
  }

  async createFile(input: Parameters<MetadataStore['createFile']>[0]) {
    const file = prepareFile(input, new Date());
    const existing = isLive(file) ? this.#liveBySha256(file.tenantId, file.sha256) : undefined;
    if (existing) throw duplicateFile(existing);
    this.#files.set(`${file.tenantId}\u0000${file.id}`, file);
    return structuredClone(file);
  }

  async getFile(tenantId: string, id: string) {
    return structuredClone(this.#row(this.#files, 'file', tenantId, id));
  }

  async findFileBySha256(tenantId: string, sha256: string) {
    assertTenantId(tenantId);
    const found = this.#liveBySha256(tenantId, sha256);
    return found ? structuredClone(found) : undefined;
  }

  async listFiles(tenantId: string, options: Parameters<MetadataStore['listFiles']>[1] = {}) {
    assertTenantId(tenantId);
    const rows = [...this.#files.values()].filter(
      (file) => file.tenantId === tenantId && (options.status === undefined || file.status === options.status),
    );
    return page(rows, options, 'desc');
  }

  async updateFile(tenantId: string, id: string, patch: Parameters<MetadataStore['updateFile']>[2]) {
    const changes = prepareFilePatch(patch);
    const file = this.#row(this.#files, 'file', tenantId, id);
    const updated: FileRecord = { ...file, ...changes, updatedAt: new Date() };
    if (isLive(updated) && !isLive(file)) {
      const other = this.#liveBySha256(tenantId, file.sha256);
      if (other) throw duplicateFile(other);
    }
    this.#files.set(`${tenantId}\u0000${id}`, updated);
    return structuredClone(updated);
  }

  async deleteFile(tenantId: string, id: string) {
    const file = this.#row(this.#files, 'file', tenantId, id);
    const now = new Date();
    const deleted: FileRecord = { ...file, status: 'deleted', updatedAt: now, deletedAt: file.deletedAt ?? now };
    this.#files.set(`${tenantId}\u0000${id}`, deleted);
    return structuredClone(deleted);
  }

  async putParsedFile(input: Parameters<MetadataStore['putParsedFile']>[0]) {
    const record = prepareParsedFile(input, new Date());
    this.#row(this.#files, 'file', record.tenantId, record.fileId);
    const existing = [...this.#parsed.values()].find(
      (row) => row.tenantId === record.tenantId && row.fileId === record.fileId && row.parser === record.parser,
    );
    const stored = existing ? { ...record, id: existing.id, createdAt: existing.createdAt } : record;
    this.#parsed.set(`${stored.tenantId}\u0000${stored.id}`, stored);
    return structuredClone(stored);
  }

  async getParsedFile(tenantId: string, id: string) {
    return structuredClone(this.#row(this.#parsed, 'parsed file', tenantId, id));
  }

  async listParsedFiles(tenantId: string, fileId: string) {
    checkTenantAndId(tenantId, fileId);
    return page(
      [...this.#parsed.values()].filter((row) => row.tenantId === tenantId && row.fileId === fileId),
      { limit: 1000 },
      'asc',
    ).items;
  }

  async addLink(input: Parameters<MetadataStore['addLink']>[0]) {
    const link = prepareLink(input, new Date());
    const existing = this.#links.find(
      (row) =>
        row.tenantId === link.tenantId &&
        row.relation === link.relation &&
        sameRef(row.from, link.from) &&
        sameRef(row.to, link.to),
    );
    if (existing) return structuredClone(existing);
    this.#links.push(link);
    return structuredClone(link);
  }

  async listLinks(tenantId: string, filter: Parameters<MetadataStore['listLinks']>[1]) {
    assertTenantId(tenantId);
    const from = filter.from ? prepareRef(filter.from, 'from') : undefined;
    const to = filter.to ? prepareRef(filter.to, 'to') : undefined;
    return this.#links
      .filter(
        (link) =>
          link.tenantId === tenantId &&
          (!from || sameRef(link.from, from)) &&
          (!to || sameRef(link.to, to)) &&
          (filter.relation === undefined || link.relation === filter.relation),
      )
      .map((link) => structuredClone(link));
  }

  async createJourney(input: Parameters<MetadataStore['createJourney']>[0]) {
    const journey = prepareJourney(input, new Date());
    if (journey.idempotencyKey !== undefined) {
      const existing = this.#journeyByKey(journey.tenantId, journey.template, journey.idempotencyKey);
      if (existing) throw duplicateJourney(existing);
    }
    this.#journeys.set(`${journey.tenantId}\u0000${journey.id}`, journey);
    return structuredClone(journey);
  }

  #journeyByKey(tenantId: string, template: string, key: string): JourneyRecord | undefined {
    return [...this.#journeys.values()].find(
      (journey) => journey.tenantId === tenantId && journey.template === template && journey.idempotencyKey === key,
    );
  }

  async getJourney(tenantId: string, id: string) {
    return structuredClone(this.#row(this.#journeys, 'journey', tenantId, id));
  }

  async findJourneyByIdempotencyKey(tenantId: string, template: string, key: string) {
    assertTenantId(tenantId);
    const found = this.#journeyByKey(tenantId, template, key);
    return found ? structuredClone(found) : undefined;
  }

  async listJourneys(tenantId: string, options: Parameters<MetadataStore['listJourneys']>[1] = {}) {
    assertTenantId(tenantId);
    const rows = [...this.#journeys.values()].filter(
      (journey) =>
        journey.tenantId === tenantId &&
        (options.status === undefined || journey.status === options.status) &&
        (options.template === undefined || journey.template === options.template) &&
        (options.label === undefined || labelContains(journey.label, options.label)),
    );
    return page(rows, options, 'desc');
  }

  async updateJourney(
    tenantId: string,
    id: string,
    expectedVersion: number,
    patch: Parameters<MetadataStore['updateJourney']>[3],
  ) {
    const changes = prepareJourneyPatch(patch);
    const journey = this.#row(this.#journeys, 'journey', tenantId, id);
    if (journey.version !== expectedVersion) throw staleJourney(id, expectedVersion, journey.version);
    const updated = patchedJourney(journey, changes);
    this.#journeys.set(`${tenantId}\u0000${id}`, updated);
    return structuredClone(updated);
  }

  async appendGovernanceRecord(input: Parameters<MetadataStore['appendGovernanceRecord']>[0]) {
    const [record] = await this.appendGovernanceRecords([input]);
    return record as GovernanceRecord;
  }

  async appendGovernanceRecords(inputs: readonly NewGovernanceRecord[]) {
    // All checked before any is appended (all or none); heads read and records appended without
    // awaiting in between, so concurrent callers cannot share a seq.
    const prepared = inputs.map((input) => prepareGovernanceRecord(input, new Date()));
    return prepared.map((record) => {
      const chained = chainGovernanceRecord(record, this.#heads.get(record.tenantId));
      this.#governance.push(chained);
      this.#heads.set(chained.tenantId, { seq: chained.seq as number, hash: chained.hash as string });
      return structuredClone(chained);
    });
  }

  async listGovernanceRecords(tenantId: string, options: Parameters<MetadataStore['listGovernanceRecords']>[1] = {}) {
    assertTenantId(tenantId);
    const subject = options.subject ? prepareRef(options.subject, 'subject') : undefined;
    const rows = this.#governance.filter(
      (record) =>
        record.tenantId === tenantId &&
        (!subject || sameRef(record.subject, subject)) &&
        (options.kind === undefined || record.kind === options.kind),
    );
    if (options.order !== 'seq') return page(rows, options, 'asc');
    const limit = pageLimit(options);
    const after = decodeSeqCursor(options.cursor) ?? 0;
    const chained = rows
      .filter((record) => record.seq !== undefined && record.seq > after)
      .sort((a, b) => (a.seq as number) - (b.seq as number));
    const items = chained.slice(0, limit).map((record) => structuredClone(record));
    const last = items.at(-1);
    return chained.length > limit && last ? { items, nextCursor: encodeSeqCursor(last.seq as number) } : { items };
  }
}

// Whether a label contains the text, ignoring the case of A-Z only, as SQLite's lower() does.
function labelContains(label: string | undefined, text: string): boolean {
  const fold = (value: string) => value.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
  return label !== undefined && fold(label).includes(fold(text));
}
