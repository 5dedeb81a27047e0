import { parseRecord } from '@platform/foundations';
import { z } from 'zod';
import { PII_TYPES, type PiiType } from './classification.js';

/** A declarative, versioned governance policy: ordered rules, first match decides. */
export const GovernancePolicySchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_.-]*$/),
    version: z.number().int().positive(),
    rules: z.array(
      z
        .object({
          id: z.string().min(1),
          effect: z.enum(['allow', 'deny']),
          /** Actions the rule covers: `export`, `share`, `read`, or `*`. */
          actions: z.array(z.string().min(1)).min(1),
          when: z
            .object({
              /** The data contains personal data (of these kinds, or of any kind with `['any']`). */
              pii: z.array(z.enum([...(PII_TYPES as [PiiType, ...PiiType[]]), 'any'])).optional(),
              dataClass: z.enum(['client', 'platform']).optional(),
              /** The caller has one of these roles. */
              roles: z.array(z.string()).optional(),
            })
            .strict()
            .default({}),
        })
        .strict(),
    ),
    /** The effect when no rule matches. Default `deny`. */
    default: z.enum(['allow', 'deny']).default('deny'),
  })
  .strict();
export type GovernancePolicy = z.input<typeof GovernancePolicySchema>;

/** What a policy is asked about. */
export interface PolicyRequest {
  action: string;
  roles: readonly string[];
  pii: readonly PiiType[];
  dataClass: 'client' | 'platform';
}

/** A policy's answer, naming the policy version and the rule that decided. */
export interface PolicyDecision {
  allowed: boolean;
  policy: string;
  version: number;
  /** The deciding rule, or `default`. */
  rule: string;
}

/** Validates a policy (`VALIDATION_FAILED` naming each bad field). */
export function definePolicy(policy: GovernancePolicy) {
  return parseRecord(GovernancePolicySchema, policy, 'governance policy');
}

/** Evaluates a policy: the first rule whose actions and conditions match decides. */
export function evaluatePolicy(policy: GovernancePolicy, request: PolicyRequest): PolicyDecision {
  const valid = definePolicy(policy);
  for (const rule of valid.rules) {
    if (!rule.actions.includes('*') && !rule.actions.includes(request.action)) continue;
    const when = rule.when;
    if (
      when.pii &&
      !(when.pii.includes('any')
        ? request.pii.length > 0
        : when.pii.some((kind) => request.pii.includes(kind as PiiType)))
    )
      continue;
    if (when.dataClass && when.dataClass !== request.dataClass) continue;
    if (when.roles && !when.roles.some((role) => request.roles.includes(role))) continue;
    return { allowed: rule.effect === 'allow', policy: valid.id, version: valid.version, rule: rule.id };
  }
  return { allowed: valid.default === 'allow', policy: valid.id, version: valid.version, rule: 'default' };
}
