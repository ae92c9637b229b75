/**
 * The last loading step shared by every data source: column standardization, unit-norm rows,
 * removal or rejection of duplicate and parallel rows, and the target bound.
 *
 * Conventions: rows are numbered for messages by `rowNames` (default `row 1`, `row 2`, ...,
 * in the order given), and every change to the data is recorded as one plain sentence in
 * `Dataset.cleaning`, after the sentences the loader already recorded.
 */

import { InvalidInputError, formatValue } from '../errors.js';
import type { Dataset } from './dataset.js';
import { findParallelRows } from './parallel.js';

/** Data read by a loader, before `finalizeDataset` turns it into a `Dataset`. */
export interface RawDataset {
  /** Short identifier, e.g. `iris`. */
  readonly name: string;
  /** Origin of the data: package and file, path, or generator with its seed. */
  readonly source: string;
  /** Input rows, each of the same length d, in source order. */
  readonly rows: readonly (readonly number[])[];
  /** One target per row. */
  readonly targets: readonly number[];
  /** Sentences about what the loader already did (rows with missing values dropped, ...). */
  readonly cleaning: readonly string[];
}

/** Policy for a row whose input duplicates or is parallel to an earlier row. */
export type RedundantRowPolicy = 'drop' | 'reject';

/**
 * Target rescaling: `none` only checks |y| <= targetBound, `maxabs` maps y to
 * targetBound * y / max|y|, and `minmax` maps [min y, max y] affinely onto
 * [-targetBound, targetBound].
 */
export type TargetScaling = 'none' | 'maxabs' | 'minmax';

/** Options of `finalizeDataset`. */
export interface FinalizeOptions {
  /** Z-score each input column before normalizing rows. Default true. */
  readonly standardize?: boolean;
  /** Rows with |cos| >= 1 - parallelTolerance count as parallel. Default `PARALLEL_TOLERANCE`. */
  readonly parallelTolerance?: number;
  /** Largest allowed |y|. Default 1. */
  readonly targetBound?: number;
  /** Target rescaling. Default `none`. */
  readonly scaleTargets?: TargetScaling;
  /** Drop later duplicate or parallel rows (and record them), or reject the data. Default `reject`. */
  readonly redundantRows?: RedundantRowPolicy;
  /** Input column names for messages. Default `x1`, `x2`, ... */
  readonly columnNames?: readonly string[];
  /** Target column name for messages. Default `y`. */
  readonly targetName?: string;
  /** One label per row for messages, e.g. `row 7`. Default `row <i + 1>`. */
  readonly rowNames?: readonly string[];
  /** Prefix of every error field, e.g. a file path. Default the data set name. */
  readonly location?: string;
}

/**
 * Default parallel tolerance. Two unit rows at angle theta have |cos| = 1 - theta^2 / 2 for
 * small theta, so 1e-9 flags pairs closer than theta = sqrt(2e-9), about 4.5e-5 rad, to
 * parallel or anti-parallel. For the ReLU kernel H(x, z) = x.z (pi - theta) / (2 pi), such a
 * pair has a 2 x 2 block with smallest eigenvalue about theta / (2 pi), about 7e-6 (an
 * estimate from the first-order expansion). Pairs closer than that push lambda_min towards
 * the rounding level of the kernel entries. The cosine itself is computed to within about
 * d * 1e-16, far below the tolerance.
 */
export const PARALLEL_TOLERANCE = 1e-9;

/**
 * Relative spread below which a column counts as constant: the population standard deviation
 * is at most this times the largest |value| in the column. The mean of n equal doubles can
 * differ from them by rounding, which leaves a spread of about 1e-16 times the value, so an
 * exact zero test would miss constant columns. 1e-12 is far below the relative resolution of
 * measured data, which usually has 3 to 7 significant digits.
 */
export const CONSTANT_COLUMN_TOLERANCE = 1e-12;

