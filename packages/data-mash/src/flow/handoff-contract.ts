import { PlatformError } from '@platform/foundations/errors';
import { z } from 'zod';

/** Which side of a handoff checked the value. */
export type HandoffSide = 'producer' | 'consumer';

/** A versioned, validated boundary between two phases of a flow. */
export interface HandoffContract<Schema extends z.ZodType = z.ZodType> {
  /** snake_case, e.g. `file_parsed`. */
  readonly name: string;
  readonly version: number;
  /** `name@version`, how journeys and templates refer to the contract. */
  readonly id: string;
  readonly schema: Schema;
  /**
   * Validates a value crossing the handoff and returns it parsed. The producer checks before
   * handing off, the consumer on receipt (also when the value comes back from storage).
   * @throws {PlatformError} `CONTRACT_VIOLATION` naming the contract, the side and the field.
   */
  check(value: unknown, side: HandoffSide): z.output<Schema>;
  /** The contract as JSON Schema (draft 2020-12). */
  jsonSchema(): Record<string, unknown>;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Declares a handoff contract. The schema should be strict: an unknown field is a violation, and a producer that adds one bumps the version. */
export function defineHandoffContract<Schema extends z.ZodType>(
  name: string,
  version: number,
  schema: Schema,
): HandoffContract<Schema> {
  if (!NAME.test(name)) throw new TypeError(`contract name must be snake_case, got '${name}'`);
  if (!Number.isInteger(version) || version < 1)
    throw new TypeError(`contract version must be a whole number from 1, got ${version}`);
  const id = `${name}@${version}`;
  return {
    name,
    version,
    id,
    schema,
    check(value, side) {
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      const issues = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      }));
      const first = issues[0] as { path: string; message: string };
      throw new PlatformError(
        'CONTRACT_VIOLATION',
        `handoff '${id}' refused by the ${side}: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
        { details: { contract: id, side, issues } },
      );
    },
    jsonSchema() {
      return z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
    },
  };
}
