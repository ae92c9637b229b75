/**
 * The fast-check bridge: property tests of a claim over randomly generated instances.
 *
 * An instance is one simulation: a width m, an initialization seed, and, when the claim
 * ranges over them, a synthetic data set's size n and dimension d and an output scale kappa.
 * fast-check arbitraries draw instances from an {@link InstanceSpace}: the width and kappa
 * log-uniformly over their ranges, the seed, n and d uniformly. Every arbitrary shrinks
 * towards the lower end of its range, so a shrunk counterexample is the smallest and
 * cheapest instance that fast-check could still make fail.
 *
 * Each instance is measured by `prepareRun` and `measureCell` at the level the claim needs.
 * Its bound statements are evaluated by `evaluateClaim` on that single cell, so the engine's
 * rules apply: hypotheses, divergence, non-finite sides, and every recorded step for
 * step-level symbols.
 *
 * How a claim is decided:
 * - Deterministic bounds (no delta): a fast-check search over `runs` instances with a fixed
 *   seed. The first failure is shrunk, and the result carries the fast-check seed and path
 *   that replay it. No failure gives `holds` with the evidence: instances tried, the smallest
 *   margin and the tightest looseness RHS / LHS, each with its instance.
 * - Bounds with a probability 1 - delta: independent trials (distinct instances sampled with
 *   the same arbitraries), counted in batches. After each batch the Clopper-Pearson rule
 *   decides supported / refuted / inconclusive, until the verdict settles or the trial
 *   budget runs out. Each look uses the confidence 1 - (1 - confidence) / looks, with
 *   `looks` the number of batches the budget allows, so by the union bound the verdict keeps
 *   the stated overall confidence although the data are looked at repeatedly.
 * - Rates and exponents: a fit over one grid of widths (log-spaced over the width range)
 *   and seeds, run by `runCheck` on the reference instance, the lower end of every other
 *   range.
 */
import fc from 'fast-check';
import type { Arbitrary } from 'fast-check';
import type { Claim, MeasurementLevel, StatementSpec, Verdict } from '../claims/claim.js';
import { InvalidInputError, formatValue } from '../errors.js';
import type { SyntheticTarget } from '../data/index.js';
import type { CellMeasurement } from './cell.js';
import { measureCell } from './cell.js';
import { loadCheckDataset } from './dataset-loader.js';
import { evaluateClaim, mostSevere, type ExponentResult, type StatementResult } from './evaluate.js';
import { DEFAULT_CHECK_OPTIONS, validateCheckOptions, type CheckOptions } from './options.js';
import { guardCellMemory } from './resources.js';
import { prepareRun, type RunContext } from './run-context.js';
import { runCheck } from './runner.js';
import { decideProbabilistic, type BinomialInterval } from './statistics.js';

// ---------------------------------------------------------------------------------------------
// Instance spaces

/** A closed range [min, max]; min === max fixes the value. */
export interface ValueRange {
  readonly min: number;
  readonly max: number;
}

/** The data a claim is tested on: one fixed data set, or synthetic sets whose n and d vary. */
export type DatasetSpace =
  | { readonly kind: 'fixed'; readonly spec: string }
  | {
      readonly kind: 'synthetic';
      readonly target: SyntheticTarget;
      /** Number of points n (training and held-out together), integers. */
      readonly size: ValueRange;
      /** Input dimension d, integers. */
      readonly dimension: ValueRange;
      /** Seed of the synthetic generator. */
      readonly seed: number;
      /** Standard deviation of the target noise. */
      readonly noise: number;
    };

/** Everything an instance is drawn from, and the options shared by all instances. */
export interface InstanceSpace {
  /** Widths m, integers, drawn log-uniformly. */
  readonly width: ValueRange;
  /** Initialization seeds, integers, drawn uniformly. */
  readonly seed: ValueRange;
  readonly dataset: DatasetSpace;
  /** Output scale kappa, drawn log-uniformly. */
  readonly kappa: ValueRange;
  /** Step size, or null for 1 / lambda_max(Hstar) of each data set. */
  readonly eta: number | null;
  /** Training steps T. */
  readonly steps: number;
  /** Weight quantizer of the 1-bit network, as in `bitbound check --quantizer`. */
  readonly quantizer: string;
}

/** One drawn instance. `size` and `dimension` are null for a fixed data set. */
export interface Instance {
  readonly width: number;
  readonly seed: number;
  readonly size: number | null;
  readonly dimension: number | null;
  readonly kappa: number;
}

/**
 * Number of steps of the grid on which log-uniform values are drawn: a uniform integer index
 * i in [0, LOG_GRID_STEPS] maps to min * (max / min)^(i / LOG_GRID_STEPS). 2^16 steps resolve
 * a ratio max / min of 2^24 (the largest width range) to relative steps of 0.03 %, finer than
 * any width difference that matters, and integer shrinking still needs only 16 halvings.
 */
