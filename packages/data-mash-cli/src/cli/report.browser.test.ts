import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ColumnProfile } from '@platform/data-mash';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CHROMIUM, launchChromium, runBin } from './cli.test-helpers.js';

/**
 * The HTML report as a reader sees it: real files ingested through the built CLI, the report
 * opened in headless Chromium (Debian's: `apt-get install -y chromium`; `CHROMIUM_PATH` names another).
 * Without it the suite is skipped, and its name says so.
 * Set DATA_MASH_REPORT_SCREENSHOTS to a directory to keep the full-page screenshots (and the reports).
 */
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SEATTLE = fileURLToPath(new URL('../../../../examples/data/seattle-weather.csv', import.meta.url));

// Zip codes with leading zeros, US dates (13/... never occurs: month first), a boolean, amounts
// with a unit and one far outlier, missing values, and values that look like markup or hold
// terminal and bidi controls.
function customersCsv(): string {
  const zips = ['02134', '00501', '00601', '07030', '10001', '60601', '90210', '02116'];
  const plans = ['basic', 'basic', 'pro', 'team', 'basic', 'pro'];
  const cities = ['Boston', 'Holtsville', 'Adjuntas', 'Hoboken', 'New York', 'Chicago', 'Beverly Hills', ''];
  const comments = ['likes the <b>new</b> app', '<img src=x onerror=alert(1)>', '\u202eevil\u202c reversed', ''];
  const lines = ['customer_id,zip,signup,active,plan,spend,city,comment'];
  for (let id = 1; id <= 40; id += 1) {
    const month = (id % 12) + 1;
    const day = ((id * 7) % 28) + 1;
    const active = id % 13 === 0 ? '' : id % 3 === 0 ? 'false' : 'true';
    const spend = id === 17 ? '"$4,800.00"' : id % 11 === 0 ? '' : `$${(id * 3.75 + (id % 5) * 10).toFixed(2)}`;
    const comment = id === 9 ? '"\u001b[31mred\u001b[0m"' : comments[id % 4];
    lines.push(
      [id, zips[id % 8], `${month}/${day}/2023`, active, plans[id % 6], spend, cities[id % 8], comment].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

// 120,000 rows, past the exact limits (distinct counts estimated, figures as long as
// `~119,300 (~99.4 %), estimated`, counts up the y axis as wide as `25,000`): ids, years, ratings
// 1 to 5, scores, tiny decimals, null tokens in the first rows, and days with a gap of 5 days.
function largeCsv(): string {
  const lines = ['id,release_year,rating,score,tiny,label,day'];
  const labels = ['alpha', 'beta', 'gamma'];
  for (let id = 1; id <= 120_000; id += 1) {
    const offset = (id * 37) % 120;
    const day = new Date(Date.UTC(2024, 0, 1 + (offset >= 69 && offset <= 73 ? 68 : offset)));
    lines.push(
      [
        id,
        1995 + ((id * 13) % 29),
        1 + ((id * 7) % 5),
        ((id * 7919) % 100_000) / 1000,
        ((id * 31) % 1000) / 1e6,
        id <= 3 ? ['NA', 'None', 'N/A'][id - 1] : labels[id % 3],
        day.toISOString().slice(0, 10),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!HAS_CHROMIUM)(
  HAS_CHROMIUM
    ? 'the HTML report in headless Chromium'
    : `the HTML report in headless Chromium (skipped: no browser at ${CHROMIUM}; apt-get install -y chromium)`,
  () => {
    let workDir: string;
    let shots: string;
    let browser: Browser;
    const reports: Record<string, { html: string; columns: ColumnProfile[]; firstRowNumber: number }> = {};

    beforeAll(async () => {
      if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
      workDir = await mkdtemp(join(tmpdir(), 'data-mash-report-'));
      shots = process.env.DATA_MASH_REPORT_SCREENSHOTS ?? join(workDir, 'screenshots');
      await mkdir(shots, { recursive: true });
      await copyFile(SEATTLE, join(workDir, 'seattle-weather.csv'));
      await writeFile(join(workDir, 'customers.csv'), customersCsv());
      await writeFile(join(workDir, 'large.csv'), largeCsv());
      const dataDir = ['--data-dir', join(workDir, 'data')];
      const ingest = runBin(workDir, [
        ...dataDir,
        'ingest',
        'seattle-weather.csv',
        'customers.csv',
        'large.csv',
        '--json',
      ]);
      expect(ingest.code, ingest.stderr).toBe(0);
      for (const run of JSON.parse(ingest.stdout) as Array<{ file: string; journeyId: string }>) {
        const name = (run.file.split('/').at(-1) as string).replace('.csv', '');
        const html = join(workDir, `${name}.html`);
        const written = runBin(workDir, [...dataDir, 'report', run.journeyId, '--out', html]);
        expect(written.code, written.stderr).toBe(0);
        const insights = JSON.parse(runBin(workDir, [...dataDir, 'insights', run.journeyId, '--json']).stdout) as {
          tables: Array<{ insights: { columns: ColumnProfile[]; rows: { firstRowNumber?: number } } }>;
        };
        const table = insights.tables[0]?.insights;
        reports[name] = { html, columns: table?.columns ?? [], firstRowNumber: table?.rows.firstRowNumber ?? 1 };
      }
      browser = await launchChromium();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      if (!process.env.DATA_MASH_REPORT_SCREENSHOTS) await rm(workDir, { recursive: true, force: true });
    });

    /** Opens a report, recording console errors and every request that is not the file itself. */
    async function open(name: string): Promise<{ page: Page; problems: string[] }> {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      const url = `file://${reports[name]?.html}`;
      page.on('request', (request) => {
        if (request.url() !== url) problems.push(`request: ${request.url()}`);
      });
      await page.goto(url);
      return { page, problems };
    }

    // Labels of one chart that overlap another label of it (by their rendered boxes).
    function overlapping(page: Page, selector: string): Promise<string[]> {
      return page.$$eval(selector, (charts) =>
        charts.flatMap((chart) => {
          // Labels turned by 45 degrees have boxes that overlap their neighbours' by nature.
          const texts = [...chart.querySelectorAll('text')].filter(
            (text) => !(text.getAttribute('transform') ?? '').includes('rotate(-45)'),
          );
          const boxes = texts.map((text) => ({
            text: text.textContent ?? '',
            box: text.getBoundingClientRect(),
          }));
          const found: string[] = [];
          boxes.forEach((a, i) => {
            for (const b of boxes.slice(i + 1)) {
              const overlap =
                Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left) > 1 &&
                Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top) > 1;
              if (overlap) found.push(`${chart.getAttribute('aria-label')}: '${a.text}' over '${b.text}'`);
            }
          });
          return found;
        }),
      );
    }

    // Figures of a column's tables that overlap one another (by their rendered boxes).
    function overlappingFigures(page: Page): Promise<string[]> {
      return page.$$eval('section.column .facts', (all) =>
        all.flatMap((facts) => {
          const cells = [...facts.querySelectorAll('table.stats th, table.stats td')].map((cell) => ({
            text: cell.textContent ?? '',
            box: cell.getBoundingClientRect(),
          }));
          const found: string[] = [];
          cells.forEach((a, i) => {
            for (const b of cells.slice(i + 1)) {
              const overlap =
                Math.min(a.box.right, b.box.right) - Math.max(a.box.left, b.box.left) > 1 &&
                Math.min(a.box.bottom, b.box.bottom) - Math.max(a.box.top, b.box.top) > 1;
              if (overlap) found.push(`${facts.closest('section')?.id}: '${a.text}' over '${b.text}'`);
            }
          });
          // A figure wider than its cell spills over its neighbours.
          for (const cell of facts.querySelectorAll('table.stats td'))
            if (cell.scrollWidth > cell.clientWidth + 1)
              found.push(`${facts.closest('section')?.id}: '${cell.textContent}' spills`);
          return found;
        }),
      );
    }

    const isUnique = (column: ColumnProfile) =>
      column.distinctMethod === 'exact' &&
      column.distinct === column.count - column.nulls &&
      column.count - column.nulls > 1;
    const isMeasure = (column: ColumnProfile) => column.type === 'integer' || column.type === 'decimal';

    for (const name of ['seattle-weather', 'customers', 'large']) {
      it(`${name}: overview and alerts before the columns, charts that fit each type, nothing loaded, nothing logged`, async () => {
        const { page, problems } = await open(name);
        const columns = reports[name]?.columns ?? [];
        expect(columns.length).toBeGreaterThan(0);
        // The overview first, then the alerts, then the columns.
        const order = await page.$$eval('#t0-overview, #t0-alerts, #t0-columns', (sections) =>
          sections.map((s) => s.id),
        );
        expect(order).toEqual(['t0-overview', 't0-alerts', 't0-columns']);
        // A histogram per measure column, each with numeric ticks on both axes and axis titles.
        const histograms = await page.$$eval('svg.histogram', (charts) =>
          charts.map((chart) => ({
            // One bar per value (an integer column with few values), or bins.
            values: chart.classList.contains('values'),
            ticks: [...chart.querySelectorAll('text.tick:not(.outside)')].map((text) => text.textContent ?? ''),
            titles: [...chart.querySelectorAll('text.axis-title')].map((text) => text.textContent ?? ''),
            bins: chart.querySelectorAll('rect.bin').length,
          })),
        );
        expect(histograms).toHaveLength(columns.filter(isMeasure).length);
        for (const histogram of histograms) {
          expect(histogram.ticks.length).toBeGreaterThanOrEqual(5);
          for (const tick of histogram.ticks) expect(tick).toMatch(/^-?[\d,.]+[KMBT]?$|^-?\d(\.\d)?e[+-]\d+$/);
          expect(histogram.titles).toContain('count');
          expect(histogram.bins).toBeGreaterThanOrEqual(histogram.values ? 1 : 10);
        }
        // No top-value bars for a column whose every value is distinct; it says so instead.
        for (const [index, column] of columns.entries()) {
          const section = page.locator(`#t0-c${index}`);
          if (isUnique(column)) {
            expect(await section.locator('svg.top-values').count(), column.name).toBe(0);
            if (!isMeasure(column) && column.type !== 'date')
              expect(await section.textContent()).toContain('Every value distinct');
          }
        }
        expect(await page.locator('svg.missing').count()).toBe(1);
        for (const chart of await page.locator('svg').all()) {
          expect(await chart.getAttribute('role')).toBe('img');
          expect(await chart.getAttribute('aria-label')).toBeTruthy();
        }
        expect(await overlapping(page, 'svg.histogram, svg.dates, svg.heatmap, svg.boolean, svg.missing')).toEqual([]);
        expect(await overlappingFigures(page)).toEqual([]);
        // The first rows are numbered as the file's rows.
        expect(await page.locator('table.sample tbody th').first().textContent()).toBe(
          String(reports[name]?.firstRowNumber),
        );
        expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
        await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
        if (process.env.DATA_MASH_REPORT_SCREENSHOTS)
          await copyFile(reports[name]?.html as string, join(shots, `${name}.html`));
        expect(problems).toEqual([]);
        await page.close();
      }, 60_000);
    }

    it('seattle-weather: a labelled correlation heatmap of the four measures, top values of the weather, the date span', async () => {
      const { page } = await open('seattle-weather');
      const heatmap = page.locator('svg.heatmap');
      expect(await heatmap.count()).toBe(1);
      // 4 x 4 cells, each with its coefficient on hover.
      expect(await heatmap.locator('g > rect[fill]').count()).toBe(16);
      expect(await heatmap.textContent()).toContain('temp_max');
      expect(await page.locator('#t0-correlations').textContent()).toContain('temp_max ~ temp_min: r = 0.876');
      expect(await page.locator('svg.top-values title').first().textContent()).toBe('rain: 641, 43.9 % of the values');
      expect(await page.locator('svg.dates').getAttribute('aria-label')).toMatch(
        /^Timeline of date: from 2012-01-01 to 2015-12-31, dates per period in 12 bars/,
      );
      expect(await page.locator('svg.dates rect.bin').count()).toBe(12);
      // precipitation's far outliers (beyond 3 IQR) are drawn apart.
      expect(await page.locator('#t0-c1 svg.histogram text.tick.outside').textContent()).toMatch(/^> /);
      await page.close();
    }, 60_000);

    it('customers: zip codes as identifiers, US dates read month first, the boolean, the unit, missing cells dark, hostile values as text', async () => {
      const { page } = await open('customers');
      const zip = page.locator('#t0-c1');
      expect(await zip.locator('.type').textContent()).toBe('identifier');
      expect(await zip.locator('svg.top-values title').first().textContent()).toMatch(/^0\d{4}: 5, /);
      expect(await page.locator('#t0-c2').textContent()).toContain('month first (m/d/y)');
      expect(await page.locator('#t0-c3 svg.boolean').count()).toBe(1);
      expect(await page.locator('#t0-c5 svg.histogram text.axis-title').first().textContent()).toBe('spend ($)');
      expect(await page.locator('#t0-c5 svg.histogram text.tick.outside').textContent()).toMatch(/^> /);
      // Missing values of the sample: spend, active, city and comment have some.
      expect(await page.locator('svg.missing rect.missing').count()).toBeGreaterThan(4);
      expect(await page.locator('#t0-correlations').textContent()).toContain('Fewer than two measure columns');
      const sample = (await page.locator('table.sample').textContent()) ?? '';
      expect(sample).toContain('<img src=x onerror=alert(1)>');
      expect(sample).toContain('\\u202eevil\\u202c reversed');
      expect(sample).toContain('\\x1b[31mred\\x1b[0m');
      await page.close();
    }, 60_000);

    it('large: figures that fit their cells, years without separators, a bar per rating, days with no date, null tokens missing', async () => {
      const { page } = await open('large');
      // Estimated distinct counts wrap in their cell instead of running over the next table.
      expect(await page.locator('#t0-c0 .facts').textContent()).toContain('estimated');
      const year = page.locator('#t0-c1');
      expect(await year.locator('.facts').textContent()).not.toMatch(/\b[12],\d{3}\b/);
      expect(await year.locator('.facts').textContent()).toContain('1995');
      const yearTicks = await year.locator('svg.histogram text.tick').allTextContents();
      expect(yearTicks.filter((tick) => /^(19|20)\d\d$/.test(tick)).length).toBeGreaterThanOrEqual(4);
      const rating = page.locator('#t0-c2 svg.histogram.values');
      expect(await rating.locator('rect.bin').count()).toBe(5);
      const ratingTicks = await rating.locator('text.tick').allTextContents();
      expect(ratingTicks).toEqual(expect.arrayContaining(['1', '2', '3', '4', '5']));
      expect(ratingTicks.some((tick) => tick.includes('.'))).toBe(false);
      // Tiny decimals: 4 significant digits or exponent form, never a rounded 0.0003.
      expect(await page.locator('#t0-c4 .facts').textContent()).toMatch(/std deviation0\.000\d{4}/);
      const day = page.locator('#t0-c6');
      expect(await day.locator('svg.dates rect.bin').count()).toBe(12);
      expect(await day.locator('svg.dates rect.gap').count()).toBe(1);
      expect(await day.textContent()).toContain('5 days with no date: 2024-03-10 to 2024-03-14.');
      expect(await page.locator('table.sample td.na').allTextContents()).toEqual(['NA', 'None', 'N/A']);
      await page.close();
    }, 60_000);
  },
);
