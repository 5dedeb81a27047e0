import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ContentRecord, SemanticSearchResult } from '../ports/semantic-store.js';

/** A content record as stored. */
export interface ContentDocument {
  _key: string;
  tenantId: string;
  contentId: string;
  fileId?: string;
  kind: string;
  title?: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** ArangoDB error numbers of a write that lost a race (write-write conflict, unique constraint). */
const CONFLICTS = new Set([1200, 1210]);
/** Refused or missing what the store needs: forbidden, collection or database not found. */
const REFUSED = new Set([11, 1203, 1228]);

/**
 * An arangojs failure as the port's errors, by what a caller can do about it: `CONFLICT` (a
 * write that lost a race), `RATE_LIMITED`, `ADAPTER_UNAVAILABLE` naming the adapter and the step
 * for the network, a server error or a refusal (credentials, a collection missing), `INTERNAL`
 * for a request the server could not accept (an AQL error: a bug). Never credentials.
 */
export function translate(error: unknown, what: string): PlatformError {
  if (error instanceof PlatformError) return error;
  const message = (error as Error)?.message ?? String(error);
  const errorNum = (error as { errorNum?: unknown })?.errorNum;
  const code = (error as { code?: unknown })?.code;
  const status = typeof code === 'number' ? code : undefined;
  let kind: string;
  if (typeof errorNum === 'number' && CONFLICTS.has(errorNum)) kind = ErrorCode.CONFLICT;
  else if (status === 429) kind = ErrorCode.RATE_LIMITED;
  else if (
    typeof errorNum !== 'number' ||
    status === undefined ||
    status >= 500 ||
    status === 401 ||
    status === 403 ||
    REFUSED.has(errorNum)
  ) {
    kind = ErrorCode.ADAPTER_UNAVAILABLE;
  } else kind = ErrorCode.INTERNAL;
  return new PlatformError(kind, `arangodb: ${what}: ${message.split('\n')[0]}`, {
    details: {
      adapter: 'arangodb',
      ...(typeof errorNum === 'number' ? { errorNum } : {}),
      ...(status === undefined ? {} : { status }),
      ...(typeof code === 'string' ? { errno: code } : {}),
    },
    cause: error,
  });
}

export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

export function ignoreDuplicate(error: unknown): void {
  // 1207: duplicate name, 1925: graph exists: another starter created it first.
  const errorNum = (error as { errorNum?: number }).errorNum;
  if (errorNum !== 1207 && errorNum !== 1925) throw error;
}

export function fromContentDocument(document: ContentDocument): ContentRecord {
  return {
    tenantId: document.tenantId,
    contentId: document.contentId,
    ...(document.fileId === undefined || document.fileId === null ? {} : { fileId: document.fileId }),
    kind: document.kind,
    ...(document.title === undefined || document.title === null ? {} : { title: document.title }),
    metadata: document.metadata ?? {},
    createdAt: new Date(document.createdAt),
    updatedAt: new Date(document.updatedAt),
  };
}

export function withoutNullText(hit: SemanticSearchResult & { text: string | null }): SemanticSearchResult {
  const { text, ...rest } = hit;
  return text === null || text === undefined ? rest : { ...rest, text };
}
