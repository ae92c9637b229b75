/**
 * Synthetic data sets: points uniform on the unit sphere S^{d-1} with targets from a named
 * target function.
 *
 * Streams: one seed drives three independent forks, `inputs`, `target` (parameters of the
 * target function and `random` targets) and `noise`, so changing the noise level never moves
 * the points, and the same options always give the same data set.
 */

import { InvalidInputError, ResourceLimitError, formatValue } from '../errors.js';
import { createRng, type Rng } from '../util/rng.js';
import type { Dataset } from './dataset.js';
import { PARALLEL_TOLERANCE } from './normalize.js';
import { findParallelRows } from './parallel.js';

/** Names of the target functions. */
export const SYNTHETIC_TARGETS = ['linear', 'sine', 'teacher', 'xor', 'random'] as const;

/**
 * A target function on the sphere:
 * - `linear`: y = v . x for a random unit vector v, so y lies in [-1, 1].
 * - `sine`: y = sin(pi v . x).
 * - `teacher`: y = sum_r a_r relu(w_r . x) over `TEACHER_WIDTH` neurons with w_r ~ N(0, I_d)
 *   and a_r uniform on {-1, +1}, scaled so that max |y| over the sample is 1.
 * - `xor`: y = sign(x_1 x_2) with sign(0) = +1, a parity of the first two coordinates.
 * - `random`: y i.i.d. uniform in [-1, 1), unrelated to x (the hardest case to fit).
 */
export type SyntheticTarget = (typeof SYNTHETIC_TARGETS)[number];

/** Options of `createSyntheticDataset`. */
export interface SyntheticDatasetOptions {
  /** Number of points n, an integer in [1, MAX_SYNTHETIC_SIZE]. */
  readonly size: number;
  /** Input dimension d, an integer in [2, MAX_SYNTHETIC_DIMENSION]. */
  readonly dimension: number;
  /** Target function name. */
  readonly target: SyntheticTarget;
  /** Seed, an integer in [0, 2^32). */
  readonly seed: number;
  /** Standard deviation of Gaussian noise added to each target, then clipped to [-1, 1]. Default 0. */
  readonly noise?: number;
  /** Points with |cos| >= 1 - parallelTolerance to an earlier point are redrawn. Default `PARALLEL_TOLERANCE`. */
  readonly parallelTolerance?: number;
}

/** Width of the `teacher` network. */
export const TEACHER_WIDTH = 16;

/**
 * Largest n. Every kernel computed from a data set is n x n, which at n = 100,000 is 80 GB
 * of float64, so larger synthetic sets cannot be used by any check. A chosen bound.
 */
export const MAX_SYNTHETIC_SIZE = 100_000;

/** Largest d. A chosen bound that keeps one point under 1 MiB. */
export const MAX_SYNTHETIC_DIMENSION = 100_000;

/** Largest n * d, 2^26 float64 values (512 MiB), checked before allocating the inputs. */
export const MAX_SYNTHETIC_ENTRIES = 2 ** 26;

/**
 * Rounds of redrawing parallel points before giving up. In d = 2 with tolerance tol, n uniform
 * points form about n^2 sqrt(2 tol) / pi parallel pairs, and a redrawn point hits one of the
 * others with probability about 2 n sqrt(2 tol) / pi (0.14 for n = 5000 at the default
 * tolerance), so the count shrinks geometrically. 64 rounds are far more than that needs, and
 * they stop requests that cannot succeed (the factor is above 1 for n > 35,000 in d = 2).
 */
const MAX_REDRAW_ROUNDS = 64;

/**
 * Creates n points uniform on S^{d-1} (a standard Gaussian vector divided by its norm) with
 * targets from `target`, plus optional Gaussian noise of standard deviation `noise`. Targets
 * that leave [-1, 1] after noise are clipped, and the number clipped is recorded.
 *
 * Points parallel or anti-parallel to an earlier point (|cos| >= 1 - parallelTolerance)
 * are redrawn from the same stream until none remain, so the result always has exactly n
 * pairwise non-parallel rows. This matters only for small d: in d = 2 with n = 5000 about
 * 360 points are redrawn in the first round.
 *
 * The name is `synthetic-TARGET-dD-nN`, e.g. `synthetic-sine-d8-n64`.
 *
 * Cost: O(n d) draws plus the parallel search, about O(n log n + n d) per round.
 *
 * @throws InvalidInputError for an invalid option, naming the option, the rule and the value
 * @throws ResourceLimitError when n * d exceeds MAX_SYNTHETIC_ENTRIES
 */