/**
 * Relative norm below which a row counts as zero: its norm is at most this times the largest
 * row norm. After standardization a row at the column means has a norm of rounding size
 * (about 1e-16 of the data scale) instead of exactly 0, and its direction is noise.
 */
export const ZERO_ROW_TOLERANCE = 1e-12;

/** Maximum number of row labels listed in one cleaning sentence; the rest are counted. */
const MAX_LISTED_ROWS = 30;

/**
 * Turns raw rows and targets into a validated `Dataset`.
 *
 * Steps, in order:
 * 1. Check shapes (at least one row and one column, equal row lengths, one target per row)
 *    and that every value is finite.
 * 2. If `standardize` is on, map each column to (x - mean) / std with the population standard
 *    deviation std = sqrt(sum (x - mean)^2 / n). A constant column is rejected, because it
 *    would divide by zero. With `standardize` off a constant column is left as is.
 * 3. Divide each row by its Euclidean norm. A zero row is rejected.
 * 4. Find rows whose normalized input equals an earlier one bit for bit, then rows with
 *    |x_i . x_j| >= 1 - parallelTolerance to an earlier kept row i. With
 *    `redundantRows: 'drop'` such rows are dropped and listed, keeping the first of each
 *    group, and a dropped duplicate with a different target is reported. With `reject` the
 *    first such pair is an error naming both rows (exact duplicates are checked first).
 * 5. Rescale targets as `scaleTargets` requests, then check |y| <= targetBound.
 *
 * Cost: O(n d) plus the parallel search, which is O(n^2 d) worst case and about
 * O(n log n + n d) on data spread over the sphere.
 *
 * @throws InvalidInputError naming the location, row and column of the first violation,
 *   with the option or edit that fixes it
 */
export function finalizeDataset(raw: RawDataset, options: FinalizeOptions = {}): Dataset {
  const settings = resolveOptions(raw, options);
  const cleaning = [...raw.cleaning];
  const { size, dimension } = checkShapes(raw, settings);

  const inputs = new Float64Array(size * dimension);
  for (let row = 0; row < size; row++) inputs.set(raw.rows[row], row * dimension);

  if (settings.standardize) {
    standardizeColumns(inputs, size, dimension, settings);
    cleaning.push(
      `standardized ${dimension} input ${plural(dimension, 'column')} to mean 0 and ` +
        'standard deviation 1 (population standard deviation)',
    );
  }

  normalizeRows(inputs, size, dimension, settings);
  cleaning.push(`scaled each of ${size} ${plural(size, 'row')} to unit Euclidean norm`);

  const kept = removeRedundantRows(raw, inputs, size, dimension, settings, cleaning);
  const keptInputs = new Float64Array(kept.length * dimension);
  const keptTargets = new Float64Array(kept.length);
  kept.forEach((row, position) => {
    keptInputs.set(inputs.subarray(row * dimension, (row + 1) * dimension), position * dimension);
    keptTargets[position] = raw.targets[row];
  });

  const keptRowNames = kept.map((row) => settings.rowNames[row]);
  scaleAndCheckTargets(keptTargets, keptRowNames, settings, cleaning);

  return {
    name: raw.name,
    size: kept.length,
    dimension,
    inputs: keptInputs,
    targets: keptTargets,
    source: raw.source,
    cleaning,
  };
}

interface ResolvedOptions {
  standardize: boolean;
  parallelTolerance: number;
  targetBound: number;
  scaleTargets: TargetScaling;
  redundantRows: RedundantRowPolicy;
  columnNames: readonly string[];
  targetName: string;
  rowNames: readonly string[];
  location: string;
}