export const LOG_GRID_STEPS = 2 ** 16;

/**
 * Returns a fast-check arbitrary over `range`, log-uniform: an integer index on a grid of
 * {@link LOG_GRID_STEPS} steps between log(min) and log(max), mapped back and rounded to an
 * integer when `integer` is set. Shrinks towards `min`. Requires 0 < min <= max.
 */
export function logUniformArbitrary(range: ValueRange, integer: boolean): Arbitrary<number> {
  if (!(range.min > 0 && range.min <= range.max)) {
    throw new InvalidInputError('logUniformArbitrary range', range, `needs 0 < min <= max, got [${formatValue(range.min)}, ${formatValue(range.max)}]`);
  }
  if (range.min === range.max) return fc.constant(range.min);
  const logMin = Math.log(range.min);
  const logSpan = Math.log(range.max) - logMin;
  return fc.integer({ min: 0, max: LOG_GRID_STEPS }).map((index) => {
    // Both ends are returned exactly, so the bounds of the range are reachable despite rounding.
    if (index === 0) return range.min;
    if (index === LOG_GRID_STEPS) return range.max;
    const value = Math.exp(logMin + (logSpan * index) / LOG_GRID_STEPS);
    const rounded = integer ? Math.round(value) : value;
    return Math.min(range.max, Math.max(range.min, rounded));
  });
}

/**
 * Returns the arbitrary of instances of `space`: width and kappa log-uniform, seed, n and d
 * uniform integers. fast-check shrinks the fields in the order width, seed, dimension, size,
 * kappa, each towards the lower end of its range.
 */
export function instanceArbitrary(space: InstanceSpace): Arbitrary<Instance> {
  const synthetic = space.dataset.kind === 'synthetic' ? space.dataset : null;
  const integerIn = (range: ValueRange): Arbitrary<number> =>
    range.min === range.max ? fc.constant(range.min) : fc.integer({ min: range.min, max: range.max });
  return fc.record({
    width: logUniformArbitrary(space.width, true),
    seed: integerIn(space.seed),
    dimension: synthetic ? integerIn(synthetic.dimension) : fc.constant(null),
    size: synthetic ? integerIn(synthetic.size) : fc.constant(null),
    kappa: logUniformArbitrary(space.kappa, false),
  });
}

/** Returns the instance at the lower end of every range: the target of shrinking, and the data of rate fits. */
export function referenceInstance(space: InstanceSpace): Instance {
  const synthetic = space.dataset.kind === 'synthetic' ? space.dataset : null;
  return {
    width: space.width.min,
    seed: space.seed.min,
    size: synthetic ? synthetic.size.min : null,
    dimension: synthetic ? synthetic.dimension.min : null,
    kappa: space.kappa.min,
  };
}

/** Returns the data set spec of an instance, e.g. `synthetic:sine:d=8:n=40:seed=0:noise=0` or `iris`. */
export function instanceDatasetSpec(space: InstanceSpace, instance: Instance): string {
  if (space.dataset.kind === 'fixed') return space.dataset.spec;
  const { target, seed, noise } = space.dataset;
  return `synthetic:${target}:d=${instance.dimension}:n=${instance.size}:seed=${seed}:noise=${noise}`;
}

/** Formats an instance for messages: `m = 64, seed = 3, data = iris, kappa = 1`. */
export function describeInstance(space: InstanceSpace, instance: Instance): string {
  return `m = ${instance.width}, seed = ${instance.seed}, data = ${instanceDatasetSpec(space, instance)}, kappa = ${instance.kappa}`;
}

/** Returns the check options that measure `instance` (one width and one seed). */
export function instanceCheckOptions(space: InstanceSpace, instance: Instance, confidence: number): CheckOptions {
  return validateCheckOptions({
    ...DEFAULT_CHECK_OPTIONS,
    dataset: instanceDatasetSpec(space, instance),
    widths: [instance.width],
    seeds: 1,
    initSeeds: 1,
    firstSeed: instance.seed,
    kappa: instance.kappa,
    eta: space.eta,
    steps: space.steps,
    quantizer: space.quantizer,
    confidence,
  });
}

// ---------------------------------------------------------------------------------------------
// Measurement and evaluation of one instance

/**
 * Largest number of run contexts kept. A context holds about ten n x n matrices (1 MB at
 * n = 120), so this bounds the cache near 32 MB for the bundled data sets.
 */
export const MAX_CACHED_CONTEXTS = 32;

/**
 * Measures instances, caching run contexts per (data set, kappa) and one cell per instance
 * and level, so fast-check's repeated and shrunk instances are measured once. Every context
 * is checked against the memory limit at the largest width of the space.
 */
export class InstanceMeasurer {
  private readonly contexts = new Map<string, RunContext>();
  private readonly cells = new Map<string, CellMeasurement>();

  constructor(
    private readonly space: InstanceSpace,
    private readonly confidence: number,
  ) {}

