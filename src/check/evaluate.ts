/**
 * The verdict engine: evaluates a claim's statements on measured cells and decides verdicts.
 *
 * Trials. Each grid cell (width, seed) is one trial. A trial is outside the hypothesis when
 * any of the claim's hypotheses evaluates false on it. Such trials are measured and shown,
 * but never counted as support. A trial whose training diverged is reported with its step
 * and left out of the counts, because its measurements are not finite.
 *
 * Statement evaluation. A `bound` statement over step-level symbols is evaluated at every
 * recorded step that defines those symbols, and the trial holds only if every step holds.
 * The trial's margin and looseness are those of its tightest step.
 *
 * Verdicts follow the claim module: Clopper-Pearson for claims with a probability,
 * holds / violated for deterministic bounds, bootstrap intervals for rates.
 */
import { evaluateStatement, parseExpression, parseStatement, symbolToLatex, type ParsedStatement, type StatementEvaluation } from '../claims/expression.js';
import type { Claim, ExponentSpec, StatementSpec, Verdict } from '../claims/claim.js';
import { findSymbol, MEASURED_SYMBOLS, symbolLatexNames } from '../claims/symbols.js';
import { InvalidInputError } from '../errors.js';
import { createRng } from '../util/rng.js';
import type { CellMeasurement } from './cell.js';
import { decideProbabilistic, logLogSlopeOverSeeds, type BinomialInterval } from './statistics.js';

/** Evaluation of one statement on one trial. */
interface TrialOutcome {
  readonly width: number;
  readonly seed: number;
  readonly holds: boolean;
  readonly lhs: number;
  readonly rhs: number;
  readonly margin: number;
  readonly looseness: number | null;
  /** Step of the tightest evaluation, for step-level statements. */
  readonly step: number | null;
  /** Sides that were NaN or infinite at some evaluated step, with the sub-expressions where that starts. */
  readonly nonFinite: readonly ('lhs' | 'rhs')[];
  readonly nonFiniteTerms: readonly string[];
}

/** A reproducible counterexample: the failing trial with the smallest width, then seed. */
export interface Counterexample {
  readonly width: number;
  readonly seed: number;
  readonly step: number | null;
  readonly lhs: number;
  readonly rhs: number;
  readonly margin: number;
}

/** A fitted exponent with its bootstrap interval. */
export interface ExponentResult {
  readonly symbol: string;
  readonly of: string;
  readonly against: string;
  readonly description: string;
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly rSquared: number;
  readonly seeds: number;
  readonly widths: readonly number[];
  /** Geometric mean of the fitted quantity at each width, for figures. */
  readonly geometricMeans: readonly number[];
}

/** Result of one statement. */
export interface StatementResult {
  readonly id: string;
  readonly kind: StatementSpec['kind'];
  readonly description: string;
  readonly expression: string;
  readonly latex: string;
  readonly verdict: Verdict;
  /** Trial counts for bound statements. */
  readonly trials?: { readonly evaluated: number; readonly failures: number; readonly outsideHypothesis: number; readonly diverged: number };
  /** Clopper-Pearson interval on the failure rate, for claims with a probability. */
  readonly failureRateInterval?: BinomialInterval;
  readonly trialsToSettle?: number | null;
  readonly counterexample?: Counterexample;
  /** RHS / LHS of the bound over in-hypothesis trials: tightest (min) and median; null when no trial gave a ratio. */
  readonly looseness?: { readonly min: number; readonly median: number } | null;
  /** Smallest margin over evaluated trials (negative when some trial failed). */
  readonly worstMargin?: number;
  /**
   * Smallest width from which the statement held on at least 1 - delta of the seeds at every
   * larger width of the grid (all seeds without delta). Every trial counts as measured,
   * inside the hypothesis or not. Null when no width qualifies.
   */
  readonly holdsFromWidth?: number | null;
  /** Verdict on the trials outside the hypothesis, shown but not counted. */
  readonly asMeasuredOutsideHypothesis?: { readonly evaluated: number; readonly failures: number };
  /**
   * Trials on which a side of the bound was NaN or infinite (an overflow such as 1 / delta^2
   * with a tiny delta). They are neither passes nor failures, so they are left out of every
   * count; `first` reproduces one and `terms` names where the non-finite value starts.
   */
  readonly nonFinite?: {
    readonly trials: number;
    readonly sides: readonly ('lhs' | 'rhs')[];
    readonly terms: readonly string[];
    readonly first: { readonly width: number; readonly seed: number; readonly step: number | null };
  };
}

