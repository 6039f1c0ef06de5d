// Opens the demo's HTML report (tests/src/report.rs) in headless Chromium,
// with every network request refused (the report must need none), checks
// that its five charts render at a size, and saves a screenshot.
//
//   node scripts/report-screenshot.mjs REPORT.html SCREENSHOT.png
//
// Exits non-zero when the page fetches anything, logs an error, lacks a
// chart, draws one empty, or the screenshot is empty.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const [report, shot] = process.argv.slice(2);
if (!report || !shot) {
  console.error('usage: node scripts/report-screenshot.mjs REPORT.html SCREENSHOT.png');
  process.exit(2);
}

const CHARTS = [
  'Points by month',
  'Members by tier',
  'Customers by RFM segment',
  'Orders by weekday and hour',
  'Orders by payment method',
];

const userDataDir = mkdtempSync(join(tmpdir(), 'loyalty-report-'));
const problems = [];
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1240, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const url = pathToFileURL(resolve(report)).href;
  await page.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    problems.push(`the report fetched ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  const charts = await page.$$eval('figure svg', (svgs) =>
    svgs.map((svg) => {
      const box = svg.getBoundingClientRect();
      const texts = [...svg.querySelectorAll('text')].map((t) => t.textContent.trim());
      return { width: box.width, height: box.height, shapes: svg.querySelectorAll('rect, polyline, path, line').length, texts };
    }),
  );
  for (const title of CHARTS) {
    const chart = charts.find((c) => c.texts.includes(title));
    if (!chart) problems.push(`no chart titled "${title}"`);
    else if (chart.width < 200 || chart.height < 100 || chart.shapes < 5) {
      problems.push(`"${title}" is drawn ${chart.width}x${chart.height} with ${chart.shapes} shapes`);
    }
  }
  await page.screenshot({ path: shot, fullPage: true });
  const bytes = statSync(shot).size;
  if (bytes < 20_000) problems.push(`the screenshot is ${bytes} bytes`);
  console.log(`report: ${charts.length} charts rendered, screenshot ${shot} (${bytes} bytes)`);
} finally {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
