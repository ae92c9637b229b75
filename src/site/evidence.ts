/**
 * Chooses and fills the figures of a claim page from the report:
 * - a bound statement over run- and cell-level symbols: its left-hand side per seed against
 *   width, with its right-hand side and a slope fitted for the page;
 * - a fitted exponent: its quantity per seed against width or parameter count, with the
 *   slope and interval the check reported and any slope a rate-target statement claims;
 * - a bound over step-level symbols that has a per-cell summary (the kernel drifts): that
 *   summary against width, with a slope fitted for the page;
 * - a claim about training losses or trajectories: the mean loss curves against the kernel
 *   prediction;
 * - every sweep: its mean quantities against the swept value.
 *
 * Slopes fitted for the page use the check's own estimator (pooled log-log least squares
 * with a bootstrap over seeds) with the report's confidence and replicate count. Their
 * random stream is seeded from the claim and statement ids, so the pages are reproducible.
 */
import { parseStatement } from '../claims/expression.js';
import { findSymbol, MEASURED_SYMBOLS } from '../claims/symbols.js';
import { logLogSlopeOverSeeds } from '../check/statistics.js';
import type { CheckReport, ClaimReport } from '../report/report.js';
import { createRng } from '../util/rng.js';
import { lossCurvesFigure, sweepFigure, widthFigure, type FigureSpec, type SlopeFit } from './figures.js';

/**
 * Per-cell summaries of step-level symbols: the largest relative kernel drift over the
 * checkpoints summarizes the spectral drift at each checkpoint.
 */
export const STEP_SYMBOL_SUMMARIES: Readonly<Record<string, string>> = {
  drift_op_H: 'kernel_drift_fp',
  drift_op_S: 'kernel_drift_1bit',
};

/** Symbols whose claims are about training losses or trajectories, so the loss curves help read them. */
export const LOSS_CURVE_SYMBOLS: ReadonlySet<string> = new Set([
  'residual_sq_fp', 'residual_sq_1bit', 'residual_sq_fp_0', 'residual_sq_1bit_0',
  'loss_fp_final', 'loss_1bit_final', 'traj_dev_fp', 'traj_dev_1bit',
]);

type Cell = CheckReport['cells'][number];

/** Returns the figures of one claim, in page order, each with an id unique on the page. */
export function claimFigures(claim: ClaimReport, report: CheckReport): FigureSpec[] {
  const figures: FigureSpec[] = [];
  const nextId = (): string => `figure-${figures.length + 1}`;
  const usedSymbols = new Set<string>();

  for (const statement of claim.statements) {
    if (statement.kind !== 'bound') continue;
    const parsed = tryParse(statement.expression);
    if (parsed === null) continue;
    parsed.symbols.forEach((name) => usedSymbols.add(name));
    const stepSymbols = parsed.symbols.filter((name) => findSymbol(name)?.level === 'step');
    if (stepSymbols.length === 0) {
      const figure = boundFigure(nextId(), claim, statement, parsed, report);
      if (figure !== null) figures.push(figure);
    }
  }

  for (const exponent of claim.exponents) {
    usedSymbols.add(exponent.of);
    const points = cellPoints(report.cells, exponent.of, exponent.against === 'N' ? 'N' : 'm').filter((point) => point.y > 0);
    if (points.length === 0) continue;
    const fit: SlopeFit | null =
      exponent.estimate === null || exponent.lower === null || exponent.upper === null
        ? null
        : { estimate: exponent.estimate, lower: exponent.lower, upper: exponent.upper, rSquared: exponent.rSquared ?? null, confidence: report.options.confidence, fittedBy: 'check' };
    figures.push(
      widthFigure({
        id: nextId(),
        title: `${exponent.of} against ${againstLabel(exponent.against)}`,
        caption: `${capitalize(exponent.description)}. Grey points are single seeds; the blue line joins the geometric means over seeds; the dashed orange line has the fitted slope and the shaded band spans its interval.`,
        quantityLabel: quantityLabel(exponent.of),
        againstLabel: againstLabel(exponent.against),
        points,
        fit,
        bound: null,
        claimedSlopes: claimedSlopes(claim, exponent.symbol),
      }),
    );
  }

  const fitted = new Set(claim.exponents.map((exponent) => exponent.of));
  for (const [stepSymbol, summary] of Object.entries(STEP_SYMBOL_SUMMARIES)) {
    if (!usedSymbols.has(stepSymbol) || fitted.has(summary)) continue;
    const points = cellPoints(report.cells, summary, 'm').filter((point) => point.y > 0);
    if (points.length === 0) continue;
    figures.push(
      widthFigure({
        id: nextId(),
        title: `${summary} against width m`,
        caption: `The statement bounds ${stepSymbol} at every kernel checkpoint; ${summary} is its per-run summary: ${findSymbol(summary)?.description ?? summary}. Grey points are single seeds; the dashed orange line is a slope fitted for this page.`,
        quantityLabel: quantityLabel(summary),
        againstLabel: 'width m',
        points,
        fit: pageFit(points, `${claim.id}/${summary}`, report),
        bound: null,
      }),
    );
  }

  claim.hypotheses.forEach((hypothesis) => tryParse(hypothesis.expression)?.symbols.forEach((name) => usedSymbols.add(name)));
  if (report.curves.length > 0 && [...usedSymbols].some((name) => LOSS_CURVE_SYMBOLS.has(name))) {
    figures.push(lossCurvesFigure(nextId(), report.curves));
  }

  for (const sweep of claim.sweeps) {
    if (sweep.rows.length > 0) figures.push(sweepFigure(nextId(), sweep));
  }
  return figures;
}

