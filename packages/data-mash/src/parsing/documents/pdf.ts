import { PlatformError } from '@platform/foundations/errors';
import type { ParseWarning } from '../delimited.js';

/** Options of {@link parsePdf}. */
export interface PdfParseOptions {
  /** Pages read; a longer document is refused with `PARSE_LIMIT_EXCEEDED`. Default 5,000. */
  maxPages?: number;
}

/** The text of a PDF, page by page. */
export interface PdfContent {
  pageCount: number;
  /** Text of each page, in page order (page 1 first). */
  pages: string[];
  title?: string;
  /** A missing end-of-file marker (a truncated upload) and pages without a text layer. */
  warnings: ParseWarning[];
}

/**
 * Extracts the text of every page of a PDF with unpdf (Mozilla's pdf.js, serverless build).
 * Encrypted documents are refused with `ENCRYPTED_FILE` (no password is tried), truncated or
 * corrupt ones with `MALFORMED_FILE`; scanned pages without a text layer come back empty.
 */
export async function parsePdf(bytes: Uint8Array, options: PdfParseOptions = {}): Promise<PdfContent> {
  const maxPages = options.maxPages ?? 5000;
  const { getDocumentProxy, getMeta } = await import('unpdf');
  // pdf.js takes ownership of (and may detach) the buffer it is given: hand it a copy.
  const data = new Uint8Array(bytes);
  let document: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    document = await getDocumentProxy(data, { stopAtErrors: false, verbosity: 0 });
  } catch (error) {
    throw pdfError(error);
  }
  try {
    if (document.numPages > maxPages) {
      throw new PlatformError(
        'PARSE_LIMIT_EXCEEDED',
        `the PDF has ${document.numPages} pages; the limit is ${maxPages}`,
        {
          details: { limit: 'maxPages', value: maxPages },
        },
      );
    }
    const pages: string[] = [];
    for (let number = 1; number <= document.numPages; number += 1) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str;
        if (item.hasEOL) text += '\n';
        else if (item.str !== '' && !text.endsWith(' ')) text += ' ';
      }
      pages.push(text.replace(/[ \t]+\n/g, '\n').trim());
      page.cleanup();
    }
    const warnings: ParseWarning[] = [];
    // pdf.js rebuilds a damaged cross-reference table and reads what it can: say so.
    const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1');
    if (!tail.includes('%%EOF')) {
      warnings.push({
        code: 'TRUNCATED_FILE',
        message: `the PDF has no end-of-file marker: it looks truncated; ${pages.length} page(s) were read`,
      });
    }
    pages.forEach((text, index) => {
      if (text === '')
        warnings.push({
          code: 'NO_TEXT_LAYER',
          message: `page ${index + 1} has no text layer (scanned?)`,
          page: index + 1,
        });
    });
    const meta = await getMeta(document).catch(() => undefined);
    const title = (meta?.info as { Title?: unknown } | undefined)?.Title;
    return {
      pageCount: document.numPages,
      pages,
      warnings,
      ...(typeof title === 'string' && title.trim() ? { title: title.trim() } : {}),
    };
  } catch (error) {
    throw pdfError(error);
  } finally {
    await document.loadingTask.destroy();
  }
}

function pdfError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  const name = (error as { name?: string }).name;
  if (name === 'PasswordException') {
    return new PlatformError('ENCRYPTED_FILE', 'the PDF is encrypted; decrypt it before uploading', {
      details: { format: 'pdf' },
    });
  }
  return new PlatformError('MALFORMED_FILE', `the PDF cannot be read: ${(error as Error).message}`, {
    details: { format: 'pdf' },
    cause: error,
  });
}
