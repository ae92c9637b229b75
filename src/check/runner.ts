/**
 * The check runner: loads the data, prepares the run, plans every grid cell and sweep cell
 * the chosen claims need (each cell once, shared between claims), measures them in this
 * thread or on worker threads, and evaluates every claim.
 *
 * Determinism: every random draw derives from the options' seeds, work items are planned in
 * a fixed order and their results stored by index, and the report contains no times or paths
 * of temporary files, so the same options give the same report byte for byte, whatever the
 * number of workers.
 */
import type { Claim, SweepSpec, Verdict } from '../claims/claim.js';
import { InvalidInputError } from '../errors.js';
import { createRng } from '../util/rng.js';
import type { CellMeasurement } from './cell.js';
import { loadCheckDataset } from './dataset-loader.js';
import { evaluateClaim, validateClaimExpressions, type ClaimEvaluation } from './evaluate.js';
import type { CheckOptions } from './options.js';
import { measureItems } from './pool.js';
import { guardCellMemory } from './resources.js';
import type { RunContext } from './run-context.js';
import { logLogSlopeOverSeeds } from './statistics.js';
import { fitScalingLaw } from '../scaling/fit.js';
import { CellMeasurer, type WorkItem } from './work.js';

export { loadCheckDataset };

/** Receives progress events; the CLI renders them on stderr. */
export interface ProgressSink {
  /** Called when a phase starts, e.g. `limits` or `cells`, with its number of steps. */
  phase(name: string, total: number): void;
  /** Called after each step of the current phase. */
  advance(detail: string): void;
}

const silentProgress: ProgressSink = { phase() {}, advance() {} };

/** One row of a sweep table: the swept value and the means over seeds of the reported symbols. */
export interface SweepRow {
  readonly value: number;
  readonly means: Record<string, number>;
}

/** Result of an extra sweep. */
export interface SweepResult {
  readonly kind: SweepSpec['kind'];
  /** Name of the swept value, e.g. `kappa`, `n` or `C`. */
  readonly variable: string;
  readonly width: number;
  readonly seeds: number;
  readonly rows: SweepRow[];
  /** Fitted exponents of the sweep, each against the swept variable. */
  readonly exponents: { symbol: string; of: string; estimate: number; lower: number; upper: number; rSquared: number }[];
  /** Scaling-law fits of a `power-law-fit` analysis, one per fitted symbol. */
  readonly fits?: PowerLawFitSummary[];
}

/** A scaling-law fit of one symbol against N, as reported. */
export interface PowerLawFitSummary {
  readonly of: string;
  readonly formula: string;
  readonly parameters: { name: string; estimate: number; lower: number | null; upper: number | null }[];
  readonly converged: boolean;
  readonly rmseLog: number;
  readonly warnings: string[];
}

/** Everything the check measured and decided. */
export interface CheckResult {
  readonly options: CheckOptions;
  readonly context: RunContext;
  readonly claims: { claim: Claim; evaluation: ClaimEvaluation; sweeps: SweepResult[] }[];
  readonly cells: CellMeasurement[];
  /**
   * Present only when the run was interrupted: how many work items were measured of those
   * planned. Claims missing an item then have the verdict `not-measured`.
   */
  readonly incomplete?: { readonly measured: number; readonly planned: number };
}

/** Execution settings of a check (workers, progress, checkpoints); none of them changes the report. */
export interface ExecutionOptions {
  /** Worker threads for the grid cells; 1 measures in this thread. */
  readonly workers: number;
  readonly progress?: ProgressSink;
  /** Called after each measured work item, e.g. to checkpoint it. */
  readonly onItem?: (index: number, item: WorkItem, measurement: CellMeasurement) => void;
  /** Measurements already available by item index, e.g. from a checkpoint. */
  readonly done?: ReadonlyMap<number, CellMeasurement>;
  /**
   * Called once the work is planned, before any item is measured. A returned map replaces
   * `done`, so a checkpoint can be matched against the planned items.
   */
  readonly onPlan?: (items: readonly WorkItem[], context: RunContext) => ReadonlyMap<number, CellMeasurement> | void;
  /** Aborting it stops the measurements (see `measureItems`); the result is then incomplete. */
  readonly signal?: AbortSignal;
}