function resolveOptions(raw: RawDataset, options: FinalizeOptions): ResolvedOptions {
  const parallelTolerance = options.parallelTolerance ?? PARALLEL_TOLERANCE;
  if (!(parallelTolerance >= 0 && parallelTolerance < 1)) {
    throw new InvalidInputError(
      'parallelTolerance',
      parallelTolerance,
      `must be a number in [0, 1), got ${formatValue(parallelTolerance)}; the default is ${PARALLEL_TOLERANCE}`,
    );
  }

  const targetBound = options.targetBound ?? 1;
  if (!(Number.isFinite(targetBound) && targetBound > 0)) {
    throw new InvalidInputError(
      'targetBound',
      targetBound,
      `must be a finite number > 0, got ${formatValue(targetBound)}; the default is 1`,
    );
  }

  const scaleTargets = options.scaleTargets ?? 'none';
  if (!['none', 'maxabs', 'minmax'].includes(scaleTargets)) {
    throw new InvalidInputError(
      'scaleTargets',
      scaleTargets,
      `must be 'none', 'maxabs' or 'minmax', got ${formatValue(scaleTargets)}`,
    );
  }

  const redundantRows = options.redundantRows ?? 'reject';
  if (redundantRows !== 'drop' && redundantRows !== 'reject') {
    throw new InvalidInputError(
      'redundantRows',
      redundantRows,
      `must be 'drop' or 'reject', got ${formatValue(redundantRows)}`,
    );
  }

  const dimension = raw.rows[0]?.length ?? 0;
  const columnNames =
    options.columnNames ?? Array.from({ length: dimension }, (_, k) => `x${k + 1}`);
  const rowNames = options.rowNames ?? raw.rows.map((_, row) => `row ${row + 1}`);

  const location = options.location ?? raw.name;
  return {
    standardize: options.standardize ?? true,
    parallelTolerance,
    targetBound,
    scaleTargets,
    redundantRows,
    columnNames,
    targetName: options.targetName ?? 'y',
    rowNames,
    location,
  };
}

function checkShapes(raw: RawDataset, settings: ResolvedOptions): { size: number; dimension: number } {
  const { location } = settings;
  const size = raw.rows.length;
  if (size === 0) {
    throw new InvalidInputError(location, size, 'contains no data rows; provide at least one row');
  }
  const dimension = raw.rows[0].length;
  if (dimension === 0) {
    throw new InvalidInputError(location, dimension, 'has no input columns; provide at least one');
  }
  if (raw.targets.length !== size) {
    throw new InvalidInputError(
      location,
      raw.targets.length,
      `has ${raw.targets.length} ${plural(raw.targets.length, 'target')} for ${size} ${plural(size, 'row')}; provide one target per row`,
    );
  }
  if (settings.columnNames.length !== dimension) {
    throw new InvalidInputError(
      'columnNames',
      settings.columnNames.length,
      `lists ${settings.columnNames.length} names for ${dimension} input columns; give one name per column`,
    );
  }
  if (settings.rowNames.length !== size) {
    throw new InvalidInputError(
      'rowNames',
      settings.rowNames.length,
      `lists ${settings.rowNames.length} labels for ${size} rows; give one label per row`,
    );
  }
  for (let row = 0; row < size; row++) {
    const values = raw.rows[row];
    if (values.length !== dimension) {
      throw new InvalidInputError(
        `${location} ${settings.rowNames[row]}`,
        values.length,
        `has ${values.length} input values but the first row has ${dimension}; give every row the same columns`,
      );
    }
    for (let k = 0; k < dimension; k++) {
      if (!Number.isFinite(values[k])) {
        throw new InvalidInputError(
          `${location} ${settings.rowNames[row]}, column ${settings.columnNames[k]}`,
          values[k],
          `input value ${formatValue(values[k])} is not a finite number; replace it or drop the row`,
        );
      }
    }
    if (!Number.isFinite(raw.targets[row])) {
      throw new InvalidInputError(
        `${location} ${settings.rowNames[row]}, column ${settings.targetName}`,
        raw.targets[row],
        `target ${formatValue(raw.targets[row])} is not a finite number; replace it or drop the row`,
      );
    }
  }
  return { size, dimension };
}

