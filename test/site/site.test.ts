import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { InvalidInputError } from '../../src/errors.js';
import { serializeReport, type CheckReport } from '../../src/report/report.js';
import { buildSite, type SiteResult } from '../../src/site/build.js';
import { renderChart } from '../../src/site/charts.js';
import { claimFigures } from '../../src/site/evidence.js';
import { logScale, logTicks } from '../../src/site/figures.js';
import { dependencyGraphSpec, layoutGraph, type GraphClaim } from '../../src/site/graph.js';
import { formatNumber, html, raw } from '../../src/site/html.js';
import { renderMath, statementLatex, type ExponentSymbol } from '../../src/site/math.js';
import { claimPageName } from '../../src/site/pages.js';
import { readReportFile, validateReport } from '../../src/site/report-file.js';
import { VERDICT_STYLES, verdictStyle } from '../../src/site/verdicts.js';
import { smallReport } from './fixture.js';

/** WCAG 2.1 minimum contrast ratio of normal text (success criterion 1.4.3, level AA). */
const MIN_TEXT_CONTRAST = 4.5;

const temporaryDirectories: string[] = [];

function temporaryDirectory(): string {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'bitbound-site-'));
  temporaryDirectories.push(directory);
  return directory;
}

afterAll(() => {
  for (const directory of temporaryDirectories) fs.rmSync(directory, { recursive: true, force: true });
});

/** WCAG relative luminance of a `#rrggbb` colour. */
function relativeLuminance(hex: string): number {
  const channels = [1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16) / 255);
  const linear = channels.map((value) => (value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4));
  return 0.2126 * linear[0]! + 0.7152 * linear[1]! + 0.0722 * linear[2]!;
}

describe('html', () => {
  it('escapes interpolated text', () => {
    expect(html`<p title="${'"x"'}">${'<script>&'}</p>`.value).toBe('<p title="&quot;x&quot;">&lt;script&gt;&amp;</p>');
  });

  it('inserts raw markup, lists and nothing for null', () => {
    expect(html`<ul>${['a', raw('<b>b</b>')]}${null}${false}</ul>`.value).toBe('<ul>a<b>b</b></ul>');
  });
});

