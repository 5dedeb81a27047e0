import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { developmentIdentity } from '@platform/smart-city';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CHROMIUM, launchChromium } from './cli.test-helpers.js';

/**
 * The console as a user meets it: the built `data-mash serve` on a fresh data dir, driven in
 * headless Chromium (Debian's: `apt-get install -y chromium`; `CHROMIUM_PATH` names another).
 * Without a browser the suite is skipped and says so, except under CI, which installs one.
 * Screenshots go to `CONSOLE_SCREENSHOTS` (default: test-artifacts/console at the repository root).
 */
const RUN = existsSync(CHROMIUM) || Boolean(process.env.CI);
const SHOTS =
  process.env.CONSOLE_SCREENSHOTS ?? fileURLToPath(new URL('../../../../test-artifacts/console', import.meta.url));
const SEATTLE = fileURLToPath(new URL('../../../../examples/data/seattle-weather.csv', import.meta.url));
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// Generous: the machine may be loaded; each wait ends as soon as its condition holds.
const LONG = { timeout: 90_000 };

const ORDERS = `order_id,region,amount,ordered_at,paid,contact\n${Array.from(
  { length: 60 },
  (_, index) =>
    `${index + 1},${['north', 'south', 'east', 'west'][index % 4]},${(index * 7.25 + 3).toFixed(2)},2026-0${(index % 9) + 1}-1${index % 9},${index % 3 === 0},buyer${index}@example.com`,
).join('\n')}\n`;
// Valid up to a point: stored, then refused by the parser (MALFORMED_FILE), live.
const BROKEN_JSON = '{"customers": [{"id": 1, "name": "Ada"}, {"id": 2, "name": ';
// Not text at all: quarantined at upload (FILE_QUARANTINED), nothing of it goes further.
const BINARY = Buffer.from(Array.from({ length: 2048 }, (_, index) => (index * 73 + 11) % 256));

interface Served {
  url: string;
  console: string;
  token: string;
}

// The platform's policy: tables holding e-mail addresses are not exported; everything else is allowed.
const POLICY = {
  id: 'console_test.platform',
  version: 1,
  rules: [
    { id: 'no-email-export', effect: 'deny', actions: ['export'], when: { pii: ['email'] } },
    { id: 'rest', effect: 'allow', actions: ['*'] },
  ],
};

async function serve(dataDir: string, cwd: string): Promise<{ child: ChildProcessWithoutNullStreams; served: Served }> {
  const policy = join(cwd, 'policy.json');
  await writeFile(policy, JSON.stringify(POLICY));
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--json', '--data-dir', dataDir, '--tenant', 'acme'],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, DATA_MASH_POLICY: policy },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const served = await new Promise<Served>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.trimEnd().endsWith('}')) resolve(JSON.parse(stdout) as Served);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  return { child, served };
}