  /** Returns the run context of an instance's data set and kappa. */
  context(instance: Instance): RunContext {
    const key = `${instanceDatasetSpec(this.space, instance)}/${instance.kappa}`;
    const cached = this.contexts.get(key);
    if (cached) return cached;

    const options = instanceCheckOptions(this.space, instance, this.confidence);
    const context = prepareRun(loadCheckDataset(options), options);
    guardCellMemory(context.train.rows + context.test.rows, this.space.width.max, context.dataset.dimension, options);
    // A kappa range gives every instance a context of its own; the oldest is dropped, and
    // rebuilt if needed, because a context is a pure function of the data set and kappa.
    if (this.contexts.size >= MAX_CACHED_CONTEXTS) this.contexts.delete(this.contexts.keys().next().value!);
    this.contexts.set(key, context);
    return context;
  }

  /** Measures one instance at `level`; cost as `measureCell`, once per instance and level. */
  measure(instance: Instance, level: MeasurementLevel): { context: RunContext; cell: CellMeasurement } {
    const context = this.context(instance);
    const key = `${instanceKey(instance)}/${level}`;
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = measureCell(context, instance.width, instance.seed, level);
      this.cells.set(key, cell);
    }
    return { context, cell };
  }
}

/** Outcome of one bound statement on one instance. */
export interface StatementOutcome {
  readonly id: string;
  readonly expression: string;
  /** True or false when evaluated inside the hypothesis; null otherwise. */
  readonly holds: boolean | null;
  /** Sides and margin of the failing evaluation (the tightest failing step), when it failed. */
  readonly lhs: number | null;
  readonly rhs: number | null;
  /** Smallest margin big - small over the evaluated steps; negative when it failed. */
  readonly margin: number | null;
  /** Smallest RHS / LHS over the evaluated steps, or null without a positive ratio. */
  readonly looseness: number | null;
  /** Step of the failing evaluation, for step-level statements. */
  readonly step: number | null;
  /** Sides that were NaN or infinite, with the sub-expressions where that starts. */
  readonly nonFinite: { readonly sides: readonly string[]; readonly terms: readonly string[] } | null;
}

/**
 * Status of one instance. `holds` and `fails` count as trials. `outside-hypothesis`,
 * `diverged` and `non-finite` (a NaN or infinite side) are measured but not counted.
 */
export type InstanceStatus = 'holds' | 'fails' | 'outside-hypothesis' | 'diverged' | 'non-finite';

/** Outcome of a claim's bound statements on one instance. */
export interface InstanceOutcome {
  readonly instance: Instance;
  readonly dataset: string;
  readonly status: InstanceStatus;
  readonly statements: readonly StatementOutcome[];
  /** Smallest margin over the statements, or null when none was evaluated. */
  readonly margin: number | null;
  /** Smallest looseness over the statements, or null. */
  readonly looseness: number | null;
  /** The training run that diverged, with its step. */
  readonly divergence: { readonly net: string; readonly step: number } | null;
}

/**
 * Evaluates the bound statements of `claim` on one measured cell with `evaluateClaim`, so a
 * single instance is judged exactly as one cell of `bitbound check`: hypotheses first, a
 * diverged run set aside, step-level statements at every recorded step.
 * Cost: one evaluation per statement and recorded step.
 */
export function evaluateInstance(claim: Claim, space: InstanceSpace, instance: Instance, context: RunContext, cell: CellMeasurement, confidence: number): InstanceOutcome {
  // One instance is judged as a deterministic trial: delta stays available to the statements,
  // and the Clopper-Pearson decision is made over all trials by the caller.
  const boundClaim: Claim = { ...claim, delta: undefined, statements: boundStatements(claim), exponents: [], sweeps: [] };
  const runSymbols = claim.delta === undefined ? context.runSymbols : { ...context.runSymbols, delta: claim.delta };
  const evaluation = evaluateClaim(boundClaim, runSymbols, [cell], { confidence, bootstrapReplicates: MIN_BOOTSTRAP_REPLICATES, seed: 0 });
  const dataset = instanceDatasetSpec(space, instance);

  const divergence = evaluation.divergences[0] ?? null;
  if (divergence !== null) {
    return { instance, dataset, status: 'diverged', statements: [], margin: null, looseness: null, divergence: { net: divergence.net, step: divergence.step } };
  }

  const statements = evaluation.statements.map(toStatementOutcome);
  const outside = evaluation.statements.some((statement) => (statement.trials?.outsideHypothesis ?? 0) > 0);
  const fails = statements.some((statement) => statement.holds === false);
  const nonFinite = statements.some((statement) => statement.nonFinite !== null);
  let status: InstanceStatus = 'holds';
  if (outside) status = 'outside-hypothesis';
  else if (fails) status = 'fails';
  else if (nonFinite) status = 'non-finite';
  const margins = statements.map((statement) => statement.margin).filter((value): value is number => value !== null);
  const ratios = statements.map((statement) => statement.looseness).filter((value): value is number => value !== null);
  return {
    instance,
    dataset,
    status,
    statements,
    margin: margins.length > 0 ? Math.min(...margins) : null,
    looseness: ratios.length > 0 ? Math.min(...ratios) : null,
    divergence: null,
  };
}