function boundFigure(
  id: string,
  claim: ClaimReport,
  statement: ClaimReport['statements'][number],
  parsed: ReturnType<typeof parseStatement>,
  report: CheckReport,
): FigureSpec | null {
  const points: { x: number; y: number; seed: number }[] = [];
  const boundByWidth = new Map<number, number[]>();
  for (const cell of report.cells) {
    const scope = cellScope(cell, claim, report);
    if (!parsed.symbols.every((name) => typeof scope[name] === 'number')) continue;
    const lhs = parsed.lhs.evaluate(scope);
    const rhs = parsed.rhs.evaluate(scope);
    if (!Number.isFinite(lhs) || !Number.isFinite(rhs)) continue;
    points.push({ x: cell.width, y: lhs, seed: cell.seed });
    boundByWidth.set(cell.width, [...(boundByWidth.get(cell.width) ?? []), rhs]);
  }
  if (points.length === 0) return null;

  const bound = [...boundByWidth.entries()].sort((a, b) => a[0] - b[0]).map(([x, values]) => ({ x, y: median(values) }));
  const lhsName = parsed.lhs.symbols.length === 1 && parsed.lhs.source.trim() === parsed.lhs.symbols[0] ? parsed.lhs.symbols[0]! : 'left-hand side';
  return widthFigure({
    id,
    title: `${statement.description} (${statement.id})`,
    caption:
      'The left-hand side of the bound for each seed against width, and its right-hand side as a dashed line (the median over seeds where it varies). ' +
      'Where both sides are positive the axes are logarithmic, and the dashed orange line is a slope of the left-hand side fitted for this page.',
    quantityLabel: lhsName === 'left-hand side' ? lhsName : quantityLabel(lhsName),
    againstLabel: 'width m',
    points,
    fit: points.every((point) => point.y > 0) ? pageFit(points, `${claim.id}/${statement.id}`, report) : null,
    bound,
  });
}

/** Fits the slope of log y on log x over seeds, or returns null when the cells cannot support a fit. */
function pageFit(points: readonly { x: number; y: number; seed: number }[], label: string, report: CheckReport): SlopeFit | null {
  const xs = [...new Set(points.map((point) => point.x))].sort((a, b) => a - b);
  const seeds = [...new Set(points.map((point) => point.seed))].sort((a, b) => a - b);
  const lookup = new Map(points.map((point) => [`${point.x}/${point.seed}`, point.y]));
  const rows = seeds
    .map((seed) => xs.map((x) => lookup.get(`${x}/${seed}`)))
    .filter((row): row is number[] => row.every((value) => value !== undefined && value > 0));
  if (xs.length < 2 || rows.length < 2) return null;
  const fit = logLogSlopeOverSeeds(xs, rows, {
    replicates: report.options.bootstrapReplicates,
    confidence: report.options.confidence,
    rng: createRng(`bitbound-site/${label}`),
  });
  return { estimate: fit.estimate, lower: fit.lower, upper: fit.upper, rSquared: fit.rSquared, confidence: report.options.confidence, fittedBy: 'page' };
}

/** Targets of the claim's rate-target statements on one exponent, e.g. -0.5 for `slope_x = -0.5`. */
function claimedSlopes(claim: ClaimReport, exponentSymbol: string): number[] {
  return claim.statements
    .filter((statement) => statement.kind === 'rate-target')
    .map((statement) => statement.expression.split('='))
    .filter((sides) => sides.length === 2 && sides[0]!.trim() === exponentSymbol)
    .map((sides) => Number(sides[1]))
    .filter((target) => Number.isFinite(target));
}

function cellPoints(cells: readonly Cell[], symbol: string, against: 'm' | 'N'): { x: number; y: number; seed: number }[] {
  const points: { x: number; y: number; seed: number }[] = [];
  for (const cell of cells) {
    const y = cell.values[symbol];
    const x = against === 'N' ? cell.values.N : cell.width;
    if (typeof y === 'number' && Number.isFinite(y) && typeof x === 'number' && x > 0) points.push({ x, y, seed: cell.seed });
  }
  return points;
}

function cellScope(cell: Cell, claim: ClaimReport, report: CheckReport): Record<string, number> {
  const scope: Record<string, number> = {};
  for (const [name, value] of Object.entries(report.run.symbols)) if (typeof value === 'number') scope[name] = value;
  if (claim.delta !== null) scope.delta = claim.delta;
  for (const [name, value] of Object.entries(cell.values)) if (typeof value === 'number') scope[name] = value;
  return scope;
}

function tryParse(expression: string): ReturnType<typeof parseStatement> | null {
  try {
    return parseStatement(expression, MEASURED_SYMBOLS.map((symbol) => symbol.name));
  } catch {
    // Statements over exponents or user symbols have no per-cell values to plot.
    return null;
  }
}

function quantityLabel(name: string): string {
  const unit = findSymbol(name)?.unit;
  return unit === undefined ? name : `${name} (${unit})`;
}

function againstLabel(against: string): string {
  if (against === 'N') return 'parameter count N';
  if (against === 'm') return 'width m';
  return against;
}

function capitalize(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
