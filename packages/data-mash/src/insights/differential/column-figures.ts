import type { ComparedColumn, ComparedInsights } from './compared-insights.js';
import type { Figures } from './figures.js';
import type { ReferenceTable } from './reference-table.js';

export const asNumber = (value: unknown) => (typeof value === 'bigint' ? Number(value) : (value as number));
export const ulps = (count: number, magnitude: number) => count * Number.EPSILON * magnitude;

/** The figures of one column. */
export class ColumnFigures {
  readonly table: ReferenceTable;
  readonly #figures: Figures;
  readonly insights: ComparedInsights;
  readonly name: string;
  readonly profile: ComparedColumn;
  readonly rowCount: number;
  readonly r: string;
  readonly x: string;
  facts: Record<string, unknown> = {};
  nonNull = 0;

  constructor(
    table: ReferenceTable,
    figures: Figures,
    insights: ComparedInsights,
    index: number,
    name: string,
    profile: ComparedColumn,
    rowCount: number,
  ) {
    this.table = table;
    this.#figures = figures;
    this.insights = insights;
    this.name = name;
    this.profile = profile;
    this.rowCount = rowCount;
    this.r = `r${index}`;
    this.x = `x${index}`;
  }

  exact(figure: string, sdk: unknown, duckdb: unknown): void {
    this.#figures.exact(this.name, figure, sdk, duckdb);
  }

  near(figure: string, sdk: unknown, duckdb: unknown, bound: number, tolerance: string): void {
    this.#figures.near(this.name, figure, sdk, duckdb, bound, tolerance);
  }

  add(figure: string, sdk: unknown, duckdb: unknown, tolerance: string, ok: boolean): void {
    this.#figures.add(this.name, figure, sdk, duckdb, tolerance, ok);
  }
}