/** Per-width summary for claims evaluated on trials. */
export interface WidthSummary {
  readonly width: number;
  readonly trials: number;
  readonly failures: number;
  readonly outsideHypothesis: number;
}

/** Result of a claim. */
export interface ClaimEvaluation {
  readonly verdict: Verdict;
  readonly statements: StatementResult[];
  readonly exponents: ExponentResult[];
  readonly widths: WidthSummary[];
  /** Smallest width at which all bound statements held on at least 1 - delta of the seeds (or all seeds without delta). */
  readonly smallestPassingWidth: number | null;
  readonly hypotheses: { readonly expression: string; readonly latex: string; readonly description: string; readonly met: number; readonly total: number; readonly threshold: number | null }[];
  readonly divergences: { readonly width: number; readonly seed: number; readonly net: string; readonly step: number }[];
}

/** Options of the engine. */
export interface EvaluationOptions {
  readonly confidence: number;
  readonly bootstrapReplicates: number;
  /** Seed of the bootstrap resampling. */
  readonly seed: number;
}

/** Evaluates a claim on measured cells and run-level symbols. */
export function evaluateClaim(
  claim: Claim,
  runSymbols: Readonly<Record<string, number>>,
  cells: readonly CellMeasurement[],
  options: EvaluationOptions,
): ClaimEvaluation {
  const exponentSymbols = (claim.exponents ?? []).map((exponent) => exponent.symbol);
  const allowed = [...MEASURED_SYMBOLS.map((symbol) => symbol.name), ...exponentSymbols];
  const latexNames = symbolLatexNames();
  const baseScope = { ...runSymbols, ...(claim.delta !== undefined ? { delta: claim.delta } : {}) };

  const hypotheses = claim.hypotheses.map((hypothesis) => ({ ...hypothesis, parsed: parseStatement(hypothesis.expression, allowed, { latexNames }) }));
  // An initialization claim uses only values taken before training, which a later divergence
  // of the training run does not affect.
  const trainingMatters = claim.measurement === 'training';
  const usable = cells.filter((cell) => !trainingMatters || cell.divergence === null);
  const divergences = cells
    .filter((cell) => trainingMatters && cell.divergence !== null)
    .map((cell) => ({ width: cell.width, seed: cell.seed, net: cell.divergence!.net, step: cell.divergence!.step }));

  const inHypothesis = new Map<CellMeasurement, boolean>();
  const hypothesisResults = hypotheses.map((hypothesis) => {
    let met = 0;
    for (const cell of usable) {
      const holds = evaluateStatement(hypothesis.parsed, { ...baseScope, ...cell.values }).holds;
      if (holds) met++;
      inHypothesis.set(cell, (inHypothesis.get(cell) ?? true) && holds);
    }
    return {
      expression: hypothesis.expression,
      latex: hypothesis.parsed.latex,
      description: hypothesis.description,
      met,
      total: usable.length,
      threshold: hypothesisThreshold(hypothesis.parsed, { ...baseScope, ...(usable[0]?.values ?? {}) }),
    };
  });
  const isInHypothesis = (cell: CellMeasurement): boolean => inHypothesis.get(cell) ?? true;

  const fitted = (claim.exponents ?? []).map((spec, index) => fitExponent(spec, usable, options, index));
  const exponents = fitted.filter((exponent): exponent is ExponentResult => exponent !== null);
  const exponentScope = Object.fromEntries(exponents.map((exponent) => [exponent.symbol, exponent]));
  const unfitted = (claim.exponents ?? []).filter((_, index) => fitted[index] === null).map((spec) => spec.symbol);

  const boundOutcomes = new Map<string, Map<CellMeasurement, TrialOutcome>>();
  const statements = claim.statements.map((spec) => {
    if (spec.kind === 'bound') {
      const parsed = parseStatement(spec.expression, allowed, { latexNames });
      const outcomes = new Map<CellMeasurement, TrialOutcome>();
      const nonFinite: TrialOutcome[] = [];
      for (const cell of usable) {
        const outcome = evaluateOnCell(parsed, baseScope, cell);
        if (outcome.nonFinite.length > 0) nonFinite.push(outcome);
        else outcomes.set(cell, outcome);
      }
      boundOutcomes.set(spec.id, outcomes);
      const decided = decideBound(spec, parsed, claim, outcomes, isInHypothesis, divergences.length, options.confidence);
      return nonFinite.length > 0 ? { ...decided, nonFinite: summarizeNonFinite(nonFinite) } : decided;
    }
    if (usesUnfittedExponent(spec, unfitted)) return unmeasuredRate(spec, allowed, latexNames);
    return decideRate(spec, allowed, latexNames, exponentScope, baseScope);
  });

  const widths = summarizeWidths(usable, boundOutcomes, isInHypothesis);
  return {
    verdict: combineVerdicts(claim, statements, usable, boundOutcomes, isInHypothesis, options.confidence),
    statements,
    exponents,
    widths,
    smallestPassingWidth: smallestPassingWidth(widths, claim.delta ?? 0),
    hypotheses: hypothesisResults,
    divergences,
  };
}

