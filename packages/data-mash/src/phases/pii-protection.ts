import { PlatformError } from '@platform/foundations';
import { type PiiRedactor, type PiiTreatment, type PiiType, piiRedactor, piiTypeOf } from '@platform/smart-city';
import type { ParsedTable, ParseResult } from '../content/parse-content.js';
import type { ColumnProfile } from '../insights/column-profile.js';
import type { TableInsights } from '../insights/table-profiler.js';

/**
 * How the flow treats personal data outside the client's own copy of a file: one
 * {@link PiiTreatment} for every tenant, or one a tenant. Default `{ mode: 'mask' }`.
 */
export type FlowPiiOptions = PiiTreatment | ((tenantId: string) => PiiTreatment);

/** The personal-data kind of each column of a table that holds one, by column name. */
export type PiiColumns = Readonly<Record<string, PiiType>>;

/**
 * The redactor of a tenant for the flow's options.
 * @throws {PlatformError} `CONFIG_INVALID` for a treatment that is not one (unknown mode, short key).
 */
export function flowPiiRedactor(options: FlowPiiOptions | undefined, tenantId: string): PiiRedactor {
  const treatment = typeof options === 'function' ? options(tenantId) : (options ?? { mode: 'mask' });
  if (!treatment || typeof treatment !== 'object') {
    throw new PlatformError(
      'CONFIG_INVALID',
      `the PII treatment for tenant '${tenantId}' is not one (mask, hash or keep)`,
      {
        details: { tenantId },
      },
    );
  }
  return piiRedactor(treatment, tenantId);
}

function protectColumn(column: ColumnProfile, kind: PiiType | undefined, redactor: PiiRedactor): ColumnProfile {
  const topValues = column.topValues.map((top) => ({ ...top, value: redactor.value(top.value, kind) }));
  if (!kind) {
    return {
      ...column,
      topValues,
      ...(column.text
        ? { text: { ...column.text, keywords: column.text.keywords.filter((entry) => !piiTypeOf(entry.word)) } }
        : {}),
    };
  }
  // A column of personal data keeps its counts and lengths; its figures (a card number's min,
  // a phone number's mean), dates and words would be its values.
  const { numeric: _numeric, dates: _dates, text, ...rest } = column;
  return { ...rest, topValues, ...(text ? { text: { ...text, keywords: [] } } : {}), pii: kind };
}

/**
 * A table's insights with personal data replaced as the redactor says: in columns of personal
 * data (`columns`) every value, figure, date and keyword (counts and lengths kept, `pii` set);
 * elsewhere the personal data found inside values; top values, first rows, outlier examples and
 * quality messages alike.
 */
export function protectTableInsights(
  insights: TableInsights,
  columns: PiiColumns,
  redactor: PiiRedactor,
): TableInsights {
  if (redactor.mode === 'keep') return markColumns(insights, columns);
  const kinds = insights.columns.map((column) => columns[column.name]);
  const protectedColumns = insights.columns.map((column, index) => protectColumn(column, kinds[index], redactor));
  const quality = insights.quality.map((flag) => {
    let message = flag.message;
    // Messages quote a column's top value ('x' is 60 % of its values): quoted as its token.
    const index = flag.column === undefined ? -1 : insights.columns.findIndex((column) => column.name === flag.column);
    if (index >= 0) {
      insights.columns[index]?.topValues.forEach((top, rank) => {
        const token = protectedColumns[index]?.topValues[rank]?.value ?? '';
        if (top.value !== token) message = message.replaceAll(`'${top.value}'`, `'${token}'`);
      });
    }
    return { ...flag, message: redactor.text(message) };
  });
  return {
    ...insights,
    columns: protectedColumns,
    outliers: insights.outliers.filter((outlier) => !columns[outlier.column]),
    quality,
    rows: {
      ...insights.rows,
      firstRows: insights.rows.firstRows.map((row) =>
        row.map((cell, index) => (cell === null ? null : redactor.value(cell, kinds[index]))),
      ),
    },
  };
}

function markColumns(insights: TableInsights, columns: PiiColumns): TableInsights {
  return {
    ...insights,
    columns: insights.columns.map((column) => {
      const kind = columns[column.name];
      return kind ? { ...column, pii: kind } : column;
    }),
  };
}

function protectTable(table: ParsedTable, columns: PiiColumns, redactor: PiiRedactor): ParsedTable {
  const samples = Object.fromEntries(
    Object.entries(table.samples).map(([column, values]) => [
      column,
      values.map((value) => redactor.value(value, columns[column])),
    ]),
  );
  return {
    ...table,
    samples,
    ...(Object.keys(columns).length > 0 ? { pii: { ...columns } } : {}),
    ...(table.profile
      ? { profile: { ...table.profile, insights: protectTableInsights(table.profile.insights, columns, redactor) } }
      : {}),
  };
}

/**
 * The parse result as it is kept beside the client's copy: samples, profiles, chunk texts, their
 * section headings and the title with personal data replaced (see {@link protectTableInsights}), each table tagged
 * with its columns of personal data (`pii`). The stored rows and text (`rowsKey`, `textKey`) are
 * the client's copy and are not touched.
 */
export function protectParse(
  parse: ParseResult,
  columns: ReadonlyMap<string, PiiColumns>,
  redactor: PiiRedactor,
): ParseResult {
  const tables = parse.structured?.tables;
  const unstructured = parse.unstructured;
  return {
    ...parse,
    piiTreatment: redactor.mode,
    ...(tables
      ? { structured: { tables: tables.map((table) => protectTable(table, columns.get(table.name) ?? {}, redactor)) } }
      : {}),
    ...(unstructured
      ? {
          unstructured: {
            ...unstructured,
            chunks: unstructured.chunks.map((chunk) => ({
              ...chunk,
              text: redactor.text(chunk.text),
              ...(chunk.section ? { section: chunk.section.map((heading) => redactor.text(heading)) } : {}),
            })),
            ...(unstructured.title !== undefined ? { title: redactor.text(unstructured.title) } : {}),
          },
        }
      : {}),
  };
}
