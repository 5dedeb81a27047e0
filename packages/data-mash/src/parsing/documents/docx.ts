import { PlatformError } from '@platform/foundations/errors';
import { extractHtml, type HtmlContent } from './html.js';
import { assertSafeZip, type ZipDocumentLimits } from './zip-guard.js';

/** Options of {@link parseDocx}. */
export type DocxParseOptions = ZipDocumentLimits;

/**
 * Reads a Word document (DOCX) with mammoth: its paragraphs, headings and lists as text and its
 * tables as rows. mammoth converts the document to semantic HTML, which the HTML reader then
 * walks, so DOCX and HTML tables come out the same way. Encrypted documents (which are not zip
 * archives but OLE containers) are refused with `ENCRYPTED_FILE`; zip bombs with
 * `PARSE_LIMIT_EXCEEDED`; anything else unreadable with `MALFORMED_FILE`.
 */
export async function parseDocx(
  bytes: Uint8Array,
  options: DocxParseOptions = {},
): Promise<HtmlContent & { messages: string[] }> {
  // An encrypted Office file is an OLE compound document, whatever its extension says.
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new PlatformError(
      'ENCRYPTED_FILE',
      'the DOCX is encrypted or in the old binary Word format; save it as a plain .docx',
      {
        details: { format: 'docx' },
      },
    );
  }
  const entries = assertSafeZip(bytes, 'docx', options);
  if (!entries.includes('word/document.xml')) {
    throw new PlatformError('MALFORMED_FILE', 'the archive has no word/document.xml: it is not a Word document', {
      details: { format: 'docx' },
    });
  }
  const { default: mammoth } = await import('mammoth');
  try {
    const result = await mammoth.convertToHtml({ buffer: Buffer.from(bytes) });
    return {
      ...extractHtml(result.value),
      messages: result.messages.filter((message) => message.type === 'error').map((message) => message.message),
    };
  } catch (error) {
    throw new PlatformError('MALFORMED_FILE', `the DOCX cannot be read: ${(error as Error).message}`, {
      details: { format: 'docx' },
      cause: error,
    });
  }
}