function standardizeColumns(
  inputs: Float64Array,
  size: number,
  dimension: number,
  settings: ResolvedOptions,
): void {
  for (let k = 0; k < dimension; k++) {
    let maxAbs = 0;
    for (let row = 0; row < size; row++) maxAbs = Math.max(maxAbs, Math.abs(inputs[row * dimension + k]));
    // The column is divided by its max |x| first, so sums and squares cannot overflow or
    // underflow for values near the ends of the float64 range; the z-scores are unchanged.
    let sum = 0;
    for (let row = 0; row < size; row++) sum += scaleBy(inputs[row * dimension + k], maxAbs);
    const mean = sum / size;
    let sumSquares = 0;
    for (let row = 0; row < size; row++) {
      const deviation = scaleBy(inputs[row * dimension + k], maxAbs) - mean;
      sumSquares += deviation * deviation;
    }
    const std = Math.sqrt(sumSquares / size);
    if (maxAbs === 0 || std <= CONSTANT_COLUMN_TOLERANCE) {
      const value = inputs[k];
      throw new InvalidInputError(
        `${settings.location} column ${settings.columnNames[k]}`,
        value,
        `input column is constant (every value is ${formatValue(value)}), so standardization ` +
          'would divide by zero; remove the column, or pass standardize: false to keep inputs unscaled',
      );
    }
    for (let row = 0; row < size; row++) {
      const index = row * dimension + k;
      inputs[index] = (scaleBy(inputs[index], maxAbs) - mean) / std;
    }
  }
}

function normalizeRows(
  inputs: Float64Array,
  size: number,
  dimension: number,
  settings: ResolvedOptions,
): void {
  const norms = new Float64Array(size);
  let maxNorm = 0;
  for (let row = 0; row < size; row++) {
    norms[row] = euclideanNorm(inputs.subarray(row * dimension, (row + 1) * dimension));
    maxNorm = Math.max(maxNorm, norms[row]);
  }
  for (let row = 0; row < size; row++) {
    const norm = norms[row];
    // Unstandardized rows may differ in scale by many orders of magnitude, so only an exact
    // zero is rejected there. The relative test applies to standardized data only.
    const isZero = norm === 0 || (settings.standardize && norm <= ZERO_ROW_TOLERANCE * maxNorm);
    if (isZero) {
      const where = settings.standardize ? ' after standardization (the row equals the column means)' : '';
      throw new InvalidInputError(
        `${settings.location} ${settings.rowNames[row]}`,
        norm,
        `input row is zero${where}, so it has no direction and cannot be scaled to unit norm; remove the row`,
      );
    }
    // Dividing by max |x| first and then by the norm of the scaled row keeps full precision
    // for subnormal rows, where max |x| * sqrt(...) would round the norm itself.
    const values = inputs.subarray(row * dimension, (row + 1) * dimension);
    const rowMaxAbs = maxAbsolute(values);
    let scaledSumSquares = 0;
    for (let k = 0; k < dimension; k++) {
      values[k] = values[k] / rowMaxAbs;
      scaledSumSquares += values[k] * values[k];
    }
    const scaledNorm = Math.sqrt(scaledSumSquares);
    for (let k = 0; k < dimension; k++) values[k] = values[k] / scaledNorm;
  }
}

/**
 * Returns the Euclidean norm, computed as m * sqrt(sum (x_k / m)^2) with m = max |x_k| so that
 * squares neither overflow nor underflow.
 */
function euclideanNorm(values: Float64Array): number {
  const maxAbs = maxAbsolute(values);
  if (maxAbs === 0) return 0;
  let sumSquares = 0;
  for (const value of values) sumSquares += (value / maxAbs) ** 2;
  return maxAbs * Math.sqrt(sumSquares);
}

function maxAbsolute(values: Float64Array): number {
  let maxAbs = 0;
  for (const value of values) maxAbs = Math.max(maxAbs, Math.abs(value));
  return maxAbs;
}

