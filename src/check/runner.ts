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
import { measureItems, runPowerLawFits, WorkerPool } from './pool.js';
import { runPowerLawFit, type PowerLawFitJob, type PowerLawFitSummary } from './power-law.js';
import { estimateLongestItemSeconds, guardCellMemory } from './resources.js';
import type { RunContext } from './run-context.js';
import { logLogSlopeOverSeeds } from './statistics.js';
import { CellMeasurer, type WorkItem } from './work.js';

export { loadCheckDataset };
export type { PowerLawFitSummary };

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
  /** Worker threads that measure the work items; 1 measures in this thread instead. */
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
  /** Worker threads started for the run, or null for this thread alone; close it when done. */
  readonly pool: WorkerPool | null;
  /** Whether this thread measures items too (see {@link MAIN_THREAD_MAX_ITEM_SECONDS}). */
  readonly measuresHere: boolean;
}

/**
 * With workers, this thread measures items too when no item is estimated to take longer
 * than this many seconds. A thread that is measuring handles a signal only after its item,
 * so for longer items it leaves all of them to the workers and stays free.
 */
export const MAIN_THREAD_MAX_ITEM_SECONDS = 1;

/**
 * Validates the claims, loads the data and limit kernels, checks memory, plans the work
 * items, and collects the measurements a checkpoint already holds. Shared by `runCheck` and
 * the shard runner, so both plan exactly the same items.
 */
export function prepareCheck(claims: readonly Claim[], options: CheckOptions, execution: ExecutionOptions): PreparedCheck {
  if (claims.length === 0) throw new InvalidInputError('claims', '', 'no claim selected; name at least one claim or omit the list to run all');
  for (const claim of claims) validateClaimExpressions(claim);
  const progress = execution.progress ?? silentProgress;
  // The workers start first, so their start-up overlaps the preparation below. This thread
  // is one of the `workers` threads unless the items turn out to be long.
  const pool = execution.workers > 1 ? new WorkerPool(options, execution.workers - 1) : null;
  try {
    progress.phase('data and limit kernels', 1);
    const measurer = new CellMeasurer(options);
    const context = measurer.context({ kappa: null, subsetSize: null });
    pool?.shareContext(context);
    const dataset = context.dataset;
    progress.advance(`${dataset.name}: n = ${context.train.rows} training, ${context.test.rows} held out, d = ${dataset.dimension}`);
    guardCellMemory(context.train.rows + context.test.rows, Math.max(...options.widths), dataset.dimension, options);

    const items = planWork(claims, options, context);
    const done = execution.onPlan?.(items, context) ?? execution.done ?? new Map<number, CellMeasurement>();
    const pending = items.filter((_, index) => !done.has(index));
    const measuresHere = pool === null || estimateLongestItemSeconds(pending, context, options) <= MAIN_THREAD_MAX_ITEM_SECONDS;
    if (!measuresHere) pool.add(1, options);
    return { measurer, context, items, done, progress, pool, measuresHere };
  } catch (error) {
    void pool?.close();
    throw error;
  }
}

/** Runs the given claims with the given options. */
export async function runCheck(claims: readonly Claim[], options: CheckOptions, execution: ExecutionOptions = { workers: 1 }): Promise<CheckResult> {
  const { measurer, context, items, done, progress, pool, measuresHere } = prepareCheck(claims, options, execution);
  progress.phase('grid cells and sweeps', items.length - done.size);
  const mainGrid = new Set(items.flatMap((item, index) => (isMainGrid(item) ? [index] : [])));
  // The grid part of the evaluation needs only the main grid, which is measured first. This
  // thread evaluates it once the grid is complete, while the workers measure the sweeps.
  let gridParts: GridPart[] | undefined;
  try {
    const measured = await measureItems(
      items,
      measurer,
      (index, measurement) => {
        const item = items[index];
        progress.advance(describeItem(item));
        execution.onItem?.(index, item, measurement);
      },
      done,
      { pool, measuresHere, signal: execution.signal },
      {
        first: mainGrid,
        run(results) {
          const cells = mainGridCells(items, results);
          const plan = planGridEvaluation(claims, claims.map(() => true), options, cells);
          gridParts = evaluateGridParts(claims, plan, options, context);
          attachFits(gridParts, plan, plan.jobs.map(runPowerLawFit), options);
        },
      },
    );
    return await evaluateClaims(claims, options, measurer, context, items, measured, pool, gridParts);
  } finally {
    await pool?.close();
  }
}