export function createSyntheticDataset(options: SyntheticDatasetOptions): Dataset {
  const { size, dimension, target, seed } = options;
  const noise = options.noise ?? 0;
  const parallelTolerance = options.parallelTolerance ?? PARALLEL_TOLERANCE;
  validateOptions(size, dimension, target, seed, noise, parallelTolerance);

  const rng = createRng(seed);
  const cleaning: string[] = [];
  const inputs = drawSpherePoints(rng.fork('inputs'), size, dimension, parallelTolerance, cleaning);
  const targets = computeTargets(target, inputs, size, dimension, rng.fork('target'), cleaning);

  if (noise > 0) {
    const noiseRng = rng.fork('noise');
    let clipped = 0;
    for (let i = 0; i < size; i++) {
      const noisy = targets[i] + noise * noiseRng.nextGaussian();
      const bounded = Math.min(1, Math.max(-1, noisy));
      if (bounded !== noisy) clipped++;
      targets[i] = bounded;
    }
    cleaning.push(
      `added Gaussian noise with standard deviation ${formatValue(noise)} to the targets and ` +
        `clipped ${clipped} of ${size} to [-1, 1]`,
    );
  }

  return {
    name: `synthetic-${target}-d${dimension}-n${size}`,
    size,
    dimension,
    inputs,
    targets,
    source:
      `synthetic: ${size} points uniform on the unit sphere in dimension ${dimension}, ` +
      `target ${target}, seed ${seed}, noise ${formatValue(noise)}`,
    cleaning,
  };
}

/** Returns whether `name` is a synthetic target function name. */
export function isSyntheticTarget(name: string): name is SyntheticTarget {
  return (SYNTHETIC_TARGETS as readonly string[]).includes(name);
}

function validateOptions(
  size: number,
  dimension: number,
  target: string,
  seed: number,
  noise: number,
  parallelTolerance: number,
): void {
  requireInteger('size', size, 1, MAX_SYNTHETIC_SIZE, 'the number of points');
  requireInteger('dimension', dimension, 2, MAX_SYNTHETIC_DIMENSION, 'the input dimension (d = 1 has only two unit vectors)');
  if (!isSyntheticTarget(target)) {
    throw new InvalidInputError(
      'target',
      target,
      `unknown synthetic target ${formatValue(target)}; valid targets are ${SYNTHETIC_TARGETS.join(', ')}`,
    );
  }
  requireInteger('seed', seed, 0, 2 ** 32 - 1, 'the random seed');
  if (!(Number.isFinite(noise) && noise >= 0)) {
    throw new InvalidInputError('noise', noise, `must be a finite number >= 0 (a standard deviation), got ${formatValue(noise)}`);
  }
  if (!(parallelTolerance >= 0 && parallelTolerance < 1)) {
    throw new InvalidInputError(
      'parallelTolerance',
      parallelTolerance,
      `must be a number in [0, 1), got ${formatValue(parallelTolerance)}; the default is ${PARALLEL_TOLERANCE}`,
    );
  }
  const entries = size * dimension;
  if (entries > MAX_SYNTHETIC_ENTRIES) {
    const mebibytes = (entries * 8) / 2 ** 20;
    throw new ResourceLimitError(
      `createSyntheticDataset: size * dimension = ${entries} values (${mebibytes.toFixed(0)} MiB) exceeds ` +
        `the limit of ${MAX_SYNTHETIC_ENTRIES} values (512 MiB); lower size or dimension`,
      mebibytes,
      (MAX_SYNTHETIC_ENTRIES * 8) / 2 ** 20,
      'MiB',
    );
  }
}

function requireInteger(option: string, value: number, min: number, max: number, meaning: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(
      option,
      value,
      `${meaning} must be an integer in [${min}, ${max}], got ${formatValue(value)}`,
    );
  }
}