function scaleBy(value: number, divisor: number): number {
  return divisor === 0 ? value : value / divisor;
}

/** Returns the indices of the rows kept, in order, after duplicate and parallel checks. */
function removeRedundantRows(
  raw: RawDataset,
  inputs: Float64Array,
  size: number,
  dimension: number,
  settings: ResolvedOptions,
  cleaning: string[],
): number[] {
  const duplicateOf = findExactDuplicates(inputs, size, dimension);
  const duplicates: number[] = [];
  for (let row = 0; row < size; row++) {
    if (duplicateOf[row] !== -1) duplicates.push(row);
  }

  if (duplicates.length > 0) {
    const row = duplicates[0];
    if (settings.redundantRows === 'reject') {
      throwRedundantPair(raw, settings, duplicateOf[row], row, 1);
    }
    recordDuplicates(raw, settings, duplicates, duplicateOf, cleaning);
  }

  const unique: number[] = [];
  for (let row = 0; row < size; row++) {
    if (duplicateOf[row] === -1) unique.push(row);
  }
  const uniqueInputs = new Float64Array(unique.length * dimension);
  unique.forEach((row, position) => {
    uniqueInputs.set(inputs.subarray(row * dimension, (row + 1) * dimension), position * dimension);
  });
  const scan = findParallelRows(
    uniqueInputs,
    unique.length,
    dimension,
    settings.parallelTolerance,
    settings.redundantRows === 'reject',
  );
  if (scan.firstRedundant !== -1 && settings.redundantRows === 'reject') {
    const position = scan.firstRedundant;
    throwRedundantPair(raw, settings, unique[scan.partner[position]], unique[position], scan.cosine[position]);
  }

  const kept: number[] = [];
  const dropped: string[] = [];
  unique.forEach((row, position) => {
    const partnerPosition = scan.partner[position];
    if (partnerPosition === -1) {
      kept.push(row);
      return;
    }
    const relation = scan.cosine[position] > 0 ? 'parallel' : 'anti-parallel';
    dropped.push(`${settings.rowNames[row]} (${relation} to ${settings.rowNames[unique[partnerPosition]]})`);
  });
  if (dropped.length > 0) {
    cleaning.push(
      `dropped ${dropped.length} ${plural(dropped.length, 'row')} parallel or anti-parallel to an ` +
        `earlier row (|cos| >= 1 - ${settings.parallelTolerance}): ${listRows(dropped)}`,
    );
  }
  return kept;
}

/** Returns, for each row, the index of the first earlier row with bit-identical input, or -1. */
function findExactDuplicates(inputs: Float64Array, size: number, dimension: number): Int32Array {
  const firstRowByKey = new Map<string, number>();
  const duplicateOf = new Int32Array(size).fill(-1);
  for (let row = 0; row < size; row++) {
    const key = Array.from(inputs.subarray(row * dimension, (row + 1) * dimension)).join(',');
    const first = firstRowByKey.get(key);
    if (first === undefined) firstRowByKey.set(key, row);
    else duplicateOf[row] = first;
  }
  return duplicateOf;
}

function recordDuplicates(
  raw: RawDataset,
  settings: ResolvedOptions,
  duplicates: readonly number[],
  duplicateOf: Int32Array,
  cleaning: string[],
): void {
  const listed = duplicates.map((row) => `${settings.rowNames[row]} (same input as ${settings.rowNames[duplicateOf[row]]})`);
  cleaning.push(
    `dropped ${duplicates.length} duplicate ${plural(duplicates.length, 'row')}: ${listRows(listed)}`,
  );
  for (const row of duplicates) {
    const first = duplicateOf[row];
    const targetKept = raw.targets[first];
    const targetDropped = raw.targets[row];
    if (targetKept !== targetDropped) {
      cleaning.push(
        `${settings.rowNames[row]} has the same input as ${settings.rowNames[first]} but target ` +
          `${formatValue(targetDropped)} instead of ${formatValue(targetKept)}; kept ${settings.rowNames[first]}`,
      );
    }
  }
}