/** The part of a claim's evaluation that needs only the main grid: the verdict, steps and fits. */
interface GridPart {
  readonly evaluation: ClaimEvaluation;
  /** Results of the claim's sweeps that use only the main grid, by sweep index; null for the others. */
  readonly sweeps: (SweepResult | null)[];
}

/** The cells of each claim and the scaling-law fits the grid part of the evaluation needs. */
interface GridPlan {
  /** Per claim: its cells, or null when the claim is not evaluated. */
  readonly claimCells: (CellMeasurement[] | null)[];
  readonly jobs: PowerLawFitJob[];
  /** Per claim and sweep: the range [start, end) of the sweep's fit jobs, or null for a sweep without fits. */
  readonly jobRanges: ([number, number] | null)[][];
}

/** Returns the measured main-grid cells, in item order. */
function mainGridCells(items: readonly WorkItem[], measured: readonly (CellMeasurement | undefined)[]): CellMeasurement[] {
  return measured.filter((cell, index): cell is CellMeasurement => cell !== undefined && isMainGrid(items[index]));
}

function planGridEvaluation(claims: readonly Claim[], evaluated: readonly boolean[], options: CheckOptions, cells: readonly CellMeasurement[]): GridPlan {
  const jobs: PowerLawFitJob[] = [];
  const claimCells = claims.map((claim, index) => {
    if (!evaluated[index]) return null;
    const seedCount = claim.measurement === 'training' ? options.seeds : options.initSeeds;
    return cells.filter((cell) => cell.seed - options.firstSeed < seedCount && (claim.measurement === 'initialization' || cell.level === 'training'));
  });
  const jobRanges = claims.map((claim, index) =>
    (claim.sweeps ?? []).map((sweep): [number, number] | null => {
      const cellsOfClaim = claimCells[index];
      if (sweep.kind !== 'power-law-fit' || cellsOfClaim === null) return null;
      const start = jobs.length;
      jobs.push(...powerLawFitJobs(sweep, cellsOfClaim, options));
      return [start, jobs.length];
    }),
  );
  return { claimCells, jobs, jobRanges };
}

/** Evaluates the planned claims on their cells; power-law fits are left null for {@link attachFits}. */
function evaluateGridParts(claims: readonly Claim[], plan: GridPlan, options: CheckOptions, context: RunContext): GridPart[] {
  return claims.map((claim, index) => {
    const claimCells = plan.claimCells[index];
    if (claimCells === null) return { evaluation: NOT_MEASURED, sweeps: [] };
    const evaluation = evaluateClaim(claim, context.runSymbols, claimCells, {
      confidence: options.confidence,
      bootstrapReplicates: options.bootstrapReplicates,
      seed: createRng(options.firstSeed).fork(`bootstrap-${index}`).seed,
    });
    const sweeps = (claim.sweeps ?? []).map((sweep) => (sweep.kind === 'steps' ? stepSweep(context, claimCells, options) : null));
    return { evaluation, sweeps };
  });
}

/** Puts the fit summaries, in job order, into the power-law sweeps of the grid parts. */
function attachFits(parts: GridPart[], plan: GridPlan, fits: readonly PowerLawFitSummary[], options: CheckOptions): void {
  parts.forEach((part, claimIndex) => {
    const claimCells = plan.claimCells[claimIndex];
    if (claimCells === null) return;
    plan.jobRanges[claimIndex].forEach((range, sweepIndex) => {
      if (range !== null) part.sweeps[sweepIndex] = powerLawFitResult(fits.slice(range[0], range[1]), claimCells, options);
    });
  });
}

/**
 * Evaluates every claim on the measurements, reusing `gridParts` when the main grid was
 * evaluated during the measurements. Otherwise the scaling-law fits, the slowest part, are
 * queued first, so the workers fit while this thread evaluates the claims and then joins
 * them on the fits left.
 */