/** Bootstrap replicates passed to `evaluateClaim`; unused, because a claim of bounds only fits no exponent. */
const MIN_BOOTSTRAP_REPLICATES = 100;

function toStatementOutcome(result: StatementResult): StatementOutcome {
  const evaluated = (result.trials?.evaluated ?? 0) > 0;
  const failed = evaluated && (result.trials?.failures ?? 0) > 0;
  const nonFinite = result.nonFinite ? { sides: [...result.nonFinite.sides], terms: [...result.nonFinite.terms] } : null;
  // A statement is judged only when evaluated inside the hypothesis with finite sides, or when it failed.
  let holds: boolean | null = null;
  if (failed) holds = false;
  else if (evaluated && nonFinite === null) holds = true;
  return {
    id: result.id,
    expression: result.expression,
    holds,
    lhs: failed ? (result.counterexample?.lhs ?? null) : null,
    rhs: failed ? (result.counterexample?.rhs ?? null) : null,
    margin: nonFinite !== null ? null : (result.worstMargin ?? null),
    looseness: result.looseness?.min ?? null,
    step: failed ? (result.counterexample?.step ?? null) : null,
    nonFinite,
  };
}

function boundStatements(claim: Claim): StatementSpec[] {
  return claim.statements.filter((statement) => statement.kind === 'bound');
}

function rateStatements(claim: Claim): StatementSpec[] {
  return claim.statements.filter((statement) => statement.kind !== 'bound');
}

function instanceKey(instance: Instance): string {
  return `${instance.width}/${instance.seed}/${instance.size}/${instance.dimension}/${instance.kappa}`;
}

// ---------------------------------------------------------------------------------------------
// Results

/** Counts of measured instances by status. */
export interface InstanceCounts {
  readonly evaluated: number;
  readonly failures: number;
  readonly outsideHypothesis: number;
  readonly diverged: number;
  readonly nonFinite: number;
}

/** An evaluated instance singled out as evidence. */
export interface EvidenceInstance {
  readonly value: number;
  readonly outcome: InstanceOutcome;
}

/** A fast-check replay address: the seed and the path through the generated and shrunk values. */
export interface ReplayAddress {
  readonly seed: number;
  readonly path: string;
}

/** Result of the search for a counterexample to deterministic bounds. */
export interface BoundSearchResult {
  readonly kind: 'search';
  readonly verdict: 'holds' | 'violated' | 'outside-hypothesis' | 'not-measured';
  readonly seed: number;
  /** Runs fast-check made before it stopped (the failing run included). */
  readonly runs: number;
  /** Distinct instances among them (fast-check may draw an instance twice). */
  readonly distinctInstances: number;
  readonly counts: InstanceCounts;
  readonly worstMargin: EvidenceInstance | null;
  readonly tightestLooseness: EvidenceInstance | null;
  /** The shrunk counterexample with the address that replays it. */
  readonly counterexample: { readonly outcome: InstanceOutcome; readonly replay: ReplayAddress; readonly shrinks: number } | null;
}

/** Reason a sequence of trials stopped. */
export type TrialStopReason = 'settled' | 'budget' | 'space-exhausted';

/** Result of counted trials for bounds with a probability 1 - delta. */
export interface BoundTrialsResult {
  readonly kind: 'trials';
  readonly verdict: 'supported' | 'refuted' | 'inconclusive' | 'outside-hypothesis' | 'not-measured';
  readonly seed: number;
  readonly delta: number;
  /** Trials counted (inside the hypothesis, not diverged, finite) and the failures among them. */
  readonly trials: number;
  readonly failures: number;
  readonly counts: InstanceCounts;
  /** Clopper-Pearson interval on the failure rate at `confidencePerLook`, null before any trial. */
  readonly interval: BinomialInterval | null;
  readonly confidence: number;
  readonly confidencePerLook: number;
  readonly looksPlanned: number;
  readonly batches: number;
  readonly stopReason: TrialStopReason;
  /** For an inconclusive verdict: total trials that would settle it at the observed rate, or null. */
  readonly trialsToSettle: number | null;
  readonly worstMargin: EvidenceInstance | null;
  readonly tightestLooseness: EvidenceInstance | null;
  /** The failing trial with the smallest width, then seed, with the address that replays it. */
  readonly failure: { readonly outcome: InstanceOutcome; readonly replay: ReplayAddress } | null;
}