/** A check ready to measure: data and limit kernels loaded, work planned, finished items known. */
export interface PreparedCheck {
  readonly measurer: CellMeasurer;
  readonly context: RunContext;
  readonly items: WorkItem[];
  readonly done: ReadonlyMap<number, CellMeasurement>;
  readonly progress: ProgressSink;
}

/**
 * Validates the claims, loads the data and limit kernels, checks memory, plans the work
 * items, and collects the measurements a checkpoint already holds. Shared by `runCheck` and
 * the shard runner, so both plan exactly the same items.
 */
export function prepareCheck(claims: readonly Claim[], options: CheckOptions, execution: ExecutionOptions): PreparedCheck {
  if (claims.length === 0) throw new InvalidInputError('claims', '', 'no claim selected; name at least one claim or omit the list to run all');
  for (const claim of claims) validateClaimExpressions(claim);
  const progress = execution.progress ?? silentProgress;

  progress.phase('data and limit kernels', 1);
  const measurer = new CellMeasurer(options);
  const context = measurer.context({ kappa: null, subsetSize: null });
  const dataset = context.dataset;
  progress.advance(`${dataset.name}: n = ${context.train.rows} training, ${context.test.rows} held out, d = ${dataset.dimension}`);
  guardCellMemory(context.train.rows + context.test.rows, Math.max(...options.widths), dataset.dimension, options);

  const items = planWork(claims, options, context);
  const done = execution.onPlan?.(items, context) ?? execution.done ?? new Map<number, CellMeasurement>();
  return { measurer, context, items, done, progress };
}

/** Runs the given claims with the given options. */
export async function runCheck(claims: readonly Claim[], options: CheckOptions, execution: ExecutionOptions = { workers: 1 }): Promise<CheckResult> {
  const { measurer, context, items, done, progress } = prepareCheck(claims, options, execution);
  progress.phase('grid cells and sweeps', items.length - done.size);
  const measured = await measureItems(
    options,
    items,
    execution.workers,
    (index, measurement) => {
      const item = items[index];
      progress.advance(describeItem(item));
      execution.onItem?.(index, item, measurement);
    },
    done,
    measurer,
    execution.signal,
  );
  const measuredCount = measured.filter((measurement) => measurement !== undefined).length;
  // Once incomplete claims are set aside below, every lookup of the evaluation hits a measured item.
  const measurements = measured as CellMeasurement[];

  const cells = measurements.filter((cell, index) => cell !== undefined && isMainGrid(items[index]));
  const results = claims.map((claim, index) => {
    if (measuredCount < items.length && !isClaimMeasured(claim, options, context, items, measured)) {
      return { claim, evaluation: NOT_MEASURED, sweeps: [] };
    }
    const seedCount = claim.measurement === 'training' ? options.seeds : options.initSeeds;
    const claimCells = cells.filter((cell) => cell.seed - options.firstSeed < seedCount && (claim.measurement === 'initialization' || cell.level === 'training'));
    const evaluation = evaluateClaim(claim, context.runSymbols, claimCells, {
      confidence: options.confidence,
      bootstrapReplicates: options.bootstrapReplicates,
      seed: createRng(options.firstSeed).fork(`bootstrap-${index}`).seed,
    });
    const sweeps = (claim.sweeps ?? []).map((sweep) => {
      if (sweep.kind === 'steps') return stepSweep(context, claimCells, options);
      if (sweep.kind === 'power-law-fit') return powerLawFits(sweep, context, claimCells, options);
      return summarizeSweep(sweep, measurer, items, measurements, options);
    });
    return { claim, evaluation, sweeps };
  });
  const incomplete = measuredCount < items.length ? { incomplete: { measured: measuredCount, planned: items.length } } : {};
  return { options, context, claims: results, cells, ...incomplete };
}