async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's policy (no inline script) stays on.
  await page.evaluate(await readFile(AXE, 'utf8'));
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe;
    return axe.run();
  });
  return result.violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id}: ${violation.help} (${JSON.stringify(violation.nodes.slice(0, 3).map((node) => node.target))})`,
    );
}

describe.skipIf(!RUN)(
  RUN
    ? 'the console in headless Chromium'
    : `the console in headless Chromium (skipped: no browser at ${CHROMIUM}; apt-get install -y chromium)`,
  () => {
    let workDir: string;
    let dataDir: string;
    let browser: Browser;
    let child: ChildProcessWithoutNullStreams | undefined;
    let served: Served;
    const problems: string[] = [];

    beforeAll(async () => {
      if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
      workDir = await mkdtemp(join(tmpdir(), 'data-mash-console-'));
      dataDir = join(workDir, 'data');
      await mkdir(SHOTS, { recursive: true });
      ({ child, served } = await serve(dataDir, workDir));
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      child?.kill('SIGTERM');
      await rm(workDir, { recursive: true, force: true });
    });

    async function open(url: string, width = 1280): Promise<Page> {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      page.on('console', (message) => {
        // The console reports refused uploads as failed requests: those are expected below.
        if (message.type() === 'error' && !/status of (4\d\d)/.test(message.text()))
          problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('request', (request) => {
        if (
          !request.url().startsWith(served.url) &&
          !request.url().startsWith('data:') &&
          !request.url().startsWith('blob:')
        ) {
          problems.push(`request elsewhere: ${request.url()}`);
        }
      });
      await page.goto(url);
      return page;
    }

    it('signs in from the link serve prints, and the token leaves the address bar', async () => {
      expect(served.console).toBe(`${served.url}/#token=${served.token}`);
      const page = await open(served.console);
      await page.getByRole('heading', { name: 'Journeys', level: 1 }).waitFor(LONG);
      expect(page.url()).not.toContain(served.token);
      await expect(page.getByTestId('tenant').textContent()).resolves.toContain('acme');
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }, 120_000);

    it('uploads two CSVs and two bad files, and shows each complete or fail live, with the reason', async () => {
      const page = await open(served.console);
      await page.getByRole('heading', { name: 'Upload files' }).waitFor(LONG);
      // One file dropped on the zone, three picked.
      const seattle = await readFile(SEATTLE);
      // A drop as the browser makes it (run in the page: its DOM, not Node's types).
      await page.evaluate(
        `(() => {
          const transfer = new DataTransfer();
          transfer.items.add(new File([new Uint8Array(${JSON.stringify([...seattle])})], 'seattle-weather.csv', { type: 'text/csv' }));
          document.querySelector('[data-testid="dropzone"]').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true }));
        })()`,
      );
      await page.setInputFiles('#file-input', [
        { name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(ORDERS) },
        { name: 'customers.json', mimeType: 'application/json', buffer: Buffer.from(BROKEN_JSON) },
        { name: 'scan.csv', mimeType: 'text/csv', buffer: BINARY },
      ]);
      const upload = (name: string) => page.getByTestId('upload').filter({ hasText: name });
      for (const name of ['seattle-weather.csv', 'orders.csv']) {
        await upload(name).and(page.locator('[data-state="completed"]')).waitFor(LONG);
        await expect(upload(name).locator('.chip-completed').count()).resolves.toBe(4);
      }
      await upload('customers.json').and(page.locator('[data-state="failed"]')).waitFor(LONG);
      await expect(upload('customers.json').getByTestId('upload-error').textContent()).resolves.toContain(
        'MALFORMED_FILE',
      );
      await upload('scan.csv').and(page.locator('[data-state="refused"]')).waitFor(LONG);
      await expect(upload('scan.csv').getByTestId('upload-error').textContent()).resolves.toContain('FILE_QUARANTINED');
      // The list follows: four journeys (the quarantined file has one too, failed).
      await expect.poll(async () => page.getByTestId('journeys').locator('tbody tr').count(), LONG).toBe(4);
      await page.screenshot({ path: join(SHOTS, 'uploads-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      // Found by any part of the file's name, ignoring case; nothing for a name none has.
      const fileName = page.getByRole('searchbox', { name: 'File name' });
      await fileName.fill('.CSV');
      await expect.poll(async () => page.getByTestId('journeys').locator('tbody tr').count(), LONG).toBe(3);
      await fileName.fill('weather');
      await expect
        .poll(async () => page.getByTestId('journeys').locator('tbody tr').allTextContents(), LONG)
        .toEqual([expect.stringContaining('seattle-weather.csv')]);
      await fileName.fill('no such file');
      await page.getByText('No journeys with “no such file” in the file name.').waitFor(LONG);
      await fileName.fill('');
      await expect.poll(async () => page.getByTestId('journeys').locator('tbody tr').count(), LONG).toBe(4);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SHOTS, 'uploads-390.png'), fullPage: true });
      await page.close();
    }, 240_000);

    it('opens a failed journey: the milestones, the error with its code, and a resume button', async () => {
      const page = await open(served.console);
      await page.getByTestId('journeys').getByRole('link', { name: 'customers.json' }).click();
      await page.getByTestId('journey-error').waitFor(LONG);
      await expect(page.getByTestId('journey-error').textContent()).resolves.toMatch(
        /File parsed[\s\S]*MALFORMED_FILE/,
      );
      await expect(page.getByRole('button', { name: 'Resume the flow' }).isVisible()).resolves.toBe(true);
      await page.screenshot({ path: join(SHOTS, 'journey-failed-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }, 120_000);

    it('opens a completed journey and its report, in a frame that runs nothing', async () => {
      const page = await open(served.console);
      await page.getByTestId('journeys').getByRole('link', { name: 'orders.csv' }).click();
      await page.getByRole('tab', { name: 'Report' }).click();
      const frame = page.frameLocator('iframe[title="HTML report"]');
      await frame.getByText('orders').first().waitFor(LONG);
      await expect(page.locator('iframe[title="HTML report"]').getAttribute('sandbox')).resolves.toBe('');
      await page.screenshot({ path: join(SHOTS, 'report-1280.png') });
      await page.close();
    }, 120_000);

    it("opens a flow's insights: charts with axes that answer a hover, personal data as the API masks it", async () => {
      const page = await open(served.console);
      await page.getByTestId('journeys').getByRole('link', { name: 'seattle-weather.csv' }).click();
      await page.getByRole('tab', { name: 'Insights' }).click();
      // Plot's chunk loads with the tab: the charts are SVG figures named by their captions.
      const charts = page.locator('figure.chart svg[role="img"]');
      await charts.first().waitFor(LONG);
      expect(await charts.count()).toBeGreaterThan(5);
      await page.getByText('Correlations').first().waitFor(LONG);
      // A histogram has its axes: tick labels along both.
      const histogram = page
        .getByRole('region', { name: 'temp_max', exact: true })
        .locator('figure.chart svg[role="img"]')
        .first();
      expect(
        await histogram.locator('g[aria-label="x-axis tick label"], g[aria-label="y-axis tick label"], text').count(),
      ).toBeGreaterThan(4);
      // Hovering a bar shows its exact figures (Plot's tip).
      const bar = histogram.locator('rect').nth(2);
      await bar.scrollIntoViewIfNeeded();
      await bar.hover({ force: true });
      await expect.poll(async () => histogram.locator('g[data-mark="tip"] text').count(), LONG).toBeGreaterThan(0);
      // The bin's bounds and its count, as numbers.
      await expect(histogram.locator('g[data-mark="tip"]').textContent()).resolves.toMatch(/\d[\s\S]*\d/);
      await page.evaluate('window.scrollTo(0, 0)');
      await page.screenshot({ path: join(SHOTS, 'insights-1280-top.png') });
      await page.screenshot({ path: join(SHOTS, 'insights-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      await charts.first().waitFor(LONG);
      await page.screenshot({ path: join(SHOTS, 'insights-390.png'), fullPage: true });

      // The table one click away as CSV and Parquet: the CSV holds the uploaded rows, line for line.
      await page.setViewportSize({ width: 1280, height: 900 });
      const [csv] = await Promise.all([
        page.waitForEvent('download', LONG),
        page.getByRole('button', { name: 'CSV' }).click(),
      ]);
      expect(csv.suggestedFilename()).toBe('seattle-weather.csv');
      const downloaded = (await readFile(await csv.path())).toString('utf8').trimEnd().split('\r\n');
      expect(downloaded).toEqual((await readFile(SEATTLE, 'utf8')).trimEnd().split(/\r?\n/));
      const [parquet] = await Promise.all([
        page.waitForEvent('download', LONG),
        page.getByRole('button', { name: 'Parquet' }).click(),
      ]);
      expect(parquet.suggestedFilename()).toBe('seattle-weather.parquet');
      expect((await readFile(await parquet.path())).subarray(0, 4).toString()).toBe('PAR1');
      // The exports join the file's lineage.
      await page.getByRole('tab', { name: 'Lineage' }).click();
      const graph = page.getByTestId('lineage-graph');
      await graph.locator('g.lineage-node').first().waitFor(LONG);
      await expect(graph.locator('g.lineage-node').count()).resolves.toBe(6);
      await expect(page.getByTestId('lineage-steps').textContent()).resolves.toMatch(
        /export table: parsed seattle-weather\.csv → seattle-weather as CSV\s*COMPLETE/,
      );
      await page.screenshot({ path: join(SHOTS, 'lineage-exports-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      await page.getByRole('tab', { name: 'Insights' }).click();

      // The orders' contact column is personal data: marked, and its values never on the page.
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Journeys' }).click();
      await page.getByTestId('journeys').getByRole('link', { name: 'orders.csv' }).click();
      await page.getByRole('tab', { name: 'Insights' }).click();
      const contact = page.getByRole('region', { name: 'contact', exact: true });
      await contact
        .getByText(/personal data/)
        .first()
        .waitFor(LONG);
      await page.locator('figure.chart svg[role="img"]').first().waitFor(LONG);
      expect(await page.locator('main').textContent()).not.toContain('@example.com');
      // The policy refuses exports of tables with e-mail addresses: said plainly, with its code.
      await page.getByRole('button', { name: 'CSV' }).click();
      await page.getByRole('alert').filter({ hasText: 'POLICY_DENIED' }).waitFor(LONG);
      await page.close();
    }, 180_000);

    it('shows the trace as a waterfall, the lineage from file to insights, and the governance records', async () => {
      const page = await open(served.console);
      await page.getByTestId('journeys').getByRole('link', { name: 'orders.csv' }).click();
      await page.getByRole('tab', { name: 'Trace' }).click();
      const waterfall = page.getByTestId('waterfall');
      await waterfall.waitFor(LONG);
      // The flow ran in the serving process: its spans, milestones among them, under the upload's request.
      for (const name of ['http.request', 'journey.milestone.file_uploaded', 'journey.milestone.insights_generated']) {
        await expect(
          waterfall.getByRole('button', { name: new RegExp(`^${name.replace(/\./g, '\\.')}`) }).count(),
        ).resolves.toBeGreaterThan(0);
      }
      await waterfall
        .getByRole('button', { name: /^content_pillar\.parse/ })
        .first()
        .click();
      await page.locator('.span-details').first().waitFor(LONG);
      await page.screenshot({ path: join(SHOTS, 'trace-1280-top.png') });
      await page.screenshot({ path: join(SHOTS, 'trace-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);

      await page.getByRole('tab', { name: 'Lineage' }).click();
      const steps = page.getByTestId('lineage-steps');
      await steps.waitFor(LONG);
      const text = await steps.textContent();
      expect(text).toMatch(/parse file: orders\.csv → parsed orders\.csv\s*COMPLETE/);
      expect(text).toMatch(/generate insights: .* → insights\s*COMPLETE/);
      await expect(page.getByTestId('lineage-graph').locator('g.lineage-node').count()).resolves.toBe(4);
      await page.screenshot({ path: join(SHOTS, 'lineage-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SHOTS, 'lineage-390.png'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });

      await page.getByRole('tab', { name: 'Governance' }).click();
      const records = page.getByTestId('governance');
      await records.waitFor(LONG);
      await expect(records.textContent()).resolves.toMatch(/classification[\s\S]*lineage event/);
      // The policy's decisions: the flow's, allowed, and the export refused above, highlighted.
      await expect(records.textContent()).resolves.toMatch(/policy decision[\s\S]*allowed/);
      await expect(records.locator('tr.row-denied').first().textContent()).resolves.toMatch(
        /denied[\s\S]*console_test\.platform v1 on export, rule no-email-export \(personal data: email\)/,
      );
      await page.screenshot({ path: join(SHOTS, 'governance-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    }, 180_000);

    it('searches the tenant content, naming files and columns', async () => {
      const page = await open(served.console);
      await page.getByRole('link', { name: 'Search' }).click();
      await page.getByLabel("Search the tenant's files, tables and columns").fill('region');
      await page.getByRole('button', { name: 'Search' }).click();
      const results = page.getByTestId('search-results');
      await results.locator('li').first().waitFor(LONG);
      // Named by file and column, the file a link to its flow.
      const first = results.locator('li').filter({ hasText: 'region' }).first();
      await expect(first.textContent()).resolves.toMatch(/orders\.csv[\s\S]*region/);
      await first.getByRole('link', { name: 'orders.csv' }).click();
      await page.getByRole('heading', { name: /orders\.csv/, level: 1 }).waitFor(LONG);
      await page.goBack();
      await results.locator('li').first().waitFor(LONG);
      await page.screenshot({ path: join(SHOTS, 'search-1280.png'), fullPage: true });
      expect(await axeViolations(page)).toEqual([]);
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: join(SHOTS, 'search-390.png'), fullPage: true });
      await page.close();
    }, 120_000);

    it('keeps tenants apart: another tenant sees none of these journeys, and cannot open one', async () => {
      const identity = await developmentIdentity(dataDir);
      const other = await identity.issueToken({ userId: 'bob', tenantId: 'globex', permissions: ['*'] });
      const first = await open(served.console);
      await first.getByTestId('journeys').waitFor(LONG);
      const href = await first.getByTestId('journeys').getByRole('link').first().getAttribute('href');
      await first.close();

      // Signed in by pasting the token, as against a deployment.
      const page = await open(`${served.url}/`);
      await page.getByLabel('Bearer token').fill(other);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByTestId('tenant').textContent()).resolves.toContain('globex');
      await page.getByText('No journeys yet').waitFor(LONG);
      await page.goto(`${served.url}/${href ?? ''}`);
      await page.getByText(/No journey .* in this tenant/).waitFor(LONG);

      // A sign-in link for another tenant does not switch this tab's session unasked.
      await page.goto(served.console);
      await page.getByRole('alertdialog', { name: 'Sign in as someone else?' }).waitFor(LONG);
      expect(page.url()).not.toContain(served.token);
      await page.getByRole('button', { name: /^Stay as bob/ }).click();
      await expect(page.getByTestId('tenant').textContent()).resolves.toContain('globex');
      await page.close();
    }, 120_000);

    it('loaded nothing from elsewhere and logged no error', () => {
      expect(problems).toEqual([]);
    });
  },
);