/** Result of replaying one instance from its fast-check address. */
export interface BoundReplayResult {
  readonly kind: 'replay';
  readonly verdict: 'violated' | 'holds' | 'outside-hypothesis' | 'not-measured';
  readonly replay: ReplayAddress;
  readonly outcome: InstanceOutcome;
}

/** Result of the rate statements, fitted on one grid. */
export interface RateResult {
  readonly verdict: Verdict;
  readonly widths: readonly number[];
  readonly seeds: readonly number[];
  readonly dataset: string;
  readonly kappa: number;
  readonly exponents: readonly ExponentResult[];
  readonly statements: readonly StatementResult[];
}

/** Everything `runClaimProperty` found. */
export interface ClaimPropertyResult {
  readonly claimId: string;
  readonly verdict: Verdict;
  readonly level: MeasurementLevel;
  readonly bounds: BoundSearchResult | BoundTrialsResult | BoundReplayResult | null;
  readonly rates: RateResult | null;
}

/** Budgets and seeds of `runClaimProperty`. */
export interface PropertyOptions {
  /** fast-check seed of the search or of the trial sampling. */
  readonly seed: number;
  /** Instances of a deterministic search; default {@link DEFAULT_SEARCH_RUNS} for the claim's level. */
  readonly runs?: number;
  /** Largest number of measured instances for a claim with delta; default {@link DEFAULT_MAX_TRIALS}. */
  readonly maxTrials?: number;
  /** Instances per batch between two looks at the trials; default {@link DEFAULT_TRIAL_BATCH}. */
  readonly batchSize?: number;
  /** Overall confidence of Clopper-Pearson and bootstrap intervals; default 0.95. */
  readonly confidence?: number;
  /** Widths of the rate grid, log-spaced over the width range; default {@link DEFAULT_GRID_WIDTHS}. */
  readonly gridWidths?: number;
  /** Seeds per width of the rate grid; default {@link DEFAULT_GRID_SEEDS}. */
  readonly gridSeeds?: number;
  readonly bootstrapReplicates?: number;
  /** Replays one instance instead of searching; rate statements are then skipped. */
  readonly replay?: ReplayAddress;
  /** Worker threads for the rate grid; default 1. */
  readonly workers?: number;
  /** Receives one line per measured search instance, trial batch and phase, for progress on stderr. */
  readonly onProgress?: (message: string) => void;
}

/**
 * Instances of a deterministic search when `runs` is not given. An initialization cell costs
 * milliseconds and a training cell up to a second at the default widths, so these keep a
 * search on iris or a small synthetic set near 20 s on one core.
 */
export const DEFAULT_SEARCH_RUNS: Readonly<Record<MeasurementLevel, number>> = { initialization: 100, training: 25 };

/** Default budget of measured instances for a claim with delta. */
export const DEFAULT_MAX_TRIALS = 200;

/** Default batch between two looks at the trial counts. */
export const DEFAULT_TRIAL_BATCH = 20;

/** Default number of widths in a rate grid. */
export const DEFAULT_GRID_WIDTHS = 4;

/** Default number of seeds per width in a rate grid: the fewest with which a bootstrap over seeds is worth reading. */
export const DEFAULT_GRID_SEEDS = 4;

/**
 * Sampled candidates per trial of the budget. Trials must be distinct instances, and
 * fast-check's bias draws small values repeatedly, so candidates are sampled with room for
 * duplicates. A space with fewer distinct instances stops with `space-exhausted`.
 */
const CANDIDATES_PER_TRIAL = 8;

// ---------------------------------------------------------------------------------------------
// The runner

/**
 * Property-tests `claim` over `space`, as the module documentation describes. Bound
 * statements are decided by a fast-check search (no delta) or by counted trials (with
 * delta), and rate statements by a fit on one grid. The verdict is the most severe of the
 * two parts.
 * Throws InvalidInputError for invalid options or data, ResourceLimitError when a cell would
 * exceed the memory limit.
 * Cost: up to `runs` (or `maxTrials`) cell measurements plus shrinking, and a rate grid of
 * gridWidths x gridSeeds training cells.
 */
export async function runClaimProperty(claim: Claim, space: InstanceSpace, options: PropertyOptions): Promise<ClaimPropertyResult> {
  const settings = resolveOptions(claim, options);
  guardSpaceMemory(space);
  const measurer = new InstanceMeasurer(space, settings.confidence);
  // Validate the reference instance first, so a bad option fails before any search.
  measurer.context(referenceInstance(space));

  if (options.replay !== undefined && boundStatements(claim).length === 0) {
    throw new InvalidInputError('--replay', `${options.replay.seed}:${options.replay.path}`, 'replays an instance of a bound statement, but this claim has only rate statements');
  }

  let bounds: ClaimPropertyResult['bounds'] = null;
  if (boundStatements(claim).length > 0) {
    if (options.replay !== undefined) bounds = replayInstance(claim, space, measurer, options.replay, settings);
    else if (claim.delta === undefined) bounds = searchCounterexample(claim, space, measurer, settings);
    else bounds = countTrials(claim, claim.delta, space, measurer, settings);
    options.onProgress?.(`bounds: ${bounds.verdict}`);
  }

  let rates: RateResult | null = null;
  if (rateStatements(claim).length > 0 && options.replay === undefined) {
    options.onProgress?.(`rates: measuring ${settings.gridWidths} widths x ${settings.gridSeeds} seeds`);
    rates = await fitRates(claim, space, settings);
    options.onProgress?.(`rates: ${rates.verdict}`);
  }

  const verdicts = [bounds?.verdict, rates?.verdict].filter((verdict): verdict is Verdict => verdict !== undefined);
  return { claimId: claim.id, verdict: mostSevere(verdicts), level: claim.measurement, bounds, rates };
}

