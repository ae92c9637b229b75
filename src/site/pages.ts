/**
 * HTML of the theorem pages: the index (dependency graph, claim table, the run) and one page
 * per claim (statement, hypotheses, symbols, provenance, the numbers of the latest run,
 * figures, and the command that reproduces them). Pages are static: math is KaTeX markup
 * rendered at build time, figures are inline SVG, and links are relative, so the folder
 * opens from the file system.
 */
import { findSymbol } from '../claims/symbols.js';
import type { CheckReport, ClaimReport } from '../report/report.js';
import type { FigureSpec } from './figures.js';
import { sweepName } from './figures.js';
import { formatInterval, formatNumber, html, raw, type SafeHtml } from './html.js';
import { exponentLatex, hypothesisLatex, renderMath, statementLatex, symbolLatex, type ExponentSymbol } from './math.js';
import { VERDICT_STYLES, verdictClass, verdictStyle } from './verdicts.js';

/** Relative paths of the shared assets, from a page at the site root. */
export const ASSET_PATHS = {
  style: 'assets/style.css',
  katexStyle: 'assets/katex/katex.min.css',
} as const;

/** Site-wide inputs of every page. */
export interface SiteContext {
  readonly report: CheckReport;
  /** Report path as the user gave it, for the reproduction commands. */
  readonly reportPath: string;
  /** Modification time of the report file, or null to print no date. */
  readonly reportModified: Date | null;
  /** Whether API docs are generated into `api/`, so pages link to them. */
  readonly apiDocs: boolean;
  /** Receives a message for each formula KaTeX rejected; the page shows the plain text instead. */
  readonly warn: (message: string) => void;
}

/** A figure rendered to SVG. */
export interface RenderedFigure extends Omit<FigureSpec, 'spec'> {
  readonly svg: string;
}

/** Returns the file name of a claim's page, e.g. `claim-kernel-init-concentration.html`. */
export function claimPageName(claimId: string): string {
  return `claim-${claimId.replace(/[^A-Za-z0-9_.-]/g, '-')}.html`;
}

// ---------------------------------------------------------------------------------------------
// Index page

/** Renders the index page: the dependency graph (rendered SVG), the claim table and the run. */
export function renderIndexPage(site: SiteContext, graphSvg: string): string {
  const { report } = site;
  const body = html`
<h1>bitbound theorem pages</h1>
<p class="lead">Each claim about 1-bit and full-precision two-layer networks that this report checked, with its latest verdict and the evidence behind it.
Data: <strong>${report.data.name}</strong>, n = ${report.data.trainSize} training inputs, ${report.data.testSize} held out, d = ${report.data.dimension}; widths ${report.options.widths.join(', ')}.</p>

<section id="graph">
<h2>Claims and their dependencies</h2>
<figure class="chart graph">
<div class="chart-svg">${raw(graphSvg)}</div>
<figcaption>An arrow from one claim to another means that the second builds on the first. The colour and the text under each circle give the latest verdict; select a circle to open the claim's page.</figcaption>
</figure>
</section>

<section id="claims">
<h2>Claims</h2>
<div class="table-scroll">
<table class="claims">
<thead><tr><th scope="col">Claim</th><th scope="col">Statement</th><th scope="col">Verdict</th><th scope="col">Provenance</th><th scope="col" title="tightest RHS / LHS over the claim's bounds; 1 is tight">Looseness</th><th scope="col">Key numbers</th></tr></thead>
<tbody>
${report.claims.map(
  (claim) => html`<tr>
<td><a href="${claimPageName(claim.id)}"><strong>${claim.label}</strong></a><br><span class="muted small">${claim.id}</span></td>
<td>${claim.title}</td>
<td>${verdictBadge(claim.verdict)}</td>
<td>${provenanceShort(claim.provenance)}</td>
<td class="number">${claim.looseness === null ? '–' : formatNumber(claim.looseness)}</td>
<td class="small">${claim.keyNumbers === '' ? '–' : claim.keyNumbers}</td>
</tr>
`,
)}</tbody>
</table>
</div>
<p class="small muted">Looseness is the tightest ratio RHS / LHS over a claim's bounds: 1 means the bound is tight at some measured trial, large values mean it is far from what was measured.</p>
</section>

<section id="verdicts">
<h2>How to read a verdict</h2>
<dl class="verdict-legend">
${VERDICT_STYLES.map((style) => html`<dt>${verdictBadge(style.verdict)}</dt><dd>${style.meaning}.</dd>\n`)}</dl>
</section>

${runSection(site)}
${site.apiDocs ? html`<section id="api"><h2>API</h2><p>The library API, generated from the source by TypeDoc: <a href="api/index.html">API documentation</a>.</p></section>` : ''}
`;
  return pageShell(site, 'bitbound theorem pages', body);
}

