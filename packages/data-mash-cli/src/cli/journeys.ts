import { type DataMashPhases, isErasedJourney } from '@platform/data-mash';
import type { JourneyRecord } from '@platform/foundations';
import { duration, EXIT, print, printable, printJson, table, UsageError } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

const STATUSES = ['pending', 'running', 'completed', 'failed'] as const;

function fileName(journey: JourneyRecord): string {
  const context = journey.context as { outputs?: DataMashPhases; about?: { fileName?: unknown } };
  const named = context.about?.fileName;
  return context.outputs?.file_uploaded?.fileName ?? (typeof named === 'string' ? named : '');
}

function progress(journey: JourneyRecord): string {
  const done = journey.milestones.filter((milestone) => milestone.status === 'completed').length;
  return `${done}/${journey.milestones.length}`;
}

/** `data-mash journeys`: the tenant's flows, newest first. */
export async function listJourneys(
  options: GlobalOptions & { status?: string; file?: string; limit?: string },
): Promise<number> {
  const status = options.status as JourneyRecord['status'] | undefined;
  if (status && !STATUSES.includes(status)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, got '${status}'`);
  }
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit must be a whole number from 1 to 1000');
  if (options.file !== undefined && (options.file === '' || options.file.length > 500))
    throw new UsageError('--file must be 1 to 500 characters of the file’s name');
  const session = await openExistingSession(options);
  try {
    const page = await session.flow.listFlows(session.user, {
      ...(status ? { status } : {}),
      ...(options.file === undefined ? {} : { file: options.file }),
      limit,
    });
    if (options.json) {
      printJson(page.items);
      return EXIT.ok;
    }
    if (page.items.length === 0) {
      const matching = options.file === undefined ? '' : ` with '${printable(options.file)}' in the file name`;
      print(`no journeys${matching} in tenant '${session.user.tenantId}'`);
      return EXIT.ok;
    }
    print(
      table(
        ['JOURNEY', 'STATUS', 'DONE', 'CREATED', 'FILE'],
        page.items.map((journey) => [
          journey.id,
          // An erased flow's tombstone is a failed journey; a user knows it as erased.
          isErasedJourney(journey) ? 'erased' : journey.status,
          progress(journey),
          journey.createdAt.toISOString().replace('T', ' ').slice(0, 19),
          fileName(journey),
        ]),
      ),
    );
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

/** `data-mash journey <id>`: one flow's milestones with their timings and errors. */
export async function showJourney(id: string, options: GlobalOptions): Promise<number> {
  const session = await openExistingSession(options);
  try {
    const { journey, phases } = await session.flow.getFlow(session.user, id);
    if (options.json) {
      printJson({ journey, phases });
      return EXIT.ok;
    }
    print(`journey ${journey.id}  ${journey.template}@${journey.templateVersion}  ${journey.status}`);
    print(`trace ${journey.traceId}  file ${printable(fileName(journey)) || '–'}  key ${journey.idempotencyKey}`);
    if (journey.error) print(`error ${journey.error.code}: ${printable(journey.error.message)}`);
    print();
    print(
      table(
        ['MILESTONE', 'STATUS', 'STARTED', 'TOOK', 'DETAIL'],
        journey.milestones.map((milestone) => [
          milestone.name,
          milestone.status,
          milestone.startedAt ? milestone.startedAt.toISOString().slice(11, 23) : '–',
          milestone.startedAt && milestone.completedAt
            ? duration(milestone.completedAt.getTime() - milestone.startedAt.getTime())
            : '–',
          milestone.error
            ? `${milestone.error.code}: ${milestone.error.message}`
            : Object.entries(milestone.result ?? {})
                .filter(([key]) => !['contract', 'traceId', 'sha256', 'storageLocation', 'fileName'].includes(key))
                .map(([key, value]) => `${key}=${value}`)
                .join(' '),
        ]),
      ),
    );
    const summary = phases.insights_generated?.insightsResult.summary ?? [];
    if (summary.length > 0) {
      print();
      for (const statement of summary) print(`• ${printable(statement)}`);
    }
    return journey.status === 'failed' ? EXIT.failed : EXIT.ok;
  } finally {
    await session.close();
  }
}