interface ResolvedSettings {
  readonly seed: number;
  readonly runs: number;
  readonly maxTrials: number;
  readonly batchSize: number;
  readonly confidence: number;
  readonly gridWidths: number;
  readonly gridSeeds: number;
  readonly bootstrapReplicates: number;
  readonly workers: number;
  readonly onProgress: ((message: string) => void) | undefined;
}

function resolveOptions(claim: Claim, options: PropertyOptions): ResolvedSettings {
  const settings: ResolvedSettings = {
    seed: options.seed,
    runs: options.runs ?? DEFAULT_SEARCH_RUNS[claim.measurement],
    maxTrials: options.maxTrials ?? DEFAULT_MAX_TRIALS,
    batchSize: options.batchSize ?? DEFAULT_TRIAL_BATCH,
    confidence: options.confidence ?? DEFAULT_CHECK_OPTIONS.confidence,
    gridWidths: options.gridWidths ?? DEFAULT_GRID_WIDTHS,
    gridSeeds: options.gridSeeds ?? DEFAULT_GRID_SEEDS,
    bootstrapReplicates: options.bootstrapReplicates ?? DEFAULT_CHECK_OPTIONS.bootstrapReplicates,
    workers: options.workers ?? 1,
    onProgress: options.onProgress,
  };
  requireInteger('--seed', settings.seed, 0, 2 ** 31 - 1);
  requireInteger('--runs', settings.runs, 1, 100_000);
  requireInteger('--max-trials', settings.maxTrials, 1, 1_000_000);
  requireInteger('--batch', settings.batchSize, 1, 1_000_000);
  requireInteger('--grid-widths', settings.gridWidths, 2, 64);
  requireInteger('--grid-seeds', settings.gridSeeds, 2, 1000);
  requireInteger('--workers', settings.workers, 1, 256);
  if (!(settings.confidence > 0.5 && settings.confidence < 1)) {
    throw new InvalidInputError('--confidence', settings.confidence, `must be a number strictly between 0.5 and 1, such as 0.95, got ${formatValue(settings.confidence)}`);
  }
  return settings;
}

function requireInteger(option: string, value: number, low: number, high: number): void {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new InvalidInputError(option, value, `must be an integer from ${low} to ${high}, got ${formatValue(value)}`);
  }
}

/** Rejects a space whose largest synthetic cell would exceed the default memory limit, before anything is measured. */
function guardSpaceMemory(space: InstanceSpace): void {
  if (space.dataset.kind !== 'synthetic') return;
  guardCellMemory(space.dataset.size.max, space.width.max, space.dataset.dimension.max, DEFAULT_CHECK_OPTIONS);
}

/** Tracks the evidence over evaluated instances: counts, smallest margin, tightest looseness. */
class EvidenceTracker {
  evaluated = 0;
  failures = 0;
  outsideHypothesis = 0;
  diverged = 0;
  nonFinite = 0;
  worstMargin: EvidenceInstance | null = null;
  tightestLooseness: EvidenceInstance | null = null;

  add(outcome: InstanceOutcome): void {
    if (outcome.status === 'outside-hypothesis') this.outsideHypothesis++;
    else if (outcome.status === 'diverged') this.diverged++;
    else if (outcome.status === 'non-finite') this.nonFinite++;
    else {
      this.evaluated++;
      if (outcome.status === 'fails') this.failures++;
      if (outcome.margin !== null && (this.worstMargin === null || outcome.margin < this.worstMargin.value)) {
        this.worstMargin = { value: outcome.margin, outcome };
      }
      if (outcome.looseness !== null && (this.tightestLooseness === null || outcome.looseness < this.tightestLooseness.value)) {
        this.tightestLooseness = { value: outcome.looseness, outcome };
      }
    }
  }

  counts(): InstanceCounts {
    return { evaluated: this.evaluated, failures: this.failures, outsideHypothesis: this.outsideHypothesis, diverged: this.diverged, nonFinite: this.nonFinite };
  }
}

