import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformError } from '@platform/foundations/errors';
import { parseDocument } from 'yaml';
import { z } from 'zod';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name');
const StepName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$/, 'expected a step name such as content.parse_file');
const ContractRef = z.string().regex(/^[a-z][a-z0-9_]*@[1-9][0-9]*$/, "expected 'contract_name@version'");

const MilestoneSchema = z
  .object({
    id: Name,
    title: z.string().min(1).max(200).optional(),
    /**
     * The flow step that performs the milestone (a step id, e.g. `content.parse_file`: see
     * `defineFlowStep`). Default: the milestone's `api`.
     */
    step: StepName.optional(),
    /**
     * The service performing the milestone (a kernel service id, e.g. `data-mash.content-pillar`).
     * Optional: the step knows its service; when given, it must be the step's.
     */
    service: z
      .string()
      .regex(/^[a-z][a-z0-9]*(?:[-.][a-z0-9]+)*$/, 'expected a service id such as smart-city.content-steward')
      .optional(),
    /** The step's name under its earlier key (kept for existing templates): `step` when that is absent. */
    api: StepName.optional(),
    /** The contract of what the milestone receives; absent for the first. */
    input: ContractRef.optional(),
    /** The contract of what the milestone hands on. */
    output: ContractRef,
    /** How long the milestone may take, in seconds. */
    timeoutSeconds: z.number().int().positive().max(86_400).optional(),
  })
  .strict();

/** A journey template: the milestones a journey goes through, in order. */
export const JourneyTemplateSchema = z
  .object({
    name: Name,
    version: z.number().int().positive(),
    description: z.string().max(2000).optional(),
    milestones: z.array(MilestoneSchema).min(1).max(100),
  })
  .strict()
  .superRefine((template, context) => {
    const seen = new Set<string>();
    template.milestones.forEach((milestone, index) => {
      if (seen.has(milestone.id)) {
        context.addIssue({
          code: 'custom',
          path: ['milestones', index, 'id'],
          message: `milestone '${milestone.id}' appears twice`,
        });
      }
      seen.add(milestone.id);
      // Live progress names the journey as a whole by this word (JOURNEY_PROGRESS_MILESTONE).
      if (milestone.id === 'journey') {
        context.addIssue({
          code: 'custom',
          path: ['milestones', index, 'id'],
          message: "'journey' is not a milestone name: live progress uses it for the journey as a whole",
        });
      }
      if (!milestone.step && !milestone.api) {
        context.addIssue({
          code: 'custom',
          path: ['milestones', index, 'step'],
          message: `milestone '${milestone.id}' names no step`,
        });
      }
      const previous = template.milestones[index - 1];
      if (index > 0 && milestone.input !== previous?.output) {
        context.addIssue({
          code: 'custom',
          path: ['milestones', index, 'input'],
          message: `takes '${milestone.input ?? 'nothing'}' but milestone '${previous?.id}' hands on '${previous?.output}'`,
        });
      }
    });
  });

/** A validated journey template. */
export type JourneyTemplate = z.output<typeof JourneyTemplateSchema>;
/** One milestone of a {@link JourneyTemplate}. */
export type JourneyMilestoneTemplate = JourneyTemplate['milestones'][number];

/** The id of the flow step a milestone names: its `step`, else its `api`. */
export function milestoneStep(milestone: JourneyMilestoneTemplate): string {
  return (milestone.step ?? milestone.api) as string;
}

/**
 * Reads a journey template from YAML text and validates it: YAML syntax errors name the line and
 * column, schema errors the field (`milestones.2.output`), and each milestone's input must be the
 * previous milestone's output. @throws {PlatformError} `VALIDATION_FAILED`, every problem in
 * `details.issues`.
 */
export function parseJourneyTemplate(yamlText: string, source = 'template'): JourneyTemplate {
  const document = parseDocument(yamlText, { prettyErrors: true });
  if (document.errors.length > 0) {
    const issues = document.errors.map((error) => ({
      path: '(yaml)',
      // The first line of the message names the line and column; the rest quotes the source.
      message: (error.message.split('\n')[0] as string).replace(/:$/, ''),
    }));
    throw invalid(source, issues);
  }
  const result = JourneyTemplateSchema.safeParse(document.toJS());
  if (!result.success) {
    throw invalid(
      source,
      result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(root)',
        message: issue.message,
      })),
    );
  }
  return result.data;
}

function invalid(source: string, issues: Array<{ path: string; message: string }>): PlatformError {
  const first = issues[0] as { path: string; message: string };
  return new PlatformError(
    'VALIDATION_FAILED',
    `journey template ${source} is invalid: ${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
    { details: { source, issues } },
  );
}

/** Reads and validates a journey template file. @throws `NOT_FOUND`, `VALIDATION_FAILED`. */
export function loadJourneyTemplate(path: string): JourneyTemplate {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PlatformError('NOT_FOUND', `journey template ${path} cannot be read: ${(error as Error).message}`, {
      details: { path },
      cause: error,
    });
  }
  return parseJourneyTemplate(text, path);
}

let templatesDirectory: string | undefined;

/** The templates shipped with `@platform/data-mash` (`templates/` in the package). */
export function shippedTemplatesDirectory(): string {
  if (!templatesDirectory) {
    // Works from the sources, from dist/ and from a dist chunk: walk up to the package root.
    let directory = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(directory, 'templates', 'data_mash_flow.yaml'))) {
      const parent = dirname(directory);
      if (parent === directory)
        throw new Error('@platform/data-mash: the templates folder is missing from the package');
      directory = parent;
    }
    templatesDirectory = join(directory, 'templates');
  }
  return templatesDirectory;
}

/** The shipped `data_mash_flow` template: file_uploaded, file_parsed, semantic_processed, insights_generated. */
export function dataMashFlowTemplate(): JourneyTemplate {
  return loadJourneyTemplate(join(shippedTemplatesDirectory(), 'data_mash_flow.yaml'));
}