/** Evaluation of a claim whose work items were not all measured. */
const NOT_MEASURED: ClaimEvaluation = { verdict: 'not-measured', statements: [], exponents: [], widths: [], smallestPassingWidth: null, hypotheses: [], divergences: [] };

/**
 * Returns true when every item the claim would plan on its own is measured. A training-level
 * measurement also serves an initialization-level item, as in the evaluation.
 */
function isClaimMeasured(claim: Claim, options: CheckOptions, context: RunContext, items: readonly WorkItem[], measured: readonly (CellMeasurement | undefined)[]): boolean {
  const available = new Set<string>();
  items.forEach((item, index) => {
    if (measured[index] === undefined) return;
    available.add(itemKey(item));
    if (item.level === 'training') available.add(itemKey({ ...item, level: 'initialization' }));
  });
  return planWork([claim], options, context).every((item) => available.has(itemKey(item)));
}

/**
 * Plans every work item of a check in a fixed order: the main grid (widths outer, seeds
 * inner), then each claim's sweeps at the middle width.
 */
export function planWork(claims: readonly Claim[], options: CheckOptions, context: RunContext): WorkItem[] {
  const trainingSeeds = claims.some((claim) => claim.measurement === 'training') ? options.seeds : 0;
  const initializationSeeds = claims.some((claim) => claim.measurement === 'initialization') ? options.initSeeds : 0;
  const seedCount = Math.max(trainingSeeds, initializationSeeds);
  const items: WorkItem[] = [];
  for (const width of options.widths) {
    for (let index = 0; index < seedCount; index++) {
      items.push({ width, seed: options.firstSeed + index, level: index < trainingSeeds ? 'training' : 'initialization', kappa: null, subsetSize: null });
    }
  }

  const width = sweepWidth(options);
  const seeds = seedRange(options, sweepSeeds(options));
  const planned = new Set(items.map(itemKey));
  for (const claim of claims) {
    for (const sweep of claim.sweeps ?? []) {
      for (const variant of sweepVariants(sweep, context.dataset.size, options)) {
        for (const seed of seeds) {
          const item: WorkItem = { width, seed, level: 'training', ...variant };
          if (planned.has(itemKey(item))) continue;
          planned.add(itemKey(item));
          items.push(item);
        }
      }
    }
  }
  return items;
}

/** Returns true when any claim's verdict makes the command fail (violated or refuted). */
export function hasFailingVerdict(verdicts: readonly Verdict[]): boolean {
  return verdicts.some((verdict) => verdict === 'violated' || verdict === 'refuted');
}

function isMainGrid(item: WorkItem): boolean {
  return item.kappa === null && item.subsetSize === null;
}

function itemKey(item: WorkItem): string {
  return `${item.width}/${item.seed}/${item.level}/${item.kappa}/${item.subsetSize}`;
}

function describeItem(item: WorkItem): string {
  let variant = '';
  if (item.kappa !== null) variant = `, kappa = ${item.kappa}`;
  else if (item.subsetSize !== null) variant = `, ${item.subsetSize} examples`;
  return `m = ${item.width}, seed ${item.seed}${variant} (${item.level})`;
}

/** Width used by the extra sweeps: the middle of the grid, to keep them cheap. */
function sweepWidth(options: CheckOptions): number {
  return options.widths[Math.floor((options.widths.length - 1) / 2)];
}

/** Seeds used by the extra sweeps: at least 2 (a bootstrap needs them), at most 4. */
function sweepSeeds(options: CheckOptions): number {
  return Math.max(2, Math.min(options.seeds, 4));
}