function measureAndEvaluate(claim: Claim, space: InstanceSpace, measurer: InstanceMeasurer, instance: Instance, confidence: number): InstanceOutcome {
  const { context, cell } = measurer.measure(instance, claim.measurement);
  return evaluateInstance(claim, space, instance, context, cell, confidence);
}

/**
 * Searches for a counterexample with `fc.check`: `runs` instances from the seed, shrinking
 * the first failure. The predicate caches outcomes by instance, so shrinking re-measures
 * nothing. An error thrown while measuring (invalid data, memory limit) is rethrown as is
 * instead of being shrunk as a counterexample.
 */
function searchCounterexample(claim: Claim, space: InstanceSpace, measurer: InstanceMeasurer, settings: ResolvedSettings): BoundSearchResult {
  const outcomes = new Map<string, InstanceOutcome>();
  const evidence = new EvidenceTracker();
  let searching = true;
  let thrown: unknown = null;

  const property = fc.property(instanceArbitrary(space), (instance) => {
    if (thrown !== null) throw thrown;
    const key = instanceKey(instance);
    let outcome = outcomes.get(key);
    if (outcome === undefined) {
      try {
        outcome = measureAndEvaluate(claim, space, measurer, instance, settings.confidence);
      } catch (error) {
        // While shrinking, an instance that cannot be measured is no smaller counterexample,
        // so the search keeps the one it has. Before any failure the error is reported.
        if (!searching) return true;
        thrown = error;
        throw error;
      }
      outcomes.set(key, outcome);
      if (searching) {
        evidence.add(outcome);
        settings.onProgress?.(`instance ${outcomes.size} of at most ${settings.runs}: ${outcome.status}`);
      }
    }
    // Calls after the first failure are fast-check's shrinking, not new evidence.
    if (outcome.status === 'fails') searching = false;
    return outcome.status !== 'fails';
  });
  const details = fc.check(property, { seed: settings.seed, numRuns: settings.runs });
  if (thrown !== null) throw thrown;

  const counts = evidence.counts();
  const base = {
    kind: 'search' as const,
    seed: details.seed,
    runs: details.numRuns,
    distinctInstances: counts.evaluated + counts.outsideHypothesis + counts.diverged + counts.nonFinite,
    counts,
    worstMargin: evidence.worstMargin,
    tightestLooseness: evidence.tightestLooseness,
  };
  if (details.failed && details.counterexample !== null && details.counterexamplePath !== null) {
    const outcome = outcomes.get(instanceKey(details.counterexample[0]))!;
    return { ...base, verdict: 'violated', counterexample: { outcome, replay: { seed: details.seed, path: details.counterexamplePath }, shrinks: details.numShrinks } };
  }
  return { ...base, verdict: counts.evaluated > 0 ? 'holds' : verdictWithoutTrials(counts), counterexample: null };
}

/**
 * Counts trials for a claim with probability 1 - delta. Distinct instances sampled by
 * fast-check from the seed are measured in batches. After each batch the Clopper-Pearson
 * rule at the per-look confidence decides, and a settled verdict stops the run.
 */
function countTrials(claim: Claim, delta: number, space: InstanceSpace, measurer: InstanceMeasurer, settings: ResolvedSettings): BoundTrialsResult {
  const looksPlanned = Math.ceil(settings.maxTrials / settings.batchSize);
  const confidencePerLook = 1 - (1 - settings.confidence) / looksPlanned;
  const candidates = fc.sample(instanceArbitrary(space), { seed: settings.seed, numRuns: settings.maxTrials * CANDIDATES_PER_TRIAL });

  const evidence = new EvidenceTracker();
  const seen = new Set<string>();
  let failure: BoundTrialsResult['failure'] = null;
  let measured = 0;
  let next = 0;
  let batches = 0;
  let decision: ReturnType<typeof decideProbabilistic> | null = null;
  let stopReason: TrialStopReason = 'budget';

  while (measured < settings.maxTrials) {
    const batchEnd = Math.min(measured + settings.batchSize, settings.maxTrials);
    while (measured < batchEnd && next < candidates.length) {
      const index = next++;
      const instance = candidates[index];
      const key = instanceKey(instance);
      if (seen.has(key)) continue;
      seen.add(key);
      measured++;

      const outcome = measureAndEvaluate(claim, space, measurer, instance, settings.confidence);
      evidence.add(outcome);
      if (outcome.status === 'fails' && (failure === null || isSmallerInstance(instance, failure.outcome.instance))) {
        failure = { outcome, replay: { seed: settings.seed, path: String(index) } };
      }
    }
    batches++;
    settings.onProgress?.(`batch ${batches}: ${evidence.failures} failures in ${evidence.evaluated} trials`);

    if (evidence.evaluated > 0) {
      decision = decideProbabilistic(evidence.failures, evidence.evaluated, delta, confidencePerLook);
      if (decision.verdict !== 'inconclusive') {
        stopReason = 'settled';
        break;
      }
    }
    if (next >= candidates.length) {
      stopReason = 'space-exhausted';
      break;
    }
  }

  const counts = evidence.counts();
  const verdict = decision !== null ? decision.verdict : verdictWithoutTrials(counts);
  return {
    kind: 'trials',
    verdict,
    seed: settings.seed,
    delta,
    trials: counts.evaluated,
    failures: counts.failures,
    counts,
    interval: decision?.interval ?? null,
    confidence: settings.confidence,
    confidencePerLook,
    looksPlanned,
    batches,
    stopReason,
    trialsToSettle: decision?.verdict === 'inconclusive' ? decision.trialsToSettle : null,
    worstMargin: evidence.worstMargin,
    tightestLooseness: evidence.tightestLooseness,
    failure,
  };
}

