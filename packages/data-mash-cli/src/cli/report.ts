import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { renderReport } from '@platform/data-mash';
import { EXIT, print, printJson } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

/** `data-mash report <journey>`: writes a self-contained HTML report and prints its path. */
export async function report(id: string, options: GlobalOptions & { out?: string }): Promise<number> {
  const session = await openExistingSession(options);
  try {
    const { journey, phases } = await session.flow.getFlow(session.user, id);
    const insights = phases.insights_generated ? await session.flow.readInsights(session.user, id) : undefined;
    const path = resolve(options.out ?? `data-mash-report-${journey.id}.html`);
    await writeFile(path, renderReport({ journey, phases, ...(insights ? { insights } : {}) }));
    if (options.json) printJson({ journeyId: journey.id, path });
    else print(path);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