function runSection(site: SiteContext): SafeHtml {
  const { report } = site;
  const { options, run, data } = report;
  const rows: [string, string][] = [
    ['Data set', `${data.name}: ${data.source}`],
    ['Training / held-out inputs', `${data.trainSize} / ${data.testSize}`],
    ['Input dimension d', String(data.dimension)],
    ['Widths m', options.widths.join(', ')],
    ['Seeds', `${options.seeds} per width for training claims, ${options.initSeeds} for initialization claims, from seed ${options.firstSeed}`],
    ['Training', `T = ${options.steps} steps of full-batch gradient descent, step size eta = ${formatNumber(run.learningRate)}${options.eta === null ? ' (1 / lambda_max of Hstar)' : ''}`],
    ['Networks', `kappa = ${options.kappa}, sigma = ${options.sigma}, quantizer ${options.quantizer}${options.activationBits === null ? '' : `, activations quantized to ${options.activationBits} bits`}`],
    ['Statistics', `confidence ${options.confidence}, ${options.bootstrapReplicates} bootstrap replicates`],
    ['Limit kernel Hstar', spectrumText(run.limitFp, data.trainSize)],
    ['Limit kernel Sstar', `${spectrumText(run.limitOneBit, data.trainSize)}; ${signLimitText(run.signLimit)}`],
    ['Tool', `bitbound ${report.tool.version}, report format ${report.format}`],
  ];
  return html`<section id="run">
<h2>The run</h2>
<table class="facts"><tbody>
${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>\n`)}</tbody></table>
<h3>Data cleaning</h3>
<ul class="small">${data.cleaning.map((line) => html`<li>${line}</li>`)}</ul>
${reproduceBlock(site)}
</section>`;
}

function signLimitText(signLimit: CheckReport['run']['signLimit']): string {
  if (signLimit.method === 'exact') return 'computed exactly over the hypercube';
  return `estimated by Monte Carlo with ${signLimit.samples} sign vectors`;
}

function spectrumText(spectrum: CheckReport['run']['limitFp'], n: number): string {
  const condition = spectrum.conditionNumber === null ? 'condition number not finite' : `condition number ${formatNumber(spectrum.conditionNumber)}`;
  const singular = spectrum.nearSingular ? `; near-singular, rank ${spectrum.rank} of ${n}` : '';
  return `lambda_min ${formatNumber(spectrum.lambdaMin)}, lambda_max ${formatNumber(spectrum.lambdaMax)}, ${condition}${singular}`;
}

function reproduceBlock(site: SiteContext): SafeHtml {
  const docsCommand = site.reportPath === 'bitbound-report.json' ? 'bitbound docs' : `bitbound docs --report ${shellQuote(site.reportPath)}`;
  const date =
    site.reportModified === null
      ? html`<p class="small muted">The report carries no date, so that identical runs give identical files.</p>`
      : html`<p class="small muted">Report file last modified ${formatDate(site.reportModified)}. This is the file's modification time: the report itself carries no date, so that identical runs give identical files.</p>`;
  return html`<h3>Reproduce</h3>
<p>This command reruns the check with the same options and gives the same report byte for byte; the second one rebuilds these pages from it.</p>
<pre class="command"><code>${site.report.command}
${docsCommand}</code></pre>
${date}`;
}

// ---------------------------------------------------------------------------------------------
// Claim page

