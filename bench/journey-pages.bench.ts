/**
 * The journeys list at 10,000 journeys through the built front door, on the embedded default
 * (SQLite): the first page, the last of 200 pages (50 a page, by cursor, as the console asks),
 * the status filter, and the file-name search. The baseline is the first page, measured in the
 * same run: "smooth" means the 200th page costs what the first does.
 *
 * Targets: the 200th page within 1.5x the first; a file-name search (which reads every label of
 * the tenant) within 10x the first page. With Chromium installed (`/usr/bin/chromium`, or
 * `CHROMIUM`), the console pages through all 200 pages with "Older": the last ten clicks within
 * 1.5x the first ten.
 *
 *   node journey-pages.bench.ts [--journeys 10000] [--page 50] [--runs 30] [--check]
 */

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_MASH_FLOW_TEMPLATE, dataMashModules } from '@platform/data-mash';
import { consoleRoutes } from '@platform/data-mash-console';
import { createPlatform, MetadataStoreRef } from '@platform/foundations';
import { apiGateway, communicationDirector, developmentIdentity, securityGuard } from '@platform/smart-city';
import { createHttpApp } from '@platform/smart-city/http';
import { median, numericArgument, printTable } from './harness.ts';

const journeys = numericArgument('--journeys', 10_000);
const pageSize = numericArgument('--page', 50);
const runs = numericArgument('--runs', 30);
const MILESTONES = ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated'];