function evaluateOnCell(parsed: ParsedStatement, baseScope: Record<string, number>, cell: CellMeasurement): TrialOutcome {
  const cellScope = { ...baseScope, ...cell.values };
  const stepSymbols = parsed.symbols.filter((name) => findSymbol(name)?.level === 'step');
  if (stepSymbols.length === 0) {
    const result = evaluateStatement(parsed, cellScope);
    return { width: cell.width, seed: cell.seed, ...pick(result), step: null };
  }

  let tightest: TrialOutcome | null = null;
  let holds = true;
  let nonFiniteStep: TrialOutcome | null = null;
  for (const entry of cell.timeline) {
    if (!stepSymbols.every((name) => entry[name] !== undefined)) continue;
    const result = evaluateStatement(parsed, { ...cellScope, ...entry });
    holds = holds && result.holds;
    const candidate = { width: cell.width, seed: cell.seed, ...pick(result), step: entry.t };
    if (candidate.nonFinite.length > 0) nonFiniteStep ??= candidate;
    // A step where both sides are equal by construction (residual_0 <= 1^0 * residual_0 at
    // t = 0) carries no information about tightness, so it does not set the trial's looseness.
    const identity = result.lhs === result.rhs && result.holds;
    if (tightest === null || (!identity && isTighter(candidate, tightest)) || (tightest.lhs === tightest.rhs && tightest.holds)) tightest = candidate;
  }
  if (tightest === null) {
    throw new InvalidInputError('statement', parsed.source, `no recorded training step defines ${stepSymbols.join(', ')}; the claim needs the training measurement`);
  }
  if (nonFiniteStep !== null) return nonFiniteStep;
  return { ...tightest, holds };
}

/**
 * Orders step evaluations by how close they come to failing: a failure beats a success, then
 * the smaller looseness (a step with a ratio beats one without, such as 0 <= 0 at step 0),
 * then the smaller margin.
 */
function isTighter(candidate: TrialOutcome, current: TrialOutcome): boolean {
  if (candidate.holds !== current.holds) return !candidate.holds;
  if (!candidate.holds) return candidate.margin < current.margin;
  if (candidate.looseness !== null && current.looseness !== null) return candidate.looseness < current.looseness;
  if (candidate.looseness !== null || current.looseness !== null) return candidate.looseness !== null;
  return candidate.margin < current.margin;
}

function pick(result: StatementEvaluation): Omit<TrialOutcome, 'width' | 'seed' | 'step'> {
  const nonFiniteTerms = result.nonFiniteTerms.map((term) => term.subexpression);
  return { holds: result.holds, lhs: result.lhs, rhs: result.rhs, margin: result.margin, looseness: result.looseness, nonFinite: result.nonFinite, nonFiniteTerms };
}

/** Summarizes the trials whose bound had a non-finite side; `outcomes` is not empty. */
function summarizeNonFinite(outcomes: readonly TrialOutcome[]): NonNullable<StatementResult['nonFinite']> {
  const sides = [...new Set(outcomes.flatMap((outcome) => outcome.nonFinite))].sort();
  const terms = [...new Set(outcomes.flatMap((outcome) => outcome.nonFiniteTerms))];
  const first = [...outcomes].sort((a, b) => a.width - b.width || a.seed - b.seed)[0];
  return { trials: outcomes.length, sides, terms, first: { width: first.width, seed: first.seed, step: first.step } };
}