/** Renders the page of one claim with its rendered figures. */
export function renderClaimPage(site: SiteContext, claim: ClaimReport, figures: readonly RenderedFigure[]): string {
  const { report } = site;
  const exponents = claim.exponents as readonly ExponentSymbol[];
  const typeset = claim.statements.map((statement) => typesetOrNull(site, statement.expression, () => statementLatex(statement, exponents)));
  const hypotheses = claim.hypotheses.map((hypothesis) => typesetOrNull(site, hypothesis.expression, () => hypothesisLatex(hypothesis.expression, exponents)));
  const usedBy = report.claims.filter((other) => other.uses.includes(claim.id));

  const symbols = new Set<string>();
  typeset.forEach((entry) => entry?.symbols.forEach((name) => symbols.add(name)));
  hypotheses.forEach((entry) => entry?.symbols.forEach((name) => symbols.add(name)));
  for (const exponent of claim.exponents) [exponent.symbol, exponent.of, exponent.against].forEach((name) => symbols.add(name));
  for (const sweep of claim.sweeps) {
    if (findSymbol(sweep.variable) !== undefined) symbols.add(sweep.variable);
    sweep.rows.forEach((row) => Object.keys(row.means).forEach((name) => symbols.add(name)));
    (sweep.fits ?? []).forEach((fit) => symbols.add(fit.of));
  }

  const body = html`
<p class="breadcrumb"><a href="index.html">All claims</a> › ${claim.label}</p>
<h1><span class="claim-label">${claim.label}</span> ${claim.title}</h1>
<p class="claim-id muted small">Claim id <code>${claim.id}</code></p>
<p class="verdict-line">Latest verdict: ${verdictBadge(claim.verdict)} <span class="muted">${verdictStyle(claim.verdict).meaning}.</span></p>
<p class="lead">${claim.summary}</p>

<section id="provenance">
<h2>Provenance</h2>
${provenanceBlock(claim.provenance)}
${claim.uses.length > 0 ? html`<p>Builds on: ${joinLinks(claim.uses.map((id) => claimLink(report, id)))}.</p>` : html`<p>Builds on no other claim of the catalogue.</p>`}
${usedBy.length > 0 ? html`<p>Used by: ${joinLinks(usedBy.map((other) => claimLink(report, other.id)))}.</p>` : ''}
</section>

<section id="statement">
<h2>Statement</h2>
${claim.delta !== null ? html`<p>Each bound must hold with probability at least ${math(site, '1 - \\delta', '1 - delta', false)} over the random initialization, with ${math(site, `\\delta = ${claim.delta}`, `delta = ${claim.delta}`, false)}.</p>` : ''}
${claim.statements.map((statement, index) => statementBlock(site, claim, statement, typeset[index] ?? null))}
</section>

${claim.hypotheses.length > 0 ? hypothesesSection(site, claim, hypotheses) : ''}

<section id="symbols">
<h2>Symbols</h2>
${symbolTable(site, claim, [...symbols])}
</section>

${claim.exponents.length > 0 ? exponentSection(site, claim) : ''}
${claim.widths.length > 0 ? widthSection(claim) : ''}
${claim.sweeps.length > 0 ? sweepSection(claim) : ''}
${claim.divergences.length > 0 ? divergenceSection(claim) : ''}

${figures.length > 0 ? html`<section id="figures"><h2>Figures</h2>${figures.map((figure, index) => figureBlock(figure, index + 1))}</section>` : ''}

<section id="reproduce">
${reproduceBlock(site)}
</section>
`;
  return pageShell(site, `${claim.label}: ${claim.title}`, body);
}

function statementBlock(site: SiteContext, claim: ClaimReport, statement: ClaimReport['statements'][number], typeset: { latex: string } | null): SafeHtml {
  const formula = typeset === null ? html`<code class="math-fallback">${statement.expression}</code>` : math(site, typeset.latex, statement.expression, true);
  return html`<div class="statement" id="statement-${statement.id}">
<h3>${statement.description} <span class="muted small">(${statement.id}, ${kindName(statement.kind)})</span> ${verdictBadge(statement.verdict)}</h3>
<div class="formula">${formula}</div>
${statementNumbers(site, claim, statement)}
</div>`;
}