function seedRange(options: CheckOptions, count: number): number[] {
  return Array.from({ length: count }, (_, index) => options.firstSeed + index);
}

/**
 * Lists the option variants of a sweep. A variant equal to the run's own options is expressed as
 * null, so its cells coincide with the main grid's.
 */
function sweepVariants(sweep: SweepSpec, datasetSize: number, options: CheckOptions): { kappa: number | null; subsetSize: number | null }[] {
  if (sweep.kind === 'kappa') return sweep.values.map((kappa) => ({ kappa: kappa === options.kappa ? null : kappa, subsetSize: null }));
  if (sweep.kind === 'data-size') {
    return sweep.fractions.map((fraction) => {
      const size = Math.max(4, Math.round(fraction * datasetSize));
      return { kappa: null, subsetSize: size >= datasetSize ? null : size };
    });
  }
  // Steps and power-law fits reuse the main grid's cells, so they add no work items.
  return [];
}

function summarizeSweep(
  sweep: SweepSpec,
  measurer: CellMeasurer,
  items: readonly WorkItem[],
  measurements: readonly CellMeasurement[],
  options: CheckOptions,
): SweepResult {
  const width = sweepWidth(options);
  const seeds = seedRange(options, sweepSeeds(options));
  const find = (variant: { kappa: number | null; subsetSize: number | null }, seed: number): CellMeasurement => {
    const matches = (item: WorkItem, kappa: number | null): boolean =>
      item.width === width && item.seed === seed && item.level === 'training' && item.kappa === kappa && item.subsetSize === variant.subsetSize;
    let index = items.findIndex((item) => matches(item, variant.kappa));
    if (index < 0) index = items.findIndex((item) => matches(item, null));
    return measurements[index];
  };
  const variants = sweepVariants(sweep, measurer.context({ kappa: null, subsetSize: null }).dataset.size, options);

  if (sweep.kind === 'kappa') {
    const rows = variants.map((variant) => {
      const cells = seeds.map((seed) => find(variant, seed));
      const runSymbols = measurer.context(variant).runSymbols;
      return { value: variant.kappa ?? options.kappa, means: { ...meansOf(cells, ['gap_init_mean', 'gap_mean', 'gap_inf_mean']), gap_mismatch_mean: runSymbols.gap_mismatch_mean } };
    });
    return { kind: 'kappa', variable: 'kappa', width, seeds: seeds.length, rows, exponents: [] };
  }

  const perSize = variants.map((variant) => ({ n: measurer.context(variant).train.rows, cells: seeds.map((seed) => find(variant, seed)) }));
  const rows = perSize.map(({ n, cells }) => ({ value: n, means: meansOf(cells, ['loss_fp_final', 'loss_1bit_final', 'test_loss_fp', 'test_loss_1bit']) }));
  const exponents = ['test_loss_fp', 'test_loss_1bit'].flatMap((symbol) =>
    fitAcross(
      perSize.map(({ n }) => n),
      seeds.map((_, seedIndex) => perSize.map(({ cells }) => cells[seedIndex].values[symbol])),
      `slope_${symbol}_D`,
      symbol,
      options,
    ),
  );
  return { kind: 'data-size', variable: 'n', width, seeds: seeds.length, rows, exponents };
}

/**
 * Loss against compute C = 6 * N * n * t along training at the largest width: the loss
 * curves of the main grid, sampled at t >= 1.
 */
