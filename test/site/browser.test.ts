/**
 * The theorem pages in a real browser: headless Chromium (Debian's `chromium` package)
 * driven by playwright-core opens every page of a site built from a small real check run,
 * from file:// with no server, and checks what a reader would see. Screenshots of the index
 * and of one claim page go to test/site/screenshots/.
 *
 * Without /usr/bin/chromium the test fails with the install command, unless
 * BITBOUND_SKIP_BROWSER=1 is set, in which case it is skipped with the same message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSite, type SiteResult } from '../../src/site/build.js';
import { claimPageName } from '../../src/site/pages.js';
import { smallReport } from './fixture.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const MISSING_MESSAGE = `headless Chromium was not found at ${CHROMIUM_PATH}; install it with \`apt-get install chromium\` (or set BITBOUND_SKIP_BROWSER=1 to skip the browser test)`;
const chromiumMissing = !fs.existsSync(CHROMIUM_PATH);
const skipBrowser = chromiumMissing && process.env.BITBOUND_SKIP_BROWSER === '1';
if (skipBrowser) console.warn(`skipping the browser test: ${MISSING_MESSAGE}`);

/** Flags that keep Chromium quiet and offline: no first-run, sync, updates or background requests. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SCREENSHOT_DIR = path.join(import.meta.dirname, 'screenshots');

/** Claim page that the test photographs: it has math, exponents and several figures. */
const SCREENSHOT_CLAIM = 'kernel-regime';

/** Time for one page to load and lay out, in milliseconds; pages load from disk. */
const PAGE_LOAD_TIMEOUT_MS = 30_000;

/** Time for the whole browser suite's setup: the check run, the site build and the browser start. */
const SETUP_TIMEOUT_MS = 120_000;

/** What the browser saw on one page. */
interface PageReport {
  readonly consoleErrors: string[];
  readonly failedRequests: string[];
  readonly remoteRequests: string[];
}

describe.skipIf(skipBrowser)('theorem pages in headless Chromium', () => {
  let site: SiteResult;
  let outDir: string;
  let userDataDir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    if (chromiumMissing) throw new Error(MISSING_MESSAGE);
    const report = await smallReport();
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-site-browser-'));
    site = await buildSite(report, { outDir, reportPath: 'bitbound-report.json', reportModified: null, apiDocs: false });
    userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-chromium-profile-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1100, height: 900 } });
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await context?.close();
    for (const directory of [outDir, userDataDir]) if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  /** Opens a page of the site from file:// and records console errors and requests. */
  async function open(name: string): Promise<{ page: Page; seen: PageReport }> {
    const page = await context.newPage();
    const seen: PageReport = { consoleErrors: [], failedRequests: [], remoteRequests: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') seen.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => seen.consoleErrors.push(error.message));
    page.on('requestfailed', (request) => seen.failedRequests.push(`${request.url()} (${request.failure()?.errorText ?? 'failed'})`));
    page.on('request', (request) => {
      if (!/^(file|data):/.test(request.url())) seen.remoteRequests.push(request.url());
    });
    await page.goto(pathToFileURL(path.join(outDir, name)).href, { waitUntil: 'load', timeout: PAGE_LOAD_TIMEOUT_MS });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    return { page, seen };
  }

  it('loads every page from file:// without errors or requests', async () => {
    for (const name of site.pages) {
      const { page, seen } = await open(name);
      expect(seen.consoleErrors, `${name}: console errors`).toEqual([]);
      expect(seen.failedRequests, `${name}: failed requests`).toEqual([]);
      expect(seen.remoteRequests, `${name}: requests off the file system`).toEqual([]);
      await page.close();
    }
  });

  it('renders math with KaTeX and leaves no raw TeX', async () => {
    for (const name of site.pages) {
      const { page } = await open(name);
      const math = await page.evaluate(() => {
        const body = document.body.cloneNode(true) as HTMLElement;
        const katexCount = body.querySelectorAll('.katex').length;
        const errorCount = body.querySelectorAll('.katex-error, .math-fallback').length;
        body.querySelectorAll('.katex, svg').forEach((element) => element.remove());
        const text = body.textContent ?? '';
        return { katexCount, errorCount, text, katexFont: document.fonts.check('16px KaTeX_Main') };
      });
      if (name !== 'index.html') {
        expect(math.katexCount, `${name}: KaTeX elements`).toBeGreaterThan(0);
        expect(math.katexFont, `${name}: KaTeX_Main font loaded`).toBe(true);
      }
      expect(math.errorCount, `${name}: formulas shown as plain text`).toBe(0);
      for (const token of ['$', '\\frac', '\\sqrt', '\\cdot', '\\left']) {
        expect(math.text.includes(token), `${name}: raw ${token} outside KaTeX`).toBe(false);
      }
      await page.close();
    }
  });

  it('draws data marks in every figure', async () => {
    let figures = 0;
    for (const name of site.pages) {
      const { page } = await open(name);
      const marks = await page.evaluate(() =>
        Array.from(document.querySelectorAll('figure.chart svg.marks')).map((svg) => {
          const paths = Array.from(svg.querySelectorAll<SVGPathElement>('.role-mark path'));
          const drawn = paths.filter((element) => {
            const box = element.getBBox();
            return (element.getAttribute('d') ?? '').length > 2 && (box.width > 0 || box.height > 0);
          });
          return { id: svg.closest('figure')?.id ?? '?', drawn: drawn.length };
        }),
      );
      expect(marks.length, `${name}: figures`).toBeGreaterThan(0);
      for (const figure of marks) expect(figure.drawn, `${name} ${figure.id}: drawn data marks`).toBeGreaterThan(0);
      figures += name === 'index.html' ? 0 : marks.length;
      await page.close();
    }
    expect(figures).toBe(site.figures);
  });

  it('opens a claim page from its graph node', async () => {
    const { page } = await open('index.html');
    const target = claimPageName('kernel-init-concentration');
    // The circle and its label are both links; the label lies on top, so a reader clicks it.
    await page.locator(`figure.graph svg a[*|href="${target}"]`).filter({ hasText: 'K1' }).click();
    await page.waitForURL((url) => url.pathname.endsWith(`/${target}`), { timeout: PAGE_LOAD_TIMEOUT_MS });
    expect(await page.locator('h1').textContent()).toContain('K1');
    await page.close();
  });

  it('saves screenshots of the index and a claim page', async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    for (const name of ['index.html', claimPageName(SCREENSHOT_CLAIM)]) {
      const { page } = await open(name);
      const file = path.join(SCREENSHOT_DIR, name.replace(/\.html$/, '.png'));
      await page.screenshot({ path: file, fullPage: true });
      expect(fs.statSync(file).size, file).toBeGreaterThan(0);
      await page.close();
    }
  });
});