function decideBound(
  spec: StatementSpec & { kind: 'bound' },
  parsed: ParsedStatement,
  claim: Claim,
  outcomes: Map<CellMeasurement, TrialOutcome>,
  isInHypothesis: (cell: CellMeasurement) => boolean,
  diverged: number,
  confidence: number,
): StatementResult {
  const inside = [...outcomes].filter(([cell]) => isInHypothesis(cell)).map(([, outcome]) => outcome);
  const outside = [...outcomes].filter(([cell]) => !isInHypothesis(cell)).map(([, outcome]) => outcome);
  const failures = inside.filter((outcome) => !outcome.holds);
  const allOutcomes = [...inside, ...outside];
  const counterexample = shrink(inside.length > 0 ? failures : allOutcomes.filter((outcome) => !outcome.holds));
  const base = {
    id: spec.id,
    kind: spec.kind,
    description: spec.description,
    expression: spec.expression,
    latex: parsed.latex,
    trials: { evaluated: inside.length, failures: failures.length, outsideHypothesis: outside.length, diverged },
    looseness: loosenessSummary(inside.length > 0 ? inside : allOutcomes),
    worstMargin: allOutcomes.length > 0 ? Math.min(...allOutcomes.map((outcome) => outcome.margin)) : undefined,
    holdsFromWidth: holdsFromWidth(allOutcomes, claim.delta ?? 0),
    ...(counterexample ? { counterexample } : {}),
    ...(outside.length > 0 ? { asMeasuredOutsideHypothesis: { evaluated: outside.length, failures: outside.filter((outcome) => !outcome.holds).length } } : {}),
  };

  if (inside.length === 0) return { ...base, verdict: outcomes.size === 0 ? 'not-measured' : 'outside-hypothesis' };
  if (claim.delta === undefined) return { ...base, verdict: failures.length === 0 ? 'holds' : 'violated' };

  const decision = decideProbabilistic(failures.length, inside.length, claim.delta, confidence);
  return { ...base, verdict: decision.verdict, failureRateInterval: decision.interval, trialsToSettle: decision.trialsToSettle };
}

function decideRate(
  spec: Exclude<StatementSpec, { kind: 'bound' }>,
  allowed: string[],
  latexNames: Record<string, string>,
  exponents: Record<string, ExponentResult>,
  baseScope: Record<string, number>,
): StatementResult {
  const requireExponent = (name: string): ExponentResult => {
    const exponent = exponents[name];
    if (!exponent) throw new InvalidInputError('statement', name, `unknown exponent ${JSON.stringify(name)}; declare it in the claim's exponents`);
    return exponent;
  };

  if (spec.kind === 'rate-target') {
    const exponent = requireExponent(spec.exponent);
    const contains = exponent.lower <= spec.target && spec.target <= exponent.upper;
    const expression = `${spec.exponent} = ${spec.target}`;
    return {
      id: spec.id,
      kind: spec.kind,
      description: spec.description,
      expression,
      latex: `${symbolToLatex(spec.exponent, latexNames)} = ${spec.target}`,
      verdict: contains ? 'consistent' : 'inconsistent',
    };
  }

  if (spec.kind === 'overlap') {
    const [first, second] = spec.exponents.map(requireExponent);
    const overlaps = first.lower <= second.upper && second.lower <= first.upper;
    return {
      id: spec.id,
      kind: spec.kind,
      description: spec.description,
      expression: `${first.symbol} ~ ${second.symbol}`,
      latex: `${symbolToLatex(first.symbol, latexNames)} \\sim ${symbolToLatex(second.symbol, latexNames)}`,
      verdict: overlaps ? 'consistent' : 'inconsistent',
    };
  }

  // An inequality over exponents: evaluate at every corner of their intervals.
  const parsed = parseStatement(spec.expression, allowed, { latexNames });
  const used = parsed.symbols.filter((name) => exponents[name] !== undefined);
  let holdsEverywhere = true;
  let failsEverywhere = true;
  for (let corner = 0; corner < 2 ** used.length; corner++) {
    const scope: Record<string, number> = { ...baseScope };
    used.forEach((name, index) => {
      scope[name] = (corner >> index) & 1 ? exponents[name].upper : exponents[name].lower;
    });
    const holds = evaluateStatement(parsed, scope).holds;
    holdsEverywhere &&= holds;
    failsEverywhere &&= !holds;
  }
  let verdict: Verdict = 'inconclusive';
  if (holdsEverywhere) verdict = 'consistent';
  else if (failsEverywhere) verdict = 'inconsistent';
  return { id: spec.id, kind: spec.kind, description: spec.description, expression: spec.expression, latex: parsed.latex, verdict };
}

/** Returns true when a rate statement refers to an exponent that could not be fitted. */
function usesUnfittedExponent(spec: Exclude<StatementSpec, { kind: 'bound' }>, unfitted: readonly string[]): boolean {
  if (spec.kind === 'rate-target') return unfitted.includes(spec.exponent);
  if (spec.kind === 'overlap') return spec.exponents.some((symbol) => unfitted.includes(symbol));
  return unfitted.some((symbol) => new RegExp(`\\b${symbol}\\b`).test(spec.expression));
}

