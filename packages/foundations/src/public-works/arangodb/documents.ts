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

/** An arangojs failure as `ADAPTER_UNAVAILABLE` naming the adapter and the step, no credentials. */
export function translate(error: unknown, what: string): PlatformError {
  if (error instanceof PlatformError) return error;
  const message = (error as Error).message ?? String(error);
  return new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `arangodb: ${what}: ${message.split('\n')[0]}`, {
    details: {
      adapter: 'arangodb',
      ...(typeof (error as { errorNum?: unknown }).errorNum === 'number'
        ? { errorNum: (error as { errorNum: number }).errorNum }
        : {}),
      ...(typeof (error as { code?: unknown }).code === 'string' ? { errno: (error as { code: string }).code } : {}),
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