async function evaluateClaims(
  claims: readonly Claim[],
  options: CheckOptions,
  measurer: CellMeasurer,
  context: RunContext,
  items: readonly WorkItem[],
  measured: readonly (CellMeasurement | undefined)[],
  pool: WorkerPool | null,
  gridParts: GridPart[] | undefined,
): Promise<CheckResult> {
  const measuredCount = measured.filter((measurement) => measurement !== undefined).length;
  const complete = claims.map((claim) => measuredCount === items.length || isClaimMeasured(claim, options, context, items, measured));
  const cells = mainGridCells(items, measured);
  let parts = gridParts;
  if (parts === undefined) {
    const plan = planGridEvaluation(claims, complete, options, cells);
    let evaluatedParts: GridPart[] = [];
    const fits = await runPowerLawFits(plan.jobs, pool, () => {
      evaluatedParts = evaluateGridParts(claims, plan, options, context);
    });
    attachFits(evaluatedParts, plan, fits, options);
    parts = evaluatedParts;
  }

  // Once incomplete claims are set aside, every lookup of a sweep summary hits a measured item.
  const measurements = measured as CellMeasurement[];
  const gridResults = parts;
  const results = claims.map((claim, index) => {
    if (!complete[index]) return { claim, evaluation: NOT_MEASURED, sweeps: [] };
    const part = gridResults[index];
    const sweeps = (claim.sweeps ?? []).map((sweep, sweepIndex) => part.sweeps[sweepIndex] ?? summarizeSweep(sweep, measurer, items, measurements, options));
    return { claim, evaluation: part.evaluation, sweeps };
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

/** Verdicts that make `bitbound check`, `merge` and `claim` exit with status 1: the claim was shown false. */
export const FAILING_VERDICTS: readonly Verdict[] = ['violated', 'refuted', 'inconsistent'];

/** Returns true when any claim's verdict makes the command fail (see {@link FAILING_VERDICTS}). */
export function hasFailingVerdict(verdicts: readonly Verdict[]): boolean {
  return verdicts.some((verdict) => FAILING_VERDICTS.includes(verdict));
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

  // Cells whose training diverged have no meaningful final values: they are left out of the
  // means, a variant without any other cell gets no row, and the slopes use only the seeds
  // that converged at every variant.
  const converged = (cell: CellMeasurement): boolean => cell.divergence === null;
  if (sweep.kind === 'kappa') {
    const rows = variants.flatMap((variant) => {
      const cells = seeds.map((seed) => find(variant, seed)).filter(converged);
      if (cells.length === 0) return [];
      const runSymbols = measurer.context(variant).runSymbols;
      return [{ value: variant.kappa ?? options.kappa, means: { ...meansOf(cells, ['gap_init_mean', 'gap_mean', 'gap_inf_mean']), gap_mismatch_mean: runSymbols.gap_mismatch_mean } }];
    });
    return { kind: 'kappa', variable: 'kappa', width, seeds: seeds.length, rows, exponents: [] };
  }

  const perSize = variants.map((variant) => ({ n: measurer.context(variant).train.rows, cells: seeds.map((seed) => find(variant, seed)) }));
  const rows = perSize.flatMap(({ n, cells }) => {
    const usable = cells.filter(converged);
    return usable.length === 0 ? [] : [{ value: n, means: meansOf(usable, ['loss_fp_final', 'loss_1bit_final', 'test_loss_fp', 'test_loss_1bit']) }];
  });
  const seedsConvergedEverywhere = seeds.flatMap((_, seedIndex) => (perSize.every(({ cells }) => converged(cells[seedIndex])) ? [seedIndex] : []));
  const exponents = ['test_loss_fp', 'test_loss_1bit'].flatMap((symbol) =>
    fitAcross(
      perSize.map(({ n }) => n),
      seedsConvergedEverywhere.map((seedIndex) => perSize.map(({ cells }) => cells[seedIndex].values[symbol])),
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

/**
 * Plans the scaling-law fits of a `power-law-fit` analysis: the claim's form against
 * N = m (d + 1) for each symbol, resampling seeds, on the cells that did not diverge.
 */
function powerLawFitJobs(sweep: Extract<SweepSpec, { kind: 'power-law-fit' }>, cells: readonly CellMeasurement[], options: CheckOptions): PowerLawFitJob[] {
  const usable = cells.filter((cell) => cell.divergence === null);
  return sweep.of.map((symbol) => ({
    of: symbol,
    points: usable.map((cell) => ({ N: cell.values.N, loss: cell.values[symbol], seed: cell.seed })),
    settings: {
      form: sweep.form,
      variable: 'N',
      bootstrapReplicates: Math.min(options.bootstrapReplicates, POWER_LAW_REPLICATES),
      confidence: options.confidence,
      seed: createRng(options.firstSeed).fork(`power-law-${symbol}`).seed,
    },
  }));
}

/** Builds the sweep result of a `power-law-fit` analysis from its fits. */
function powerLawFitResult(fits: PowerLawFitSummary[], cells: readonly CellMeasurement[], options: CheckOptions): SweepResult {
  const usable = cells.filter((cell) => cell.divergence === null);
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