/** A rate statement left unjudged because an exponent it needs has too few finite values to fit. */
function unmeasuredRate(spec: Exclude<StatementSpec, { kind: 'bound' }>, allowed: string[], latexNames: Record<string, string>): StatementResult {
  const base = { id: spec.id, kind: spec.kind, description: spec.description, verdict: 'not-measured' as const };
  if (spec.kind === 'rate-target') {
    return { ...base, expression: `${spec.exponent} = ${spec.target}`, latex: `${symbolToLatex(spec.exponent, latexNames)} = ${spec.target}` };
  }
  if (spec.kind === 'overlap') {
    const [first, second] = spec.exponents;
    return { ...base, expression: `${first} ~ ${second}`, latex: `${symbolToLatex(first, latexNames)} \\sim ${symbolToLatex(second, latexNames)}` };
  }
  return { ...base, expression: spec.expression, latex: parseStatement(spec.expression, allowed, { latexNames }).latex };
}

/**
 * Fits one exponent from the cells: rows are seeds with a value at every width. Returns null
 * when fewer than 2 widths or 2 seeds have finite positive values (for example when training
 * diverged), because a slope with a bootstrap interval needs both.
 */
function fitExponent(spec: ExponentSpec, cells: readonly CellMeasurement[], options: EvaluationOptions, index: number): ExponentResult | null {
  const widths = [...new Set(cells.filter((cell) => cell.values[spec.of] !== undefined).map((cell) => cell.width))].sort((a, b) => a - b);
  const seeds = [...new Set(cells.map((cell) => cell.seed))].sort((a, b) => a - b);
  const lookup = new Map(cells.map((cell) => [`${cell.width}/${cell.seed}`, cell.values[spec.of]]));
  const rows = seeds
    .map((seed) => widths.map((width) => lookup.get(`${width}/${seed}`)))
    .filter((row): row is number[] => row.every((value) => value !== undefined && Number.isFinite(value) && value > 0));
  if (widths.length < 2 || rows.length < 2) return null;
  const horizontal = widths.map((width) => (spec.against === 'N' ? width * (cells[0].values.N / cells[0].values.m) : width));

  const fit = logLogSlopeOverSeeds(horizontal, rows, {
    replicates: options.bootstrapReplicates,
    confidence: options.confidence,
    rng: createRng(options.seed).fork(`exponent-${index}-${spec.symbol}`),
  });
  const geometricMeans = widths.map((_, column) => Math.exp(rows.reduce((sum, row) => sum + Math.log(row[column]), 0) / rows.length));
  return {
    symbol: spec.symbol,
    of: spec.of,
    against: spec.against,
    description: spec.description,
    estimate: fit.estimate,
    lower: fit.lower,
    upper: fit.upper,
    rSquared: fit.rSquared,
    seeds: rows.length,
    widths,
    geometricMeans,
  };
}

function holdsFromWidth(outcomes: readonly TrialOutcome[], delta: number): number | null {
  const widths = [...new Set(outcomes.map((outcome) => outcome.width))].sort((a, b) => a - b);
  let from: number | null = null;
  for (const width of widths) {
    const atWidth = outcomes.filter((outcome) => outcome.width === width);
    const failures = atWidth.filter((outcome) => !outcome.holds).length;
    if (failures <= delta * atWidth.length) from ??= width;
    else from = null;
  }
  return from;
}

function shrink(failures: readonly TrialOutcome[]): Counterexample | undefined {
  if (failures.length === 0) return undefined;
  const smallest = [...failures].sort((a, b) => a.width - b.width || a.seed - b.seed)[0];
  return { width: smallest.width, seed: smallest.seed, step: smallest.step, lhs: smallest.lhs, rhs: smallest.rhs, margin: smallest.margin };
}

function loosenessSummary(outcomes: readonly TrialOutcome[]): { min: number; median: number } | null {
  const ratios = outcomes.map((outcome) => outcome.looseness).filter((value): value is number => value !== null && Number.isFinite(value));
  if (ratios.length === 0) return null;
  ratios.sort((a, b) => a - b);
  const middle = Math.floor(ratios.length / 2);
  const median = ratios.length % 2 === 1 ? ratios[middle] : 0.5 * (ratios[middle - 1] + ratios[middle]);
  return { min: ratios[0], median };
}