function drawSpherePoints(
  rng: Rng,
  size: number,
  dimension: number,
  parallelTolerance: number,
  cleaning: string[],
): Float64Array {
  const inputs = new Float64Array(size * dimension);
  for (let row = 0; row < size; row++) drawUnitVector(rng, inputs, row, dimension);

  let redrawn = 0;
  for (let round = 0; ; round++) {
    const { partner, firstRedundant } = findParallelRows(inputs, size, dimension, parallelTolerance);
    if (firstRedundant === -1) break;
    if (round === MAX_REDRAW_ROUNDS) {
      throw new InvalidInputError(
        'size',
        size,
        `could not draw ${size} pairwise non-parallel points in dimension ${dimension} within ` +
          `${MAX_REDRAW_ROUNDS} rounds (|cos| >= 1 - ${parallelTolerance} still occurs); lower size, ` +
          'raise dimension, or lower parallelTolerance',
      );
    }
    for (let row = firstRedundant; row < size; row++) {
      if (partner[row] === -1) continue;
      drawUnitVector(rng, inputs, row, dimension);
      redrawn++;
    }
  }
  if (redrawn > 0) {
    cleaning.push(
      `redrew ${redrawn} points that were parallel or anti-parallel to an earlier point ` +
        `(|cos| >= 1 - ${parallelTolerance})`,
    );
  }
  return inputs;
}

/** Writes a uniform point of S^{d-1} into row `row`: a Gaussian vector divided by its norm. */
function drawUnitVector(rng: Rng, inputs: Float64Array, row: number, dimension: number): void {
  const offset = row * dimension;
  let normSquared = 0;
  // A Gaussian vector is zero with probability 0; the loop only guards the normalization.
  while (normSquared === 0) {
    normSquared = 0;
    for (let k = 0; k < dimension; k++) {
      const value = rng.nextGaussian();
      inputs[offset + k] = value;
      normSquared += value * value;
    }
  }
  const norm = Math.sqrt(normSquared);
  for (let k = 0; k < dimension; k++) inputs[offset + k] = inputs[offset + k] / norm;
}

function computeTargets(
  target: SyntheticTarget,
  inputs: Float64Array,
  size: number,
  dimension: number,
  rng: Rng,
  cleaning: string[],
): Float64Array {
  const targets = new Float64Array(size);
  switch (target) {
    case 'linear': {
      const direction = drawDirection(rng, dimension);
      for (let i = 0; i < size; i++) targets[i] = clampUnit(project(inputs, i, dimension, direction));
      break;
    }
    case 'sine': {
      const direction = drawDirection(rng, dimension);
      for (let i = 0; i < size; i++) targets[i] = Math.sin(Math.PI * project(inputs, i, dimension, direction));
      break;
    }
    case 'teacher':
      computeTeacherTargets(inputs, size, dimension, rng, targets, cleaning);
      break;
    case 'xor':
      for (let i = 0; i < size; i++) {
        const product = inputs[i * dimension] * inputs[i * dimension + 1];
        targets[i] = product >= 0 ? 1 : -1;
      }
      break;
    case 'random':
      for (let i = 0; i < size; i++) targets[i] = 2 * rng.nextFloat() - 1;
      break;
  }
  return targets;
}

function computeTeacherTargets(
  inputs: Float64Array,
  size: number,
  dimension: number,
  rng: Rng,
  targets: Float64Array,
  cleaning: string[],
): void {
  const hiddenWeights = Array.from({ length: TEACHER_WIDTH }, () =>
    Float64Array.from({ length: dimension }, () => rng.nextGaussian()),
  );
  const outputWeights = Array.from({ length: TEACHER_WIDTH }, () => rng.nextSign());
  let maxAbs = 0;
  for (let i = 0; i < size; i++) {
    let output = 0;
    for (let r = 0; r < TEACHER_WIDTH; r++) {
      output += outputWeights[r] * Math.max(0, project(inputs, i, dimension, hiddenWeights[r]));
    }
    targets[i] = output;
    maxAbs = Math.max(maxAbs, Math.abs(output));
  }
  if (maxAbs === 0) {
    cleaning.push('the teacher network output is 0 on every point, so the targets are all 0');
    return;
  }
  // Dividing by the maximum keeps every |y| <= 1 exactly, with equality at the maximum.
  for (let i = 0; i < size; i++) targets[i] = targets[i] / maxAbs;
  cleaning.push(`scaled the teacher network outputs by 1 / ${formatValue(maxAbs)} so that max |y| = 1`);
}

function drawDirection(rng: Rng, dimension: number): Float64Array {
  const direction = new Float64Array(dimension);
  drawUnitVector(rng, direction, 0, dimension);
  return direction;
}

function project(inputs: Float64Array, row: number, dimension: number, direction: Float64Array): number {
  let dot = 0;
  for (let k = 0; k < dimension; k++) dot += inputs[row * dimension + k] * direction[k];
  return dot;
}

/** Clamps to [-1, 1]: v . x of two unit vectors can exceed 1 in magnitude by rounding. */
function clampUnit(value: number): number {
  return Math.min(1, Math.max(-1, value));
}
