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
  /** Earlier versions the consumer still accepts (values stored before this version), upgraded on receipt. */
  readonly reads?: readonly HandoffContract[];
}

/** An earlier version of a contract that consumers of the new one still accept, and how it is upgraded. */
export interface HandoffUpgrade<Schema extends z.ZodType> {
  /** The earlier version (same name, lower version). */
  from: HandoffContract;
  /** Its value, checked against `from`, as a value of the new version. */
  upgrade: (value: unknown) => z.input<Schema>;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Declares a handoff contract. The schema should be strict: an unknown field is a violation, and a
 * producer that adds one bumps the version. `options.upgrades` names earlier versions that stored
 * journeys may hold: the consumer side accepts them, upgraded; producers give this version only.
 */
export function defineHandoffContract<Schema extends z.ZodType>(
  name: string,
  version: number,
  schema: Schema,
  options: { upgrades?: ReadonlyArray<HandoffUpgrade<Schema>> } = {},
): HandoffContract<Schema> {
  if (!NAME.test(name)) throw new TypeError(`contract name must be snake_case, got '${name}'`);
  if (!Number.isInteger(version) || version < 1)
    throw new TypeError(`contract version must be a whole number from 1, got ${version}`);
  const id = `${name}@${version}`;
  const upgrades = options.upgrades ?? [];
  for (const { from } of upgrades) {
    if (from.name !== name || from.version >= version)
      throw new TypeError(`contract ${id} can upgrade only earlier versions of '${name}', got ${from.id}`);
  }
  return {
    name,
    version,
    id,
    schema,
    reads: upgrades.map((entry) => entry.from),
    check(value, side) {
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      if (side === 'consumer') {
        for (const { from, upgrade } of upgrades) {
          const earlier = from.schema.safeParse(value);
          const upgraded = earlier.success ? schema.safeParse(upgrade(earlier.data)) : undefined;
          if (upgraded?.success) return upgraded.data;
        }
      }
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