function summarizeWidths(
  cells: readonly CellMeasurement[],
  outcomes: Map<string, Map<CellMeasurement, TrialOutcome>>,
  isInHypothesis: (cell: CellMeasurement) => boolean,
): WidthSummary[] {
  if (outcomes.size === 0) return [];
  const widths = [...new Set(cells.map((cell) => cell.width))].sort((a, b) => a - b);
  return widths.map((width) => {
    // Trials with a non-finite side in some bound have no outcome there and are not counted.
    const atWidth = cells.filter((cell) => cell.width === width && [...outcomes.values()].every((byCell) => byCell.has(cell)));
    const failures = atWidth.filter((cell) => [...outcomes.values()].some((byCell) => byCell.get(cell)?.holds === false)).length;
    return { width, trials: atWidth.length, failures, outsideHypothesis: atWidth.filter((cell) => !isInHypothesis(cell)).length };
  });
}

function smallestPassingWidth(widths: readonly WidthSummary[], delta: number): number | null {
  for (const summary of widths) {
    if (summary.trials > 0 && summary.failures <= delta * summary.trials) return summary.width;
  }
  return null;
}

/** For a hypothesis `symbol >= expression` (or <=), returns the value of the expression. */
function hypothesisThreshold(parsed: ParsedStatement, scope: Record<string, number>): number | null {
  try {
    const lhsIsSymbol = parsed.lhs.symbols.length === 1 && parsed.lhs.source.trim() === parsed.lhs.symbols[0];
    if (!lhsIsSymbol) return null;
    const value = parsed.rhs.evaluate(scope);
    return Number.isFinite(value) ? value : null;
  } catch {
    // A threshold is only shown when every symbol it needs is measured; otherwise there is none to show.
    return null;
  }
}

/**
 * Combines statement verdicts into the claim's verdict. For a claim with a probability, the
 * event of the claim is that every bound statement holds, so a trial fails when any of them
 * fails, and the Clopper-Pearson rule is applied to that count. Rate statements then
 * combine by severity.
 */
function combineVerdicts(
  claim: Claim,
  statements: readonly StatementResult[],
  cells: readonly CellMeasurement[],
  outcomes: Map<string, Map<CellMeasurement, TrialOutcome>>,
  isInHypothesis: (cell: CellMeasurement) => boolean,
  confidence: number,
): Verdict {
  const verdicts = statements.map((statement) => statement.verdict);
  const boundStatements = statements.filter((statement) => statement.kind === 'bound');
  if (claim.delta !== undefined && boundStatements.length > 1) {
    // A trial set aside in some bound (a non-finite side) is neither a pass nor a failure of the joint event.
    const inside = cells.filter((cell) => isInHypothesis(cell) && [...outcomes.values()].every((byCell) => byCell.has(cell)));
    if (inside.length > 0) {
      const failures = inside.filter((cell) => [...outcomes.values()].some((byCell) => byCell.get(cell)?.holds === false)).length;
      const joint = decideProbabilistic(failures, inside.length, claim.delta, confidence).verdict;
      const rateVerdicts = statements.filter((statement) => statement.kind !== 'bound').map((statement) => statement.verdict);
      return mostSevere([joint, ...rateVerdicts]);
    }
  }
  return mostSevere(verdicts);
}

const SEVERITY: readonly Verdict[] = [
  'violated',
  'refuted',
  'inconsistent',
  'inconclusive',
  'outside-hypothesis',
  'not-measured',
  'supported',
  'holds',
  'consistent',
];

/** Returns the most severe verdict of a list (violated first, consistent last). */
export function mostSevere(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return 'not-measured';
  return [...verdicts].sort((a, b) => SEVERITY.indexOf(a) - SEVERITY.indexOf(b))[0];
}

/** Parses every statement and hypothesis of a claim without measuring, so a bad claim fails before any simulation. */
export function validateClaimExpressions(claim: Claim): void {
  const exponentSymbols = (claim.exponents ?? []).map((exponent) => exponent.symbol);
  const allowed = [...MEASURED_SYMBOLS.map((symbol) => symbol.name), ...exponentSymbols];
  for (const hypothesis of claim.hypotheses) parseStatement(hypothesis.expression, allowed);
  for (const statement of claim.statements) {
    if (statement.kind === 'bound' || statement.kind === 'rate') parseStatement(statement.expression, allowed);
  }
  for (const exponent of claim.exponents ?? []) parseExpression(exponent.of, allowed);
}
