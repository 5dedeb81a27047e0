import { z } from 'zod';
import type { ServiceRegistration } from '../kernel/service-description.js';
import { parseRecord } from '../public-works/ports/tenancy.js';

/**
 * Pattern rules are data: each names a kind of check and its parameters, so a team can change
 * severities, patterns or required hooks, or add rules, without code.
 */
export const PatternRuleSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string(),
    kind: z.literal('naming'),
    severity: z.enum(['error', 'warning', 'info']),
    /** What the pattern applies to. */
    target: z.enum(['service', 'capability', 'api_path', 'mcp_tool']),
    pattern: z.string(),
    hint: z.string(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('lifecycle'),
    severity: z.enum(['error', 'warning', 'info']),
    /** Hooks every running service of these tiers must implement. */
    tiers: z.array(z.string()),
    methods: z.array(z.enum(['initialize', 'shutdown', 'health'])),
    hint: z.string(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('contracts'),
    severity: z.enum(['error', 'warning', 'info']),
    /** Every API and MCP tool must name a declared capability, and every capability needs a description. */
    hint: z.string(),
  }),
  z.object({
    id: z.string(),
    kind: z.literal('realm_declared'),
    severity: z.enum(['error', 'warning', 'info']),
    /** Realm-tier services must say which realm they belong to. */
    hint: z.string(),
  }),
]);
export type PatternRule = z.output<typeof PatternRuleSchema>;

/** One problem a rule found. */
export interface PatternFinding {
  rule: string;
  severity: PatternRule['severity'];
  /** The service (and item) the finding is about, e.g. `smart-city.librarian` or `smart-city.librarian#search`. */
  target: string;
  message: string;
  hint: string;
}

/** The rules Curator checks by default. */
export const DEFAULT_PATTERN_RULES: readonly PatternRule[] = Object.freeze([
  {
    id: 'service-id-naming',
    kind: 'naming',
    severity: 'error',
    target: 'service',
    pattern: '^(public-works|curator|foundation|smart-city|realm)\\.[a-z0-9-]+(\\.[a-z0-9-]+)*$',
    hint: "name services '<tier>.<name>' (a realm service: '<realm>.<name>'), e.g. 'smart-city.content-steward'",
  },
  {
    id: 'capability-naming',
    kind: 'naming',
    severity: 'error',
    target: 'capability',
    pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$',
    hint: "name capabilities '<area>.<verb_noun>', e.g. 'content.upload_file'",
  },
  {
    id: 'api-path-naming',
    kind: 'naming',
    severity: 'warning',
    target: 'api_path',
    pattern: '^(/[a-z0-9-]+|/\\{[a-zA-Z]+\\})+$',
    hint: "use lower-case kebab-case path segments and {camelCase} parameters, e.g. '/files/{fileId}'",
  },
  {
    id: 'smart-city-lifecycle',
    kind: 'lifecycle',
    severity: 'warning',
    tiers: ['smart-city', 'realm'],
    methods: ['health'],
    hint: 'implement health() so the Nurse and platform.health() can see this service',
  },
  {
    id: 'contracts-declared',
    kind: 'contracts',
    severity: 'error',
    hint: 'declare the capability (with input and output schemas) on the service',
  },
  {
    id: 'realm-declared',
    kind: 'realm_declared',
    severity: 'warning',
    hint: "give realm services a 'realm' in their description",
  },
] satisfies PatternRule[]);

function namesFor(
  target: 'service' | 'capability' | 'api_path' | 'mcp_tool',
  service: ServiceRegistration,
): Array<[string, string]> {
  switch (target) {
    case 'service': {
      // A realm service is named after its realm ('data-mash.flow' in realm 'data-mash'): checked
      // as the tier's name would be.
      const realmPrefix = service.tier === 'realm' && service.realm ? `${service.realm}.` : undefined;
      const name =
        realmPrefix && service.id.startsWith(realmPrefix)
          ? `realm.${service.id.slice(realmPrefix.length)}`
          : service.id;
      return [[name, service.id]];
    }
    case 'capability':
      return (service.capabilities ?? []).map((capability) => [capability.name, `${service.id}#${capability.name}`]);
    case 'api_path':
      return (service.apis ?? []).map((api) => [api.path, `${service.id} ${api.method} ${api.path}`]);
    case 'mcp_tool':
      return (service.mcpTools ?? []).map((tool) => [tool.name, `${service.id}#${tool.name}`]);
  }
}

/** Checks `services` against `rules` and returns every finding, errors first. */
export function checkPatterns(
  services: readonly ServiceRegistration[],
  rules: readonly PatternRule[] = DEFAULT_PATTERN_RULES,
): PatternFinding[] {
  const validRules = rules.map((rule, index) => parseRecord(PatternRuleSchema, rule, `pattern rule ${index}`));
  const findings: PatternFinding[] = [];
  const finding = (rule: PatternRule, target: string, message: string) =>
    findings.push({ rule: rule.id, severity: rule.severity, target, message, hint: rule.hint });

  for (const rule of validRules) {
    for (const service of services) {
      switch (rule.kind) {
        case 'naming': {
          const pattern = new RegExp(rule.pattern);
          for (const [name, target] of namesFor(rule.target, service)) {
            if (!pattern.test(name))
              finding(rule, target, `${rule.target.replace('_', ' ')} '${name}' does not match ${rule.pattern}`);
          }
          break;
        }
        case 'lifecycle': {
          if (!rule.tiers.includes(service.tier) || service.status !== 'running' || !service.lifecycle) break;
          const lifecycle = service.lifecycle;
          const missing = rule.methods.filter((method) => !lifecycle[method]);
          if (missing.length > 0)
            finding(
              rule,
              service.id,
              `service '${service.id}' lacks ${missing.map((method) => `${method}()`).join(', ')}`,
            );
          break;
        }
        case 'contracts': {
          const declared = new Set((service.capabilities ?? []).map((capability) => capability.name));
          for (const capability of service.capabilities ?? []) {
            if (!capability.description?.trim())
              finding(rule, `${service.id}#${capability.name}`, `capability '${capability.name}' has no description`);
          }
          for (const api of service.apis ?? []) {
            if (!declared.has(api.capability)) {
              finding(
                rule,
                `${service.id} ${api.method} ${api.path}`,
                `API ${api.method} ${api.path} runs undeclared capability '${api.capability}'`,
              );
            }
          }
          for (const tool of service.mcpTools ?? []) {
            if (!declared.has(tool.capability))
              finding(
                rule,
                `${service.id}#${tool.name}`,
                `MCP tool '${tool.name}' runs undeclared capability '${tool.capability}'`,
              );
          }
          for (const agent of service.agents ?? []) {
            for (const capability of agent.capabilities.filter((name) => !declared.has(name))) {
              finding(
                rule,
                `${service.id}#${agent.name}`,
                `agent '${agent.name}' uses undeclared capability '${capability}'`,
              );
            }
          }
          break;
        }
        case 'realm_declared': {
          if (service.tier === 'realm' && !service.realm)
            finding(rule, service.id, `realm service '${service.id}' declares no realm`);
          break;
        }
      }
    }
  }
  const order = { error: 0, warning: 1, info: 2 } as const;
  return findings.sort((a, b) => order[a.severity] - order[b.severity]);
}
