export { type DocxParseOptions, parseDocx } from './docx.js';
export { type ExtractedTable, extractHtml, type HtmlContent } from './html.js';
export { type MarkdownSection, type MarkdownStructure, parseMarkdownStructure } from './markdown.js';
export { type PdfContent, type PdfParseOptions, parsePdf } from './pdf.js';
export { parseXlsx, type XlsxParseOptions, type XlsxParseReport, type XlsxSheetReport } from './xlsx.js';
export type { ZipDocumentLimits } from './zip-guard.js';