function stepSweep(context: RunContext, cells: readonly CellMeasurement[], options: CheckOptions): SweepResult {
  const width = Math.max(...options.widths);
  const atWidth = cells.filter((cell) => cell.width === width && cell.curves !== null && cell.divergence === null);
  const steps = (atWidth[0]?.curves?.t ?? []).filter((t) => t >= 1);
  const parameters = width * (context.dataset.dimension + 1);
  const compute = steps.map((t) => 6 * parameters * context.train.rows * t);
  const valueAt = (cell: CellMeasurement, key: 'lossFp' | 'lossOneBit', t: number): number => cell.curves![key][cell.curves!.t.indexOf(t)];
  const rows = steps.map((t, index) => ({
    value: compute[index],
    means: {
      t,
      loss_fp: geometricMean(atWidth.map((cell) => valueAt(cell, 'lossFp', t))),
      loss_1bit: geometricMean(atWidth.map((cell) => valueAt(cell, 'lossOneBit', t))),
    },
  }));
  const curveRows = (key: 'lossFp' | 'lossOneBit'): number[][] => atWidth.map((cell) => steps.map((t) => valueAt(cell, key, t)));
  const exponents = [
    ...fitAcross(compute, curveRows('lossFp'), 'slope_loss_C_fp', 'loss_fp', options),
    ...fitAcross(compute, curveRows('lossOneBit'), 'slope_loss_C_1bit', 'loss_1bit', options),
  ];
  return { kind: 'steps', variable: 'C', width, seeds: atWidth.length, rows, exponents };
}

/** Fits the claim's scaling-law form to each symbol against N = m (d + 1), resampling seeds. */
function powerLawFits(
  sweep: Extract<SweepSpec, { kind: 'power-law-fit' }>,
  context: RunContext,
  cells: readonly CellMeasurement[],
  options: CheckOptions,
): SweepResult {
  const usable = cells.filter((cell) => cell.divergence === null);
  const fits = sweep.of.map((symbol) => {
    const points = usable.map((cell) => ({ N: cell.values.N, loss: cell.values[symbol], seed: cell.seed }));
    try {
      const fit = fitScalingLaw(points, {
        form: sweep.form,
        variable: 'N',
        bootstrapReplicates: Math.min(options.bootstrapReplicates, POWER_LAW_REPLICATES),
        confidence: options.confidence,
        seed: createRng(options.firstSeed).fork(`power-law-${symbol}`).seed,
      });
      return { of: symbol, formula: fit.formula, parameters: fit.parameters, converged: fit.converged, rmseLog: fit.rmseLog, warnings: fit.warnings };
    } catch (error) {
      // A form the grid cannot identify (too few widths) is reported, not fatal to the check.
      if (!(error instanceof InvalidInputError)) throw error;
      return { of: symbol, formula: sweep.form, parameters: [], converged: false, rmseLog: Number.NaN, warnings: [error.message] };
    }
  });
  return { kind: 'power-law-fit', variable: 'N', width: Math.max(...options.widths), seeds: new Set(usable.map((cell) => cell.seed)).size, rows: [], exponents: [], fits };
}

/**
 * Bootstrap replicates of the scaling-law fits: each replicate is a nonlinear fit from
 * several starts, so fewer replicates than the slopes' keep the default check fast.
 */
const POWER_LAW_REPLICATES = 200;

function fitAcross(horizontal: number[], rows: number[][], symbol: string, of: string, options: CheckOptions): SweepResult['exponents'] {
  const usable = rows.filter((row) => row.every((value) => Number.isFinite(value) && value > 0));
  if (usable.length < 2 || new Set(horizontal).size < 2) return [];
  const fit = logLogSlopeOverSeeds(horizontal, usable, {
    replicates: options.bootstrapReplicates,
    confidence: options.confidence,
    rng: createRng(options.firstSeed).fork(symbol),
  });
  return [{ symbol, of, estimate: fit.estimate, lower: fit.lower, upper: fit.upper, rSquared: fit.rSquared }];
}

function meansOf(cells: readonly CellMeasurement[], symbols: string[]): Record<string, number> {
  const means: Record<string, number> = {};
  for (const symbol of symbols) means[symbol] = cells.reduce((sum, cell) => sum + cell.values[symbol], 0) / cells.length;
  return means;
}

function geometricMean(values: number[]): number {
  return Math.exp(values.reduce((sum, value) => sum + Math.log(value), 0) / values.length);
}
