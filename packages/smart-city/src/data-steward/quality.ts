import { ErrorCode, PlatformError } from '@platform/foundations';
import { z } from 'zod';

/** Declarative quality rules on tabular data. */
export const QualityRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      id: z.string(),
      kind: z.literal('completeness'),
      column: z.string(),
      minPassRate: z.number().min(0).max(1).default(1),
    })
    .strict(),
  z
    .object({
      id: z.string(),
      kind: z.literal('uniqueness'),
      column: z.string(),
      minPassRate: z.number().min(0).max(1).default(1),
    })
    .strict(),
  z
    .object({
      id: z.string(),
      kind: z.literal('range'),
      column: z.string(),
      min: z.number().optional(),
      max: z.number().optional(),
      minPassRate: z.number().min(0).max(1).default(1),
    })
    .strict(),
  z
    .object({
      id: z.string(),
      kind: z.literal('pattern'),
      column: z.string(),
      pattern: z.string().max(500),
      minPassRate: z.number().min(0).max(1).default(1),
    })
    .strict(),
]);
export type QualityRule = z.input<typeof QualityRuleSchema>;

/** How one rule fared. */
export interface QualityResult {
  rule: string;
  kind: QualityRule['kind'];
  column: string;
  passed: boolean;
  /** Share (0-1) of rows that pass. */
  passRate: number;
  checked: number;
  /** Up to `sampleSize` failing rows: their index and the offending value. */
  failedSamples: Array<{ row: number; value: unknown }>;
}

const isEmpty = (value: unknown) =>
  value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

/** Runs the rules over the rows; every result has a pass rate and samples of failing rows. */
export function checkQuality(
  rows: ReadonlyArray<Record<string, unknown>>,
  rules: readonly QualityRule[],
  sampleSize = 5,
): QualityResult[] {
  return rules.map((input) => {
    const parsed = QualityRuleSchema.safeParse(input);
    if (!parsed.success) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `invalid quality rule: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
        {
          details: { rule: (input as { id?: unknown }).id },
        },
      );
    }
    const rule = parsed.data;
    let pattern: RegExp | undefined;
    if (rule.kind === 'pattern') {
      try {
        pattern = new RegExp(rule.pattern, 'u');
      } catch {
        throw new PlatformError(
          ErrorCode.VALIDATION_FAILED,
          `quality rule '${rule.id}': the pattern is not a valid regular expression`,
          {
            details: { rule: rule.id },
          },
        );
      }
    }
    const seen = new Map<string, number>();
    if (rule.kind === 'uniqueness') {
      for (const row of rows)
        if (!isEmpty(row[rule.column]))
          seen.set(String(row[rule.column]), (seen.get(String(row[rule.column])) ?? 0) + 1);
    }
    const failed: Array<{ row: number; value: unknown }> = [];
    let checked = 0;
    rows.forEach((row, index) => {
      const value = row[rule.column];
      let ok: boolean;
      switch (rule.kind) {
        case 'completeness':
          ok = !isEmpty(value);
          break;
        case 'uniqueness':
          if (isEmpty(value)) return;
          ok = seen.get(String(value)) === 1;
          break;
        case 'range': {
          if (isEmpty(value)) return;
          const number = typeof value === 'number' ? value : Number(value);
          ok =
            Number.isFinite(number) &&
            (rule.min === undefined || number >= rule.min) &&
            (rule.max === undefined || number <= rule.max);
          break;
        }
        case 'pattern':
          if (isEmpty(value)) return;
          ok = (pattern as RegExp).test(String(value).slice(0, 10_000));
          break;
      }
      checked += 1;
      if (!ok) failed.push({ row: index, value });
    });
    const passRate = checked === 0 ? 1 : (checked - failed.length) / checked;
    return {
      rule: rule.id,
      kind: rule.kind,
      column: rule.column,
      passed: passRate >= rule.minPassRate,
      passRate: Math.round(passRate * 10_000) / 10_000,
      checked,
      failedSamples: failed.slice(0, sampleSize),
    };
  });
}
