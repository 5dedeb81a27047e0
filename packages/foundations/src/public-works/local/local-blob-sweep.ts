import type { Dirent } from 'node:fs';
import { opendir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TenantIdSchema } from '../ports/tenancy.js';
import { isMissing } from './local-blob-files.js';

/** Options of `LocalBlobStore.sweep`. */
export interface LocalBlobSweepOptions {
  /**
   * Only this tenant's data files and the pending index files of their writes. Default: every
   * tenant's data files and every stale pending index file.
   */
  tenantId?: string;
  /**
   * Only files last modified longer ago than this. A write in progress touches its data file as it
   * streams, so keep it well above the longest pause of a writer; `0` is safe only when nothing writes.
   */
  olderThanMs: number;
  /** Find only, remove nothing. */
  dryRun: boolean;
  /** The time ages are measured from; default now. */
  now?: Date | number;
}

/** A file `LocalBlobStore.sweep` found. */
export interface LocalBlobSweptFile {
  /** Absolute path. */
  path: string;
  /** `data`: bytes no index points to; `tmp`: the index file of a commit that never happened. */
  kind: 'data' | 'tmp';
  /** The tenant of a data file. */
  tenantId?: string;
  bytes: number;
  modifiedAt: Date;
  /** Whether the sweep removed it (never in a dry run). */
  removed: boolean;
}

type Found = Pick<LocalBlobSweptFile, 'path' | 'bytes' | 'modifiedAt'>;

/**
 * The sweep of a store rooted at `root` (`data/`, and `tmp/` where earlier versions wrote pending
 * index files); the options are checked already. `referencedData` answers the data file names a
 * tenant's objects point to, as committed now; `removeData` removes those of the given data files
 * that are still unreferenced, answering which it removed (the store does it under its index's
 * write lock, so that no write commits a file in between).
 */
export async function sweepLocalBlobs(
  root: string,
  options: LocalBlobSweepOptions,
  referencedData: (tenantId: string) => Promise<Set<string>>,
  removeData: (files: ReadonlyArray<{ tenantId: string; path: string }>) => Promise<Set<string>>,
): Promise<{ files: LocalBlobSweptFile[] }> {
  const now = options.now === undefined ? Date.now() : new Date(options.now).getTime();
  const cutoff = now - options.olderThanMs;
  const tenants: string[] = [];
  if (options.tenantId !== undefined) tenants.push(options.tenantId);
  else {
    for await (const entry of entries(join(root, 'data')))
      if (entry.isDirectory() && TenantIdSchema.safeParse(entry.name).success) tenants.push(entry.name);
  }
  const files: LocalBlobSweptFile[] = [];
  for (const tenantId of tenants) {
    for (const found of await unreferencedData(root, tenantId, cutoff, referencedData))
      files.push({ ...found, kind: 'data', tenantId, removed: false });
  }
  // A pending index file is named after the data file of its write: with a tenant, only those of
  // that tenant's unreferenced data files are known to be its own.
  const uncommitted = new Set(files.map((file) => basename(file.path)));
  for await (const entry of entries(join(root, 'tmp'))) {
    if (!entry.isFile()) continue;
    if (options.tenantId !== undefined && !uncommitted.has(entry.name.replace(/\.json$/, ''))) continue;
    const found = await statOlder(join(root, 'tmp', entry.name), cutoff);
    if (found) files.push({ ...found, kind: 'tmp', removed: false });
  }
  if (!options.dryRun) {
    const data = files.filter((file) => file.kind === 'data') as Array<LocalBlobSweptFile & { tenantId: string }>;
    const removed = await removeData(data);
    for (const file of files) {
      if (file.kind === 'tmp') {
        await rm(file.path, { force: true });
        file.removed = true;
      } else file.removed = removed.has(file.path);
    }
  }
  // A data file a write committed while the sweep ran is an object's now: not reported.
  return { files: options.dryRun ? files : files.filter((file) => file.kind === 'tmp' || file.removed) };
}

async function unreferencedData(
  root: string,
  tenantId: string,
  cutoff: number,
  referencedData: (tenantId: string) => Promise<Set<string>>,
): Promise<Found[]> {
  let referenced = await referencedData(tenantId);
  const found: Found[] = [];
  const directory = join(root, 'data', tenantId);
  for await (const entry of entries(directory)) {
    if (!entry.isFile() || referenced.has(entry.name)) continue;
    const file = await statOlder(join(directory, entry.name), cutoff);
    if (file) found.push(file);
  }
  if (found.length === 0) return found;
  // A write that committed while the directory was read points to its data file by now.
  referenced = await referencedData(tenantId);
  return found.filter((file) => !referenced.has(basename(file.path)));
}

/**
 * The data files the index files of earlier versions (`index/<tenant>/<key>.json`) point to: a
 * process of an earlier version still writing to the store commits there, and what it wrote must
 * never look unreferenced.
 * @throws when an index file does not parse: what it points to is unknown, so nothing is swept.
 */
export async function legacyReferencedData(root: string, tenantId: string): Promise<Set<string>> {
  const referenced = new Set<string>();
  for await (const entry of entries(join(root, 'index', tenantId), true)) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    let text: string;
    try {
      text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    } catch (error) {
      // Deleted since the directory was read: it points to nothing any more.
      if (isMissing(error)) continue;
      throw error;
    }
    const data = (JSON.parse(text) as { data?: unknown } | null)?.data;
    if (typeof data === 'string') referenced.add(data);
  }
  return referenced;
}

async function statOlder(path: string, cutoff: number): Promise<Found | undefined> {
  try {
    const info = await stat(path);
    return info.mtimeMs <= cutoff ? { path, bytes: info.size, modifiedAt: info.mtime } : undefined;
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

// The directory's entries one at a time (none when it does not exist): memory stays flat however
// many objects the store holds.
async function* entries(directory: string, recursive = false): AsyncGenerator<Dirent> {
  let handle: Awaited<ReturnType<typeof opendir>>;
  try {
    handle = await opendir(directory, { recursive });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  yield* handle;
}