/** Table of a statement's numbers: trial counts and intervals for bounds, exponents for rates. */
function statementNumbers(site: SiteContext, claim: ClaimReport, statement: ClaimReport['statements'][number]): SafeHtml {
  const rows = [...boundRows(site, claim, statement), ...exponentRows(site, claim, statement)];
  if (rows.length === 0) return html``;
  return html`<table class="facts small"><tbody>${rows.map(([name, value]) => html`<tr><th scope="row">${name}</th><td>${value}</td></tr>`)}</tbody></table>`;
}

function boundRows(site: SiteContext, claim: ClaimReport, statement: ClaimReport['statements'][number]): [string, SafeHtml | string][] {
  const rows: [string, SafeHtml | string][] = [];
  const confidence = `${formatNumber(site.report.options.confidence * 100)}%`;
  if (statement.trials !== undefined) {
    const trials = statement.trials;
    rows.push(['Trials', `${trials.evaluated} evaluated, ${trials.failures} failed, ${trials.outsideHypothesis} outside the hypotheses, ${trials.diverged} diverged`]);
  }
  if (statement.failureRateInterval !== undefined) {
    const interval = statement.failureRateInterval;
    const against = claim.delta !== null ? ` against delta = ${claim.delta}` : '';
    rows.push([`Failure rate, ${confidence} Clopper-Pearson interval`, `${formatInterval(interval.lower, interval.upper)}${against}`]);
  }
  if (statement.trialsToSettle !== undefined && statement.trialsToSettle !== null) {
    rows.push(['Trials that would settle it', formatNumber(statement.trialsToSettle)]);
  }
  if (statement.looseness !== undefined && statement.looseness !== null) {
    rows.push(['Looseness RHS / LHS', `tightest ${formatNumber(statement.looseness.min)}, median ${formatNumber(statement.looseness.median)}`]);
  }
  if (statement.worstMargin !== undefined) rows.push(['Smallest margin', formatNumber(statement.worstMargin)]);
  if (statement.holdsFromWidth !== undefined) {
    rows.push(['Holds from width', statement.holdsFromWidth === null ? 'no width of the grid' : `m = ${statement.holdsFromWidth}`]);
  }
  if (statement.asMeasuredOutsideHypothesis !== undefined) {
    const measured = statement.asMeasuredOutsideHypothesis;
    rows.push(['Outside the hypotheses, as measured (not counted)', `${measured.failures} of ${measured.evaluated} trials failed`]);
  }
  if (statement.counterexample !== undefined) {
    const example = statement.counterexample;
    const step = example.step !== null ? `, step ${example.step}` : '';
    rows.push([
      'Counterexample',
      html`<span class="counterexample">m = ${example.width}, seed ${example.seed}${step}: lhs ${formatNumber(example.lhs)}, rhs ${formatNumber(example.rhs)}, margin ${formatNumber(example.margin)}</span>`,
    ]);
  }
  return rows;
}