function throwRedundantPair(
  raw: RawDataset,
  settings: ResolvedOptions,
  first: number,
  second: number,
  cosine: number,
): never {
  const rowsEqual = raw.rows[first].every((value, k) => value === raw.rows[second][k]);
  const nameFirst = settings.rowNames[first];
  const nameSecond = settings.rowNames[second];
  const relation = rowsEqual
    ? 'are duplicates (identical inputs)'
    : `are ${cosine > 0 ? 'parallel' : 'anti-parallel'} after ${settings.standardize ? 'standardization and ' : ''}` +
      `normalization (cosine ${formatValue(cosine)}, |cos| >= 1 - ${settings.parallelTolerance})`;
  throw new InvalidInputError(
    `${settings.location} ${nameFirst} and ${nameSecond}`,
    [first, second],
    `input rows ${relation}, which makes the kernel singular; remove one of the two rows, ` +
      "or pass redundantRows: 'drop' to keep the first",
  );
}

function scaleAndCheckTargets(
  targets: Float64Array,
  rowNames: readonly string[],
  settings: ResolvedOptions,
  cleaning: string[],
): void {
  const bound = settings.targetBound;
  if (settings.scaleTargets === 'maxabs') {
    let maxAbs = 0;
    for (const value of targets) maxAbs = Math.max(maxAbs, Math.abs(value));
    if (maxAbs === 0) {
      cleaning.push('left targets unscaled because every target is 0');
    } else {
      // Dividing first keeps |y / maxAbs| <= 1 exactly, so the product never exceeds the bound.
      for (let i = 0; i < targets.length; i++) targets[i] = (targets[i] / maxAbs) * bound;
      cleaning.push(`scaled targets by ${formatValue(bound)} / ${formatValue(maxAbs)} so that max |y| = ${formatValue(bound)}`);
    }
  } else if (settings.scaleTargets === 'minmax') {
    let min = Infinity;
    let max = -Infinity;
    for (const value of targets) {
      min = Math.min(min, value);
      max = Math.max(max, value);
    }
    if (min === max) {
      throw new InvalidInputError(
        `${settings.location} column ${settings.targetName}`,
        min,
        `targets are constant (every target is ${formatValue(min)}), so scaleTargets: 'minmax' ` +
          "cannot map them onto an interval; use scaleTargets: 'none' or 'maxabs'",
      );
    }
    // Halving first keeps max - min finite for targets near the ends of the float64 range.
    // The fraction is exactly 0 at min and exactly 1 at max, and monotone in between.
    const halfRange = max / 2 - min / 2;
    for (let i = 0; i < targets.length; i++) {
      targets[i] = 2 * bound * ((targets[i] / 2 - min / 2) / halfRange) - bound;
    }
    cleaning.push(
      `mapped targets affinely from [${formatValue(min)}, ${formatValue(max)}] onto ` +
        `[${formatValue(-bound)}, ${formatValue(bound)}]`,
    );
  }

  for (let i = 0; i < targets.length; i++) {
    if (Math.abs(targets[i]) > bound) {
      throw new InvalidInputError(
        `${settings.location} ${rowNames[i]}, column ${settings.targetName}`,
        targets[i],
        `target ${formatValue(targets[i])} exceeds the bound |y| <= ${formatValue(bound)}; ` +
          "pass scaleTargets: 'maxabs' (or 'minmax') to rescale the targets, or raise targetBound",
      );
    }
  }
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

/** Joins row descriptions with commas, listing at most `MAX_LISTED_ROWS` and counting the rest. */
export function listRows(descriptions: readonly string[]): string {
  if (descriptions.length <= MAX_LISTED_ROWS) return descriptions.join(', ');
  const rest = descriptions.length - MAX_LISTED_ROWS;
  return `${descriptions.slice(0, MAX_LISTED_ROWS).join(', ')} and ${rest} more`;
}
