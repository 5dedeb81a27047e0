import { z } from 'zod';
import type { FileDownload } from '../kernel/service-description.js';

/** Whether `value` has the shape of a {@link FileDownload} (a name, a media type, iterable bytes). */
export function isFileDownload(value: unknown): value is FileDownload {
  if (typeof value !== 'object' || value === null) return false;
  const { name, mediaType, size, data } = value as Partial<Record<keyof FileDownload, unknown>>;
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    typeof mediaType === 'string' &&
    mediaType.length > 0 &&
    (size === undefined || (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0)) &&
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/**
 * The output schema of a capability answering a file (`response: { body: 'file' }`): the API
 * Gateway checks the handler's answer against it like any output.
 */
export const FileDownloadSchema = z.custom<FileDownload>(
  isFileDownload,
  'a file download ({ name, mediaType, size?, data })',
);