/** Returns the verdict when no instance was counted: `outside-hypothesis` when some was outside it, else `not-measured`. */
function verdictWithoutTrials(counts: InstanceCounts): 'outside-hypothesis' | 'not-measured' {
  return counts.outsideHypothesis > 0 ? 'outside-hypothesis' : 'not-measured';
}

/** Verdict of a replayed instance by its status. */
const REPLAY_VERDICTS: Readonly<Record<InstanceStatus, BoundReplayResult['verdict']>> = {
  fails: 'violated',
  holds: 'holds',
  'outside-hypothesis': 'outside-hypothesis',
  diverged: 'not-measured',
  'non-finite': 'not-measured',
};

/** Orders instances by width, then seed, as `bitbound check` picks its counterexample. */
function isSmallerInstance(candidate: Instance, current: Instance): boolean {
  if (candidate.width !== current.width) return candidate.width < current.width;
  return candidate.seed < current.seed;
}

/**
 * Replays the instance at a fast-check address: the value fast-check generates (and shrinks)
 * along `path` from `seed`, evaluated once. Both the search's shrunk counterexamples and the
 * sample indices of trials are such addresses, so the replay measures the same instance and
 * prints the same numbers.
 */
function replayInstance(claim: Claim, space: InstanceSpace, measurer: InstanceMeasurer, replay: ReplayAddress, settings: ResolvedSettings): BoundReplayResult {
  if (!/^[0-9]+(:[0-9]+)*$/.test(replay.path)) {
    throw new InvalidInputError('--replay', `${replay.seed}:${replay.path}`, 'the path must be colon-separated non-negative integers, as printed by a failed run, e.g. 0:12:3:0');
  }
  let replayed: Instance | null = null;
  const property = fc.property(instanceArbitrary(space), (instance) => {
    replayed = instance;
    return false;
  });
  // endOnFailure stops at the addressed value instead of shrinking it further.
  fc.check(property, { seed: replay.seed, path: replay.path, endOnFailure: true });
  if (replayed === null) {
    throw new InvalidInputError('--replay', `${replay.seed}:${replay.path}`, 'fast-check generated no instance at this path; copy the replay argument exactly as printed');
  }

  const outcome = measureAndEvaluate(claim, space, measurer, replayed, settings.confidence);
  return { kind: 'replay', verdict: REPLAY_VERDICTS[outcome.status], replay, outcome };
}

/** Returns `count` distinct integer widths log-spaced from min to max, both included. */
export function logSpacedWidths(range: ValueRange, count: number): number[] {
  const widths = new Set<number>();
  for (let index = 0; index < count; index++) {
    const fraction = count === 1 ? 0 : index / (count - 1);
    widths.add(Math.round(range.min * (range.max / range.min) ** fraction));
  }
  return [...widths].sort((a, b) => a - b);
}

/** Fits the claim's exponents and decides its rate statements on one grid with `runCheck`. */
async function fitRates(claim: Claim, space: InstanceSpace, settings: ResolvedSettings): Promise<RateResult> {
  const widths = logSpacedWidths(space.width, settings.gridWidths);
  if (widths.length < 2) {
    throw new InvalidInputError('width', `${space.width.min}..${space.width.max}`, 'a rate statement fits a slope over widths and needs a width range with at least two distinct integers, e.g. 64..4096');
  }
  const reference = referenceInstance(space);
  const options = validateCheckOptions({
    ...instanceCheckOptions(space, reference, settings.confidence),
    widths,
    seeds: settings.gridSeeds,
    initSeeds: settings.gridSeeds,
    bootstrapReplicates: settings.bootstrapReplicates,
  });
  const rateClaim: Claim = { ...claim, statements: rateStatements(claim) };
  const result = await runCheck([rateClaim], options, { workers: settings.workers });
  const evaluation = result.claims[0].evaluation;
  return {
    verdict: mostSevere(evaluation.statements.map((statement) => statement.verdict)),
    widths,
    seeds: Array.from({ length: settings.gridSeeds }, (_, index) => space.seed.min + index),
    dataset: options.dataset,
    kappa: options.kappa,
    exponents: evaluation.exponents,
    statements: evaluation.statements,
  };
}
