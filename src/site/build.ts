/**
 * Writes the static site of theorem pages for a check report:
 *
 *     <out>/index.html                 dependency graph, claim table, the run
 *     <out>/claim-<id>.html            one page per claim
 *     <out>/assets/style.css           the page style
 *     <out>/assets/katex/              KaTeX's CSS and fonts, copied from the katex package
 *     <out>/api/                       TypeDoc output, when requested (see api.ts)
 *
 * The pages load nothing from the network: math is rendered at build time, figures are inline
 * SVG, and the only other files are the style sheets and fonts above.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ensureDirectory, writeFileAtomic } from '../report/atomic.js';
import type { CheckReport } from '../report/report.js';
import { renderChart } from './charts.js';
import { claimFigures } from './evidence.js';
import { dependencyGraphSpec } from './graph.js';
import { ASSET_PATHS, claimPageName, renderClaimPage, renderIndexPage, type RenderedFigure, type SiteContext } from './pages.js';
import { siteCss } from './style.js';

/** Options of {@link buildSite}. */
export interface SiteOptions {
  /** Folder to write into; created when missing. */
  readonly outDir: string;
  /** Report path as the user gave it, shown in the reproduction commands. */
  readonly reportPath: string;
  /** Modification time of the report file, printed on the index; null prints no date. */
  readonly reportModified: Date | null;
  /** Whether `<out>/api/` contains API docs, so that the pages link to them. */
  readonly apiDocs: boolean;
}

/** Summary of the files {@link buildSite} wrote. */
export interface SiteResult {
  /** Pages written, relative to the output folder, index first. */
  readonly pages: readonly string[];
  readonly figures: number;
  /** Formulas that could not be typeset and are shown as plain text. */
  readonly warnings: readonly string[];
}

/**
 * Writes the site of `report` into `options.outDir`. Claim pages of an earlier build that the
 * report no longer has are removed; other files in the folder are left alone.
 * Cost: one Vega dataflow run per figure, about 50 ms each on the default report.
 */
export async function buildSite(report: CheckReport, options: SiteOptions): Promise<SiteResult> {
  const warnings: string[] = [];
  const site: SiteContext = {
    report,
    reportPath: options.reportPath,
    reportModified: options.reportModified,
    apiDocs: options.apiDocs,
    warn: (message) => warnings.push(message),
  };
  ensureDirectory(options.outDir);
  copyAssets(options.outDir);

  const graphSvg = await renderChart(
    dependencyGraphSpec(report.claims.map((claim) => ({ id: claim.id, label: claim.label, title: claim.title, verdict: claim.verdict, uses: claim.uses, href: claimPageName(claim.id) }))),
  );
  const pages = ['index.html'];
  writeFileAtomic(path.join(options.outDir, 'index.html'), renderIndexPage(site, graphSvg));

  let figureCount = 0;
  for (const claim of report.claims) {
    const figures: RenderedFigure[] = [];
    for (const figure of claimFigures(claim, report)) {
      figures.push({ id: figure.id, title: figure.title, caption: figure.caption, svg: await renderChart(figure.spec) });
    }
    figureCount += figures.length;
    const name = claimPageName(claim.id);
    writeFileAtomic(path.join(options.outDir, name), renderClaimPage(site, claim, figures));
    pages.push(name);
  }
  removeStaleClaimPages(options.outDir, new Set(pages));
  return { pages, figures: figureCount, warnings };
}

/** Writes the style sheet and copies KaTeX's style sheet and fonts from the installed katex package. */
function copyAssets(outDir: string): void {
  writeFileAtomic(path.join(outDir, ASSET_PATHS.style), siteCss());
  const require = createRequire(import.meta.url);
  const katexCss = require.resolve('katex/dist/katex.min.css');
  const katexDir = path.join(outDir, path.dirname(ASSET_PATHS.katexStyle));
  ensureDirectory(katexDir);
  fs.copyFileSync(katexCss, path.join(outDir, ASSET_PATHS.katexStyle));
  fs.cpSync(path.join(path.dirname(katexCss), 'fonts'), path.join(katexDir, 'fonts'), { recursive: true });
}

function removeStaleClaimPages(outDir: string, current: ReadonlySet<string>): void {
  for (const name of fs.readdirSync(outDir)) {
    if (/^claim-.*\.html$/.test(name) && !current.has(name)) fs.rmSync(path.join(outDir, name));
  }
}