function exponentRows(site: SiteContext, claim: ClaimReport, statement: ClaimReport['statements'][number]): [string, SafeHtml][] {
  const confidence = `${formatNumber(site.report.options.confidence * 100)}%`;
  const usedNames = new Set(statement.expression.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  return claim.exponents
    .filter((exponent) => usedNames.has(exponent.symbol))
    .map((exponent) => [
      `Exponent ${exponent.symbol}`,
      html`${math(site, exponentLatex(exponent), exponent.symbol, false)} = ${formatNumber(exponent.estimate)}, ${confidence} bootstrap interval ${formatInterval(exponent.lower, exponent.upper)}`,
    ]);
}

function hypothesesSection(site: SiteContext, claim: ClaimReport, typeset: readonly ({ latex: string } | null)[]): SafeHtml {
  return html`<section id="hypotheses">
<h2>Hypotheses</h2>
<p>A trial counts for the claim only when it meets every hypothesis; other trials are measured and shown, never counted as support.</p>
${claim.hypotheses.map((hypothesis, index) => {
  const entry = typeset[index] ?? null;
  const formula = entry === null ? html`<code class="math-fallback">${hypothesis.expression}</code>` : math(site, entry.latex, hypothesis.expression, true);
  return html`<div class="statement">
<h3>${hypothesis.description}</h3>
<div class="formula">${formula}</div>
<table class="facts small"><tbody>
<tr><th scope="row">Met by</th><td>${hypothesis.met} of ${hypothesis.total} trials</td></tr>
${hypothesis.threshold !== null ? html`<tr><th scope="row">Threshold</th><td>${hypothesisThreshold(hypothesis.expression, hypothesis.threshold)}</td></tr>` : ''}
</tbody></table>
</div>`;
})}
</section>`;
}

function hypothesisThreshold(expression: string, threshold: number): string {
  const symbol = expression.trim().split(/\s/)[0] ?? '';
  const relation = /<=|>=|<|>/.exec(expression)?.[0] ?? '';
  return `${symbol} ${relation} ${formatNumber(threshold)}`;
}

function symbolTable(site: SiteContext, claim: ClaimReport, names: readonly string[]): SafeHtml {
  const exponents = claim.exponents as readonly ExponentSymbol[];
  const rows = names.map((name) => {
    const exponent = claim.exponents.find((entry) => entry.symbol === name);
    const info = findSymbol(name);
    const description = exponent !== undefined ? exponent.description : info?.description ?? 'not in the table of measured symbols';
    const unit = exponent !== undefined ? 'dimensionless (log-log slope)' : info?.unit ?? '–';
    const level = exponent !== undefined ? 'fitted over the grid' : levelName(info?.level);
    return html`<tr>
<td class="symbol">${math(site, symbolLatex(name, exponents), name, false)}<br><code class="small">${name}</code></td>
<td class="meaning">${description}</td>
<td>${unit}</td>
<td>${level}</td>
<td class="small">${symbolValue(site.report, claim, name)}</td>
</tr>`;
  });
  return html`<div class="table-scroll"><table class="symbols">
<thead><tr><th scope="col">Symbol and name</th><th scope="col">Meaning</th><th scope="col">Unit</th><th scope="col">Measured</th><th scope="col">In this run</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
}

function symbolValue(report: CheckReport, claim: ClaimReport, name: string): string {
  const exponent = claim.exponents.find((entry) => entry.symbol === name);
  if (exponent !== undefined) return `${formatNumber(exponent.estimate)} ${formatInterval(exponent.lower, exponent.upper)}`;
  if (name === 'delta' && claim.delta !== null) return String(claim.delta);
  const runValue = report.run.symbols[name];
  if (typeof runValue === 'number') return formatNumber(runValue);
  const level = findSymbol(name)?.level;
  if (level === 'cell') {
    const values = report.cells.map((cell) => cell.values[name]).filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
    if (values.length === 0) return 'not measured in this run';
    return `${formatNumber(Math.min(...values))} to ${formatNumber(Math.max(...values))} over ${values.length} runs`;
  }
  if (level === 'step') return 'recorded along training; the report keeps the per-run results';
  return '–';
}

function exponentSection(site: SiteContext, claim: ClaimReport): SafeHtml {
  const confidence = `${formatNumber(site.report.options.confidence * 100)}%`;
  return html`<section id="exponents">
<h2>Fitted exponents</h2>
<p>Slopes of log(quantity) against log(width) or log(parameter count), pooled over seeds, with ${confidence} bootstrap intervals that resample whole seeds.</p>
<div class="table-scroll"><table>
<thead><tr><th scope="col">Exponent</th><th scope="col">Of</th><th scope="col">Estimate</th><th scope="col">${confidence} interval</th><th scope="col">r²</th><th scope="col">Seeds</th><th scope="col">Grid</th></tr></thead>
<tbody>${claim.exponents.map(
    (exponent) => html`<tr>
<td>${math(site, exponentLatex(exponent), exponent.symbol, false)}<br><code class="small">${exponent.symbol}</code></td>
<td><code>${exponent.of}</code> against <code>${exponent.against}</code></td>
<td class="number">${formatNumber(exponent.estimate)}</td>
<td class="number">${formatInterval(exponent.lower, exponent.upper)}</td>
<td class="number">${formatNumber(exponent.rSquared)}</td>
<td class="number">${exponent.seeds}</td>
<td class="small">m = ${exponent.widths.join(', ')}</td>
</tr>`,
  )}</tbody></table></div>
</section>`;
}

function widthSection(claim: ClaimReport): SafeHtml {
  return html`<section id="widths">
<h2>Trials per width</h2>
${claim.smallestPassingWidth !== null ? html`<p>Smallest width at which every bound held on enough seeds: m = ${claim.smallestPassingWidth}.</p>` : html`<p>No width of the grid passed every bound on enough seeds.</p>`}
<table class="narrow">
<thead><tr><th scope="col">Width m</th><th scope="col">Trials</th><th scope="col">Failures</th><th scope="col">Outside the hypotheses</th></tr></thead>
<tbody>${claim.widths.map((row) => html`<tr><td class="number">${row.width}</td><td class="number">${row.trials}</td><td class="number">${row.failures}</td><td class="number">${row.outsideHypothesis}</td></tr>`)}</tbody>
</table>
</section>`;
}

function sweepSection(claim: ClaimReport): SafeHtml {
  return html`<section id="sweeps">
<h2>Sweeps</h2>
${claim.sweeps.map((sweep) => {
  const quantities = [...new Set(sweep.rows.flatMap((row) => Object.keys(row.means)))];
  return html`<div class="sweep">
<h3>${sweepName(sweep)} <span class="muted small">(${sweep.kind === 'power-law-fit' ? 'over the width grid' : `width m = ${sweep.width}`}, ${sweep.seeds} seeds)</span></h3>
${sweep.rows.length > 0 ? sweepTable(sweep, quantities) : ''}
${sweep.exponents.length > 0
  ? html`<ul>${sweep.exponents.map((exponent) => html`<li><code>${exponent.symbol}</code>: slope of log <code>${exponent.of}</code> against log ${sweep.variable}, ${formatNumber(exponent.estimate)} ${formatInterval(exponent.lower, exponent.upper)}, r² ${formatNumber(exponent.rSquared)}</li>`)}</ul>`
  : ''}
${(sweep.fits ?? []).length > 0
  ? html`<ul>${(sweep.fits ?? []).map(
      (fit) => html`<li><code>${fit.of}</code>: ${fit.formula}; ${fit.parameters.map((parameter, index) => html`${index > 0 ? ', ' : ''}${parameter.name} = ${formatNumber(parameter.estimate)}${parameter.lower !== null && parameter.upper !== null ? ` ${formatInterval(parameter.lower, parameter.upper)}` : ''}`)}; RMSE of log ${formatNumber(fit.rmseLog)}${fit.converged ? '' : '; did not converge'}${fit.warnings.length > 0 ? html`<br><span class="small muted">${fit.warnings.join(' ')}</span>` : ''}</li>`,
    )}</ul>`
  : ''}
</div>`;
})}
</section>`;
}

/** Rows of a sweep from which the table is folded into a details element. */
const FOLDED_SWEEP_ROWS = 10;

function sweepTable(sweep: ClaimReport['sweeps'][number], quantities: readonly string[]): SafeHtml {
  const table = html`<div class="table-scroll"><table class="narrow">
<thead><tr><th scope="col">${sweep.variable}</th>${quantities.map((name) => html`<th scope="col"><code>${name}</code></th>`)}</tr></thead>
<tbody>${sweep.rows.map((row) => html`<tr><td class="number">${formatNumber(row.value)}</td>${quantities.map((name) => html`<td class="number">${formatNumber(row.means[name])}</td>`)}</tr>`)}</tbody>
</table></div>`;
  return sweep.rows.length > FOLDED_SWEEP_ROWS ? html`<details><summary>Table of the ${sweep.rows.length} rows</summary>${table}</details>` : table;
}

function divergenceSection(claim: ClaimReport): SafeHtml {
  return html`<section id="divergences">
<h2>Diverged runs</h2>
<p>These runs diverged and are left out of the counts, because their measurements are not finite. A smaller step size (<code>--eta</code>) avoids them.</p>
<ul>${claim.divergences.map((entry) => html`<li>${entry.net} network at m = ${entry.width}, seed ${entry.seed}, step ${entry.step}</li>`)}</ul>
</section>`;
}

function figureBlock(figure: RenderedFigure, number: number): SafeHtml {
  return html`<figure class="chart" id="${figure.id}">
<div class="chart-svg">${raw(figure.svg)}</div>
<figcaption><strong>Figure ${number}.</strong> ${figure.caption}</figcaption>
</figure>`;
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

function pageShell(site: SiteContext, title: string, body: SafeHtml): string {
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="bitbound ${site.report.tool.version}">
<title>${title}</title>
<link rel="stylesheet" href="${ASSET_PATHS.katexStyle}">
<link rel="stylesheet" href="${ASSET_PATHS.style}">
</head>
<body>
<header class="site-header"><nav><a href="index.html" class="home">bitbound theorem pages</a>${site.apiDocs ? html` <a href="api/index.html">API</a>` : ''}</nav></header>
<main>
${body}
</main>
<footer class="site-footer">Built by bitbound ${site.report.tool.version} from the report of <code>${site.report.command}</code>. Math by KaTeX, figures by Vega-Lite.</footer>
</body>
</html>
`;
  return page.value;
}

function verdictBadge(verdict: string): SafeHtml {
  const style = verdictStyle(verdict);
  return html`<span class="badge ${verdictClass(verdict)}" title="${style.meaning}">${style.badge}</span>`;
}

function provenanceShort(provenance: ClaimReport['provenance']): SafeHtml {
  switch (provenance.kind) {
    case 'derived':
      return html`<span class="provenance">derived here</span>`;
    case 'literature':
      return html`<span class="provenance" title="${provenance.reference}">published result</span>`;
    case 'source-unverified':
      return html`<span class="provenance" title="${provenance.reference}">claimed by the source, not proved here</span>`;
    default:
      return html`<span class="provenance">${(provenance as { kind: string }).kind}</span>`;
  }
}

function provenanceBlock(provenance: ClaimReport['provenance']): SafeHtml {
  switch (provenance.kind) {
    case 'derived':
      return html`<p><strong>Derived here</strong> from standard tools: ${provenance.note}</p>`;
    case 'literature':
      return html`<p><strong>A published result</strong>: ${provenance.reference}.</p>`;
    case 'source-unverified':
      return html`<p><strong>Claimed by the source and not proved here</strong>: ${provenance.reference}. The check tests the claim as stated; a supporting verdict is evidence, not a proof.</p>`;
    default:
      return html`<p>${(provenance as { kind: string }).kind}</p>`;
  }
}

function claimLink(report: CheckReport, id: string): SafeHtml {
  const claim = report.claims.find((entry) => entry.id === id);
  if (claim === undefined) return html`<span>${id} <span class="muted">(not in this report)</span></span>`;
  return html`<a href="${claimPageName(claim.id)}">${claim.label}</a> ${verdictBadge(claim.verdict)}`;
}

function joinLinks(links: readonly SafeHtml[]): SafeHtml {
  return html`${links.map((link, index) => html`${index > 0 ? ', ' : ''}${link}`)}`;
}

function math(site: SiteContext, latex: string, fallback: string, display: boolean): SafeHtml {
  const rendered = renderMath(latex, display, fallback);
  if (rendered.error !== null) site.warn(`KaTeX could not typeset ${JSON.stringify(fallback)} (${rendered.error}); the page shows the plain expression`);
  return raw(rendered.html);
}

/** Runs `typeset`, or warns and returns null when the expression does not parse, so the page shows it as plain text. */
function typesetOrNull<T>(site: SiteContext, expression: string, typeset: () => T): T | null {
  try {
    return typeset();
  } catch (error) {
    site.warn(`could not parse ${JSON.stringify(expression)} for typesetting (${error instanceof Error ? error.message : String(error)}); the page shows the plain expression`);
    return null;
  }
}

function kindName(kind: string): string {
  switch (kind) {
    case 'bound':
      return 'bound on every trial';
    case 'rate':
      return 'inequality on a fitted exponent';
    case 'rate-target':
      return 'exponent equals a target';
    case 'overlap':
      return 'two exponents agree';
    default:
      return kind;
  }
}

function levelName(level: string | undefined): string {
  switch (level) {
    case 'run':
      return 'once per run';
    case 'cell':
      return 'per width and seed';
    case 'step':
      return 'at each recorded step';
    case 'exponent':
      return 'fitted over the grid';
    default:
      return '–';
  }
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function shellQuote(argument: string): string {
  return /^[A-Za-z0-9_./:=,+-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

