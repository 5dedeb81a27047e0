import { PlatformError, type ServiceRef } from '@platform/foundations';
import type { VerifiedUserContext } from '@platform/smart-city';
import type { z } from 'zod';
import type { HandoffContract } from '../flow/handoff-contract.js';
import type { MilestoneContext } from './journey-types.js';

/** What a flow step is given besides its input and the caller: the milestone's context and the platform's services. */
export interface FlowStepContext extends MilestoneContext {
  /** The running service of a ref, as the journey orchestrator service sees it (realm access applies). */
  locate<T>(ref: ServiceRef<T>): T;
}

/** How a step runs: its input (parsed by its input contract), the verified caller, the milestone's context. */
export type FlowStepRun<Input, Output> = (
  input: Input,
  user: VerifiedUserContext,
  context: FlowStepContext,
) => Promise<Output>;

/**
 * A step a journey milestone names: what performs it (a service's method, or a function) and the
 * handoff contracts it takes and gives. Made by {@link defineFlowStep}.
 */
export interface FlowStep<Input = never, Output = unknown> {
  /** How templates name it: a capability-style name, e.g. `content.parse_file`. */
  readonly id: string;
  /** The contract of what it takes; absent for a first step, which takes the journey's input. */
  readonly input?: HandoffContract;
  /** The contract of what it hands on: checked on what it returns. */
  readonly output: HandoffContract;
  /** The service performing it, for a step bound to a method: checked to be registered when a journey starts. */
  readonly service?: ServiceRef<unknown>;
  /** The method of {@link FlowStep.service} it calls. */
  readonly method?: string;
  /** Performs the step. */
  readonly run: FlowStepRun<Input, Output>;
}

/** Any flow step, whatever its input and output types (what hosts register). */
export type AnyFlowStep = FlowStep<never, unknown>;

type ContractOutput<C> = C extends HandoffContract<infer Schema> ? z.output<Schema> : never;
// What a step without an input contract takes: anything for a function, and for a method whatever
// it declares (it checks the journey's input itself).
type RunInput<C> = [C] extends [HandoffContract<infer Schema>] ? z.output<Schema> : unknown;
type MethodInput<C> = [C] extends [HandoffContract<infer Schema>] ? z.output<Schema> : never;

/** The methods of `Service` that can perform a step taking `Input` and giving `Output`. */
export type FlowStepMethod<Service, Input, Output> = {
  [Key in keyof Service]-?: Service[Key] extends (
    input: Input,
    user: VerifiedUserContext,
    context: FlowStepContext,
  ) => Promise<Output>
    ? Key
    : never;
}[keyof Service] &
  string;

const STEP_ID = /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/;

/**
 * Declares a flow step: a milestone's work bound to a service's method (TypeScript checks that
 * the method exists and takes the input contract's type, the verified caller and the context, and
 * answers the output contract's type) or to a function. A template's milestone names it by `id`;
 * the journey orchestrator checks the milestone's contracts are the step's, the input on receipt
 * and the output before handing it on.
 *
 * @example
 * ```ts
 * const parse = defineFlowStep({ id: 'content.parse_file', service: ContentPillarRef, method: 'parseFile', input: FileUploaded, output: FileParsed });
 * const tag = defineFlowStep({ id: 'billing.tag', input: InvoiceReceived, output: InvoiceReceived, run: async (invoice, user) => invoice });
 * ```
 * @throws {PlatformError} `CONFIG_INVALID` when the id is not a dotted snake_case name, or the
 *   step has neither a service and a method nor a run function.
 */
export function defineFlowStep<
  Service,
  Method extends FlowStepMethod<Service, MethodInput<In>, ContractOutput<Out>>,
  Out extends HandoffContract,
  In extends HandoffContract | undefined = undefined,
>(definition: {
  id: string;
  service: ServiceRef<Service>;
  method: Method;
  input?: In;
  output: Out;
}): FlowStep<RunInput<In>, ContractOutput<Out>>;
export function defineFlowStep<
  Out extends HandoffContract,
  In extends HandoffContract | undefined = undefined,
>(definition: {
  id: string;
  run: FlowStepRun<RunInput<In>, ContractOutput<Out>>;
  input?: In;
  output: Out;
}): FlowStep<RunInput<In>, ContractOutput<Out>>;
export function defineFlowStep(definition: {
  id: string;
  service?: ServiceRef<unknown>;
  method?: string;
  run?: FlowStepRun<unknown, unknown>;
  input?: HandoffContract;
  output: HandoffContract;
}): FlowStep<unknown, unknown> {
  const { id, service, method, run, input, output } = definition;
  if (typeof id !== 'string' || !STEP_ID.test(id)) {
    throw new PlatformError('CONFIG_INVALID', `flow step id must be a dotted snake_case name, got '${String(id)}'`, {
      details: { step: String(id) },
    });
  }
  const contracts = { ...(input ? { input } : {}), output };
  if (run) return Object.freeze({ id, ...contracts, run });
  if (!service || !method) {
    throw new PlatformError('CONFIG_INVALID', `flow step '${id}' needs a service and a method, or a run function`, {
      details: { step: id },
    });
  }
  return Object.freeze({
    id,
    ...contracts,
    service,
    method,
    run: (value: unknown, user: VerifiedUserContext, context: FlowStepContext) => {
      const instance = context.locate(service) as Record<string, FlowStepRun<unknown, unknown>>;
      return (instance[method] as FlowStepRun<unknown, unknown>).call(instance, value, user, context);
    },
  });
}
