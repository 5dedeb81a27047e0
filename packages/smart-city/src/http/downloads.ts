import type { FileDownload } from '@platform/foundations';

// A file answered for download (`response: { body: 'file' }`), streamed as it is read.

/**
 * `Content-Disposition: attachment` naming the file (RFC 6266): an ASCII `filename` for old
 * clients, and `filename*` with the name in UTF-8 (RFC 8187).
 */
export function attachmentDisposition(name: string): string {
  // Whole characters only (a lone surrogate cannot be encoded), and none that reorders the text.
  const whole = [...name.toWellFormed().replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '_')];
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_').slice(0, 200) || 'download';
  const utf8 = encodeURIComponent(whole.slice(0, 255).join('')).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

// Pulls the bytes as the client reads them; a client that goes away ends the iteration, so the
// handler's file or stream is closed.
function streamOf(data: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = data[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** The response of a file download: its bytes (none for HEAD), type, length and name. */
export function downloadResponse(
  file: FileDownload,
  init: { status: number; method: string; headers: Record<string, string> },
): Response {
  const headers: Record<string, string> = {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Opened in a tab rather than saved, it still runs nothing and loads nothing.
    'content-security-policy': "sandbox; default-src 'none'",
    ...init.headers,
    'content-type': file.mediaType,
    'content-disposition': attachmentDisposition(file.name),
  };
  if (file.size !== undefined) headers['content-length'] = String(file.size);
  if (init.method === 'HEAD') {
    void file.data[Symbol.asyncIterator]().return?.();
    return new Response(null, { status: init.status, headers });
  }
  return new Response(streamOf(file.data), { status: init.status, headers });
}
