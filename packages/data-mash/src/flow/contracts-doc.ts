import type { HandoffContract } from './handoff-contract.js';

/**
 * Renders handoff contracts as a Markdown page: each contract's id, what it is for, its fields
 * (from the JSON Schema, with their descriptions) and the JSON Schema itself.
 */
export function renderHandoffContracts(contracts: readonly HandoffContract[], title = 'Handoff contracts'): string {
  const lines = [
    `# ${title}`,
    '',
    '<!-- Generated from the contracts in @platform/data-mash by `pnpm docs:contracts`; a test keeps it current. -->',
    '',
    'Each phase of the data mash flow hands the next a value that both sides validate against one of',
    'these versioned contracts (a violation is `CONTRACT_VIOLATION`, naming the contract, the side and',
    'the field). Unknown fields are violations: a producer that adds one bumps the version.',
    '',
  ];
  for (const contract of contracts) {
    const schema = contract.jsonSchema();
    lines.push(`## \`${contract.id}\``, '');
    lines.push('| field | type | required | description |', '| --- | --- | --- | --- |');
    for (const row of fieldRows(schema, ''))
      lines.push(`| \`${row.path}\` | ${row.type} | ${row.required ? 'yes' : 'no'} | ${row.description} |`);
    for (const earlier of contract.reads ?? []) {
      const fields = Object.keys((earlier.jsonSchema() as JsonSchemaNode).properties ?? {});
      lines.push(
        '',
        `Consumers also accept \`${earlier.id}\` (fields ${fields.map((field) => `\`${field}\``).join(', ')}), which journeys stored before version ${contract.version} hold, upgraded to this version on receipt.`,
      );
    }
    lines.push(
      '',
      '<details><summary>JSON Schema</summary>',
      '',
      '```json',
      JSON.stringify(schema, null, 2),
      '```',
      '',
      '</details>',
      '',
    );
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  enum?: unknown[];
  pattern?: string;
  description?: string;
}

function typeOf(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (node.type === 'array') return `array of ${node.items ? typeOf(node.items) : 'values'}`;
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'value');
}

function fieldRows(
  node: JsonSchemaNode,
  prefix: string,
): Array<{ path: string; type: string; required: boolean; description: string }> {
  const rows: Array<{ path: string; type: string; required: boolean; description: string }> = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${name}`;
    rows.push({
      path,
      type: typeOf(child),
      required: node.required?.includes(name) ?? false,
      description: child.description ?? '',
    });
    if (child.properties) rows.push(...fieldRows(child, `${path}.`));
    if (child.type === 'array' && child.items?.properties) rows.push(...fieldRows(child.items, `${path}[].`));
  }
  return rows;
}