const dataDir = await mkdtemp(join(tmpdir(), 'journey-pages-bench-'));
const identity = await developmentIdentity(dataDir);
const platform = createPlatform({
  env: {},
  config: { dataDir, telemetry: { sink: 'silent' } },
  modules: dataMashModules({ roles: [securityGuard(identity.guardOptions), apiGateway(), communicationDirector()] }),
});
await platform.start();
let server: { url: string; close(): Promise<void> } | undefined;
try {
  // Journeys as flows leave them: four milestones with results, the file's name in the outputs.
  const metadata = platform.get(MetadataStoreRef);
  const seeding = performance.now();
  for (let n = 0; n < journeys; n += 1) {
    const fileName = `orders-${String(n).padStart(5, '0')}.csv`;
    const at = new Date(Date.UTC(2026, 0, 1) + n * 60_000);
    await metadata.createJourney({
      tenantId: 'bench',
      template: DATA_MASH_FLOW_TEMPLATE,
      templateVersion: 1,
      idempotencyKey: `sha-${n}`,
      label: fileName,
      status: n % 10 === 0 ? 'failed' : 'completed',
      milestones: MILESTONES.map((name) => ({ name, status: 'completed' as const, startedAt: at, completedAt: at })),
      context: { outputs: { file_uploaded: { fileId: `file_${n}`, fileName, sha256: `sha-${n}` } } },
    });
  }
  const seeded = performance.now() - seeding;

  const token = await identity.issueToken({ userId: 'bench', tenantId: 'bench', permissions: ['journeys:read'] });
  const headers = { authorization: `Bearer ${token}` };
  server = await createHttpApp(platform, { mount: { ...consoleRoutes() } }).serve({ port: 0 });
  const base = server.url;
  const read = async (query: string) => {
    const started = performance.now();
    const response = await fetch(`${base}/journeys?${query}`, { headers });
    if (!response.ok) throw new Error(`GET /journeys?${query}: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: unknown[]; nextCursor?: string };
    return { ms: performance.now() - started, page };
  };
  const timed = async (query: string) => {
    const samples: number[] = [];
    for (let run = 0; run < 3 + runs; run += 1) {
      const { ms } = await read(query);
      if (run >= 3) samples.push(ms);
    }
    return median(samples);
  };

  // Walk every page once to collect the cursors (and check nothing is lost or repeated).
  const cursors: string[] = [];
  let seen = 0;
  let cursor: string | undefined;
  do {
    const { page } = await read(`limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    seen += page.items.length;
    cursor = page.nextCursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  if (seen !== journeys) throw new Error(`paging saw ${seen} journeys of ${journeys}`);

  const first = await timed(`limit=${pageSize}`);
  const middle = await timed(
    `limit=${pageSize}&cursor=${encodeURIComponent(cursors[Math.floor(cursors.length / 2)] as string)}`,
  );
  const last = await timed(`limit=${pageSize}&cursor=${encodeURIComponent(cursors.at(-1) as string)}`);
  const failed = await timed(`limit=${pageSize}&status=failed`);
  const byName = await timed(`limit=${pageSize}&file=${encodeURIComponent('orders-0999')}`);
  const found = (await read(`limit=${pageSize}&file=orders-0999`)).page.items.length;
  if (found !== 10) throw new Error(`the file-name search found ${found} journeys, not 10`);

  console.log(
    `GET /journeys at ${journeys.toLocaleString('en')} journeys (seeded in ${(seeded / 1000).toFixed(1)} s), ${pageSize} a page, median of ${runs}, loopback, embedded SQLite`,
  );
  const ratio = (ms: number) => `${(ms / first).toFixed(2)}x`;
  printTable([
    ['request', 'median ms', 'ratio to page 1'],
    ['page 1 (baseline)', first.toFixed(2), '1.00x'],
    [`page ${Math.floor(cursors.length / 2) + 2}`, middle.toFixed(2), ratio(middle)],
    [`page ${cursors.length + 1} (last)`, last.toFixed(2), ratio(last)],
    ['status=failed, page 1', failed.toFixed(2), ratio(failed)],
    ['file=orders-0999 (10 found)', byName.toFixed(2), ratio(byName)],
  ]);
  const smooth = last / first <= 1.5;
  const search = byName / first <= 10;
  console.log(
    `targets: last page within 1.5x the first: ${smooth ? 'met' : 'MISSED'}; file search within 10x: ${search ? 'met' : 'MISSED'}`,
  );
  const browser = await consolePaging(`${base}/#token=${token}`, cursors.length + 1);
  if (process.argv.includes('--check') && !(smooth && search && (browser ?? true))) process.exitCode = 1;
} finally {
  await server?.close();
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}

// The console in Chromium: sign in by the link, then "Older" through every page, timing each
// click until the next page's rows are shown. Undefined when there is no Chromium.
async function consolePaging(url: string, pages: number): Promise<boolean | undefined> {
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.log(`the console: skipped (no Chromium at ${executablePath})`);
    return undefined;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const opening = performance.now();
    await page.goto(url);
    const rows = page.getByTestId('journeys').locator('tbody tr');
    await rows.first().waitFor({ timeout: 60_000 });
    const opened = performance.now() - opening;
    const older = page.getByRole('button', { name: 'Older →' });
    const clicks: number[] = [];
    for (let number = 2; number <= pages; number += 1) {
      const firstRow = await rows.first().textContent();
      const started = performance.now();
      await older.click();
      await page.getByText(`Page ${number}`, { exact: true }).waitFor({ timeout: 60_000 });
      await page.waitForFunction(
        // Runs in the page, where `document` is; this file is typed for Node.
        (before) =>
          (
            globalThis as unknown as { document: { querySelector(selector: string): { textContent: string } | null } }
          ).document.querySelector('[data-testid="journeys"] tbody tr')?.textContent !== before,
        firstRow,
        { timeout: 60_000 },
      );
      clicks.push(performance.now() - started);
    }
    const shown = await rows.count();
    const early = median(clicks.slice(0, 10));
    const late = median(clicks.slice(-10));
    console.log(`the console in Chromium: opened with ${shown} rows on the last page after ${clicks.length} clicks`);
    printTable([
      ['console', 'median ms', 'ratio to the first clicks'],
      ['first load (sign-in link to first rows)', opened.toFixed(0), ''],
      ['"Older", clicks 1-10 (baseline)', early.toFixed(1), '1.00x'],
      [`"Older", clicks ${clicks.length - 9}-${clicks.length}`, late.toFixed(1), `${(late / early).toFixed(2)}x`],
    ]);
    const met = late / early <= 1.5;
    console.log(`target: the last clicks within 1.5x the first: ${met ? 'met' : 'MISSED'}`);
    return met;
  } finally {
    await browser.close();
  }
}