describe('formatNumber', () => {
  it.each([
    [0.0881, '0.0881'],
    [93656.19, '9.37e+4'],
    [256, '256'],
    [1e-5, '1.00e-5'],
    [2.46e26, '2.46e+26'],
    [-0.48076, '-0.481'],
    [null, '–'],
  ])('formats %s as %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });
});

describe('math', () => {
  const trajectoryExponent: ExponentSymbol = { symbol: 'slope_traj_dev_fp', of: 'traj_dev_fp', against: 'm', description: 'exponent of the trajectory deviation' };

  it('braces symbols after a product', () => {
    const typeset = statementLatex({ kind: 'bound', expression: 'dev_max_H0 <= kappa^2 * sqrt(log(n * (n + 1) / delta) / (2 * m))' }, []);
    expect(typeset.latex).toContain('2\\cdot{m}');
    expect(typeset.symbols).toEqual(['dev_max_H0', 'kappa', 'n', 'delta', 'm']);
    const rendered = renderMath(typeset.latex, true, 'fallback');
    expect(rendered.error).toBeNull();
    expect(rendered.html).toContain('class="katex-display"');
  });

  it('falls back to plain text on invalid LaTeX', () => {
    // `\cdotm` is what an unbraced symbol after a product would give.
    const rendered = renderMath('2\\cdotm', false, '2 * m < x');
    expect(rendered.error).toMatch(/cdotm/);
    expect(rendered.html).toBe('<code class="math-fallback">2 * m &lt; x</code>');
  });

  it('typesets a rate target as an equation', () => {
    const typeset = statementLatex({ kind: 'rate-target', expression: 'slope_traj_dev_fp = -0.5' }, [trajectoryExponent]);
    expect(typeset.latex).toBe('{\\operatorname{slope}_{m}\\!\\left[\\sup_t \\lVert u(t) - u_{\\mathrm{lin}}(t) \\rVert_2\\right]} = -0.5');
    expect(renderMath(typeset.latex, true, '').error).toBeNull();
  });

  it('typesets an overlap with approx', () => {
    const typeset = statementLatex({ kind: 'overlap', expression: 'slope_a ~ slope_b' }, []);
    expect(typeset.latex).toContain('\\approx');
    expect(typeset.symbols).toEqual(['slope_a', 'slope_b']);
  });
});

describe('logTicks', () => {
  it('uses 1, 2 and 5 times powers of ten', () => {
    expect(logTicks(1, 100)).toEqual([1, 2, 5, 10, 20, 50, 100]);
  });

  it('keeps only powers of ten on a wide range', () => {
    expect(logTicks(1, 10000)).toEqual([1, 10, 100, 1000, 10000]);
  });

  it('uses every multiple on a narrow range', () => {
    expect(logTicks(0.02, 0.05)).toEqual([0.02, 0.03, 0.04, 0.05]);
  });

  it('returns nothing for a non-positive range', () => {
    expect(logTicks(0, 1)).toEqual([]);
  });
});

describe('logScale', () => {
  it('rounds the domain out to round numbers', () => {
    const { scale, axis } = logScale([0.013, 0.0977]);
    expect(scale.domain).toEqual([0.01, 0.1]);
    expect(axis.values).toEqual([0.01, 0.02, 0.05, 0.1]);
  });
});

describe('verdict styles', () => {
  it('gives every verdict a text badge', () => {
    for (const style of VERDICT_STYLES) expect(style.badge).toContain(style.verdict.replace('-', ' '));
  });

  it('keeps white badge text readable', () => {
    for (const style of VERDICT_STYLES) {
      const contrast = (1 + 0.05) / (relativeLuminance(style.colour) + 0.05);
      expect(contrast, style.verdict).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    }
  });

  it('shows an unknown verdict as text', () => {
    expect(verdictStyle('odd').badge).toBe('– odd');
  });
});

describe('layoutGraph', () => {
  const claims: GraphClaim[] = [
    { id: 'a', label: 'A', title: 'first', verdict: 'holds', uses: [], href: 'claim-a.html' },
    { id: 'b', label: 'B', title: 'second', verdict: 'violated', uses: ['a'], href: 'claim-b.html' },
    { id: 'c', label: 'C', title: 'third', verdict: 'inconclusive', uses: ['a', 'b'], href: 'claim-c.html' },
    { id: 'd', label: 'D', title: 'fourth', verdict: 'supported', uses: ['missing'], href: 'claim-d.html' },
  ];

  it('places each claim right of the claims it uses', () => {
    const nodes = layoutGraph(claims);
    const column = new Map(nodes.map((node) => [node.id, node.column]));
    expect(Object.fromEntries(column)).toEqual({ a: 0, b: 1, c: 2, d: 1, missing: 0 });
    for (const node of nodes) {
      for (const used of node.uses) expect(column.get(used)!).toBeLessThan(node.column);
    }
  });

  it('adds a missing claim as not measured', () => {
    const missing = layoutGraph(claims).find((node) => node.id === 'missing');
    expect(missing?.verdict).toBe('not-measured');
    expect(missing?.href).toBeNull();
  });

  it('renders links and verdict text', async () => {
    const svg = await renderChart(dependencyGraphSpec(claims));
    expect(svg).toContain('xlink:href="claim-c.html"');
    expect(svg).toContain('✗ violated');
    expect(svg).toContain('– not measured');
    expect(svg).toContain('Latest verdict');
  });
});

describe('readReportFile', () => {
  it('names the path of a missing report', () => {
    const missing = path.join(temporaryDirectory(), 'none.json');
    expect(() => readReportFile(missing)).toThrow(InvalidInputError);
    expect(() => readReportFile(missing)).toThrow(`report file ${missing} not found; run \`bitbound check\` first`);
  });

  it('rejects a file that is not JSON', () => {
    const file = path.join(temporaryDirectory(), 'broken.json');
    fs.writeFileSync(file, '{"format": 1,');
    expect(() => readReportFile(file)).toThrow(/is not valid JSON .*run `bitbound check` first/);
  });

  it('rejects another report format', async () => {
    const report = { ...(await smallReport()), format: 99 };
    expect(() => validateReport(report, 'old.json')).toThrow('report file old.json is not a bitbound check report of format 1: field format is 99');
  });

  it('names a missing field', async () => {
    const report = structuredClone(await smallReport()) as unknown as { claims: Record<string, unknown>[] };
    delete report.claims[2]!.verdict;
    expect(() => validateReport(report, 'r.json')).toThrow('field claims[2].verdict is missing; run `bitbound check` first');
  });

  it('reads a report and its modification time', async () => {
    const file = path.join(temporaryDirectory(), 'report.json');
    fs.writeFileSync(file, serializeReport(await smallReport()));
    const modified = new Date('2025-01-02T03:04:05Z');
    fs.utimesSync(file, modified, modified);
    const read = readReportFile(file);
    expect(read.report.claims.length).toBe(7);
    expect(read.modified.toISOString()).toBe('2025-01-02T03:04:05.000Z');
  });
});

describe('claimFigures', () => {
  it('fits a K1 deviation for the page', async () => {
    const report = await smallReport();
    const k1 = report.claims.find((claim) => claim.label === 'K1')!;
    const figures = claimFigures(k1, report);
    // One figure per bound of K1: four deviations and two eigenvalue bounds.
    expect(figures.length).toBe(6);
    expect(JSON.stringify(figures[0]!.spec)).toContain('fitted for this page from the report cells');
  });

  it('draws the claimed slope of A1', async () => {
    const report = await smallReport();
    const a1 = report.claims.find((claim) => claim.label === 'A1')!;
    const specs = claimFigures(a1, report).map((figure) => JSON.stringify(figure.spec));
    expect(specs.some((spec) => spec.includes('claimed slope −0.500'))).toBe(true);
    expect(specs.some((spec) => spec.includes('kernel prediction'))).toBe(true);
  });
});

describe('buildSite', () => {
  let report: CheckReport;
  let outDir: string;
  let result: SiteResult;

  beforeAll(async () => {
    report = await smallReport();
    outDir = temporaryDirectory();
    result = await buildSite(report, { outDir, reportPath: 'small.json', reportModified: null, apiDocs: false });
  });

  it('writes the index and one page per claim', () => {
    expect(result.pages).toEqual(['index.html', ...report.claims.map((claim) => claimPageName(claim.id))]);
    for (const page of result.pages) expect(fs.existsSync(path.join(outDir, page))).toBe(true);
    expect(result.warnings).toEqual([]);
  });

  it('lists every claim with its verdict on the index', () => {
    const index = fs.readFileSync(path.join(outDir, 'index.html'), 'utf8');
    for (const claim of report.claims) {
      expect(index.includes(`href="${claimPageName(claim.id)}"`), `${claim.id}: link`).toBe(true);
      expect(index.includes(`<span class="muted small">${claim.id}</span>`), `${claim.id}: id`).toBe(true);
      expect(index.includes(`class="badge verdict-${claim.verdict}"`), `${claim.id}: verdict badge`).toBe(true);
    }
    expect(index.includes(report.command), 'reproduction command').toBe(true);
    expect(index.includes('bitbound docs --report small.json'), 'docs command').toBe(true);
    expect(index.includes('<svg'), 'graph').toBe(true);
  });

  it('typesets math and embeds figures on claim pages', () => {
    let figures = 0;
    for (const claim of report.claims) {
      const page = fs.readFileSync(path.join(outDir, claimPageName(claim.id)), 'utf8');
      expect(page.includes(`<code>${claim.id}</code>`), `${claim.id}: id`).toBe(true);
      expect(page.includes(verdictStyle(claim.verdict).badge), `${claim.id}: verdict badge`).toBe(true);
      expect(page.includes('class="katex'), `${claim.id}: KaTeX markup`).toBe(true);
      expect(page.includes('math-fallback'), `${claim.id}: plain-text fallback`).toBe(false);
      figures += (page.match(/<figure class="chart"/g) ?? []).length;
      expect((page.match(/<figure class="chart"/g) ?? []).length, claim.id).toBe((page.match(/<div class="chart-svg"><svg /g) ?? []).length);
    }
    expect(figures).toBe(result.figures);
    expect(figures).toBeGreaterThanOrEqual(report.claims.length);
  });

  it('explains every symbol of a statement', () => {
    const page = fs.readFileSync(path.join(outDir, claimPageName('kernel-init-concentration')), 'utf8');
    for (const name of ['dev_max_H0', 'kappa', 'n', 'delta', 'm', 'lambda_min_S0', 'lambda_S']) expect(page.includes(`<code class="small">${name}</code>`), name).toBe(true);
    expect(page.includes('<td class="meaning">number of training inputs</td>'), 'description of n').toBe(true);
  });

  it('loads nothing from the network', () => {
    for (const page of result.pages) {
      const text = fs.readFileSync(path.join(outDir, page), 'utf8');
      expect(/(?:href|src)="(?:https?:)?\/\//.test(text), `${page}: remote link`).toBe(false);
      expect(/@import|url\(\s*["']?https?:/.test(text), `${page}: remote style`).toBe(false);
    }
  });

  it('copies KaTeX fonts that its style sheet names', () => {
    const katexCss = fs.readFileSync(path.join(outDir, 'assets/katex/katex.min.css'), 'utf8');
    const fonts = [...katexCss.matchAll(/url\(([^)]+)\)/g)].map((match) => match[1]!.replace(/["']/g, ''));
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(fs.existsSync(path.join(outDir, 'assets/katex', font)), font).toBe(true);
  });

  it('gives identical pages on a rebuild', async () => {
    const again = temporaryDirectory();
    await buildSite(report, { outDir: again, reportPath: 'small.json', reportModified: null, apiDocs: false });
    for (const page of result.pages) expect(fs.readFileSync(path.join(again, page), 'utf8') === fs.readFileSync(path.join(outDir, page), 'utf8'), page).toBe(true);
  });

  it('removes pages of claims no longer in the report', async () => {
    const directory = temporaryDirectory();
    fs.writeFileSync(path.join(directory, 'claim-old.html'), 'old');
    fs.writeFileSync(path.join(directory, 'notes.html'), 'kept');
    await buildSite({ ...report, claims: report.claims.slice(0, 1) }, { outDir: directory, reportPath: 'r.json', reportModified: null, apiDocs: false });
    expect(fs.existsSync(path.join(directory, 'claim-old.html'))).toBe(false);
    expect(fs.existsSync(path.join(directory, 'notes.html'))).toBe(true);
  });
});

describe('bitbound docs', () => {
  it('exits with 2 when the report is missing', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const missing = path.join(temporaryDirectory(), 'missing.json');
    try {
      const code = await runCli(['docs', '--report', missing, '--out', temporaryDirectory()]);
      expect(code).toBe(2);
      expect(stderr.mock.calls.map((call) => String(call[0])).join('')).toContain(`report file ${missing} not found; run \`bitbound check\` first`);
    } finally {
      stderr.mockRestore();
    }
  });

  it('writes the site of a report', async () => {
    const directory = temporaryDirectory();
    const reportFile = path.join(directory, 'report.json');
    fs.writeFileSync(reportFile, serializeReport(await smallReport()));
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await runCli(['docs', '--report', reportFile, '--out', path.join(directory, 'site')]);
      expect(code).toBe(0);
      expect(stdout.mock.calls.map((call) => String(call[0])).join('')).toMatch(/^wrote 8 pages with \d+ figures to /);
    } finally {
      stdout.mockRestore();
    }
    const index = fs.readFileSync(path.join(directory, 'site', 'index.html'), 'utf8');
    expect(index.includes('This is the file\'s modification time'), 'report date note').toBe(true);
  });

  it('rejects the working directory as output', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runCli(['docs', '--out', '.'])).toBe(2);
      expect(stderr.mock.calls.map((call) => String(call[0])).join('')).toContain('--out: must name a folder of its own');
    } finally {
      stderr.mockRestore();
    }
  });
});
