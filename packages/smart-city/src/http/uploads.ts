import { ErrorCode, PlatformError } from '@platform/foundations';

/** A file uploaded as a request body, as the front door hands it to a `body: 'file'` API. */
export interface HttpUploadedFile {
  /** From the `name` query parameter, else the `Content-Disposition` filename; `''` when neither. */
  name: string;
  /** The `Content-Type` (without parameters), unless it is the generic `application/octet-stream`. */
  declaredType?: string;
  /**
   * The body's bytes, streamed as they arrive (never buffered whole), read once. Reading past the
   * upload limit throws `FILE_TOO_LARGE`.
   */
  data: AsyncIterable<Uint8Array>;
}

function tooLarge(limitBytes: number, code: 'FILE_TOO_LARGE' | 'REQUEST_TOO_LARGE'): PlatformError {
  return new PlatformError(
    code,
    code === 'FILE_TOO_LARGE'
      ? `the file is larger than the upload limit of ${limitBytes} bytes`
      : `the request body is larger than the limit of ${limitBytes} bytes`,
    { details: { limitBytes } },
  );
}

function unsupportedMediaType(message: string, accepted: string): PlatformError {
  return new PlatformError('UNSUPPORTED_MEDIA_TYPE', message, { details: { accepted } });
}

// What clients send when they say nothing about the file: curl's `--data-binary` default, fetch's
// default for bytes. Taken as "not declared", so the bytes and the name decide.
const UNDECLARED_TYPES = new Set(['application/octet-stream', 'application/x-www-form-urlencoded']);

/** The declared length of a request body, or `undefined` when not declared (chunked) or not a number. */
export function declaredLength(request: Request): number | undefined {
  const header = request.headers.get('content-length');
  if (header === null || !/^\s*\d{1,16}\s*$/.test(header)) return undefined;
  return Number(header);
}

/** The media type of a request, lower-case, without parameters; `undefined` when absent. */
export function mediaTypeOf(request: Request): string | undefined {
  const header = request.headers.get('content-type');
  if (header === null) return undefined;
  const type = header.split(';')[0]?.trim().toLowerCase() ?? '';
  return type.length > 0 ? type : undefined;
}

/**
 * The filename of a `Content-Disposition` header: `filename*` (RFC 6266/5987, UTF-8) before
 * `filename`; `undefined` when there is none or it cannot be decoded.
 */
export function dispositionFilename(header: string | null): string | undefined {
  if (header === null || header.length > 2048) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)'[^']*'([^;\s]+)/.exec(header)?.[1];
  if (extended !== undefined) {
    try {
      return decodeURIComponent(extended);
    } catch {
      return undefined;
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(header)?.[1];
  if (quoted !== undefined) return quoted.replace(/\\(.)/g, '$1');
  return /filename\s*=\s*([^;\s]+)/.exec(header)?.[1];
}

/**
 * The uploaded file of a `body: 'file'` request, streamed: the declared `Content-Length` is
 * checked at once, the bytes are counted as they arrive, and both refuse a body over `maxBytes`
 * with `FILE_TOO_LARGE` before anything past the limit is read.
 * @throws {PlatformError} `FILE_TOO_LARGE` (declared length over the limit);
 * `UNSUPPORTED_MEDIA_TYPE` for `multipart/*` (send the file's bytes as the body).
 */
export function uploadedFile(request: Request, url: URL, maxBytes: number): HttpUploadedFile {
  const mediaType = mediaTypeOf(request);
  if (mediaType?.startsWith('multipart/')) {
    throw unsupportedMediaType(
      'send the file itself as the request body (with its Content-Type and ?name=), not a multipart form',
      'the file as the body',
    );
  }
  const length = declaredLength(request);
  if (length !== undefined && length > maxBytes) throw tooLarge(maxBytes, 'FILE_TOO_LARGE');
  const name = url.searchParams.get('name') ?? dispositionFilename(request.headers.get('content-disposition')) ?? '';
  const body = request.body;
  let reads = 0;
  async function* stream(): AsyncGenerator<Uint8Array> {
    if (++reads > 1) {
      throw new PlatformError(ErrorCode.INTERNAL, 'an uploaded body can be read only once');
    }
    if (body === null) return;
    let count = 0;
    // Breaking out of (or throwing in) this loop cancels the body, which releases the socket.
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
      count += chunk.byteLength;
      if (count > maxBytes) throw tooLarge(maxBytes, 'FILE_TOO_LARGE');
      yield chunk;
    }
  }
  return {
    name,
    ...(mediaType && !UNDECLARED_TYPES.has(mediaType) ? { declaredType: mediaType } : {}),
    data: { [Symbol.asyncIterator]: () => stream() },
  };
}

function isJsonMediaType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType);
}

/**
 * The JSON object body of a request, read up to `maxBytes`; `undefined` when the request has no
 * body.
 * @throws {PlatformError} `REQUEST_TOO_LARGE` over the limit (declared or read);
 * `UNSUPPORTED_MEDIA_TYPE` for a body that is not declared `application/json`;
 * `VALIDATION_FAILED` for a body that is not UTF-8, not JSON, or not a JSON object.
 */
export async function jsonBody(request: Request, maxBytes: number): Promise<Record<string, unknown> | undefined> {
  const length = declaredLength(request);
  if (request.body === null || length === 0) return undefined;
  const mediaType = mediaTypeOf(request);
  if (mediaType !== undefined && !isJsonMediaType(mediaType)) {
    throw unsupportedMediaType(
      `the body must be JSON (Content-Type: application/json), not ${mediaType.slice(0, 100)}`,
      'application/json',
    );
  }
  if (length !== undefined && length > maxBytes) throw tooLarge(maxBytes, 'REQUEST_TOO_LARGE');
  const chunks: Uint8Array[] = [];
  let count = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    count += chunk.byteLength;
    if (count > maxBytes) throw tooLarge(maxBytes, 'REQUEST_TOO_LARGE');
    chunks.push(chunk);
  }
  if (count === 0) return undefined;
  if (mediaType === undefined) {
    throw unsupportedMediaType('the body must be declared JSON (Content-Type: application/json)', 'application/json');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks, count));
  } catch {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'the body is not valid UTF-8', { details: { field: 'body' } });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlatformError(
      ErrorCode.VALIDATION_FAILED,
      `the body is not valid JSON: ${(error as Error).message.slice(0, 200)}`,
      {
        details: { field: 'body' },
      },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'the body must be a JSON object', {
      details: { field: 'body' },
    });
  }
  return value as Record<string, unknown>;
}
