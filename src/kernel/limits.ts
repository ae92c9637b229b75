/**
 * Infinite-width limits of the two kernels.
 *
 * Gaussian hidden weights, unit inputs, theta_ij = arccos(x_i . x_j):
 *
 *     Hstar_ij = kappa^2 * (x_i . x_j) * (pi - theta_ij) / (2 pi)
 *
 * because P(w . x_i >= 0 and w . x_j >= 0) = (pi - theta_ij) / (2 pi) for w ~ N(0, I).
 *
 * Sign weights uniform on the hypercube {-1, +1}^d (the limit whenever latent coordinates
 * are i.i.d., symmetric and continuous):
 *
 *     Sstar_ij = kappa^2 * (x_i . x_j) * P_s(s . x_i >= 0 and s . x_j >= 0)
 *
 * The hypercube probability differs from the Gaussian one and depends on the tie rule,
 * because s . x = 0 has positive probability. Example: x = (1, 0), x' = (1, 1)/sqrt(2) give
 * 3/8 under Gaussian weights, 1/2 on the hypercube with 1[z >= 0], and 1/4 with 1[z > 0].
 * `exactSignKernelLimit` enumerates all 2^d sign vectors (pairs s, -s share one dot product);
 * `monteCarloSignKernelLimit` samples them and states a simultaneous confidence half-width.
 */
import { InvalidInputError, ResourceLimitError } from '../errors.js';
import { gram, multiplyABt } from '../linalg/dense.js';
import { packActivationPatterns, patternOverlap } from '../linalg/bitpack.js';
import { oneBitIndicatorThreshold } from '../model/network.js';
import type { Rng } from '../util/rng.js';
import type { KernelMatrix } from './empirical.js';

/** Largest input dimension for exact enumeration of the hypercube (2^24 sign vectors). */
export const EXACT_SIGN_KERNEL_MAX_DIMENSION = 24;

/**
 * Work limit for exact enumeration, in multiply-adds: 2^(d-1) * n * (d + n/16). At about
 * 1e9 simple operations a second in JavaScript, the limit keeps one enumeration under a
 * minute; larger cases should use Monte Carlo.
 */
export const EXACT_SIGN_KERNEL_MAX_WORK = 6e10;

/** Sign vectors processed per batch of the enumeration (each batch holds s and -s). */
const ENUMERATION_BATCH = 2048;

/** Tie convention of an indicator: `inclusive` is 1[z >= 0] (the project's), `strict` is 1[z > 0]. */
export type TieConvention = 'inclusive' | 'strict';

/** Computes Hstar for unit-norm inputs (n x d row-major). Cost: n^2 * d. */
export function fullPrecisionKernelLimit(inputs: Float64Array, rows: number, dimension: number, kappa: number): KernelMatrix {
  const inputGram = gram(inputs, rows, dimension);
  const values = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < rows; j++) {
      const dot = inputGram[i * rows + j];
      const cosine = dot / Math.sqrt(inputGram[i * rows + i] * inputGram[j * rows + j]);
      const angle = Math.acos(Math.min(1, Math.max(-1, cosine)));
      values[i * rows + j] = kappa * kappa * dot * ((Math.PI - angle) / (2 * Math.PI));
    }
  }
  return { size: rows, values };
}

/**
 * Computes Sstar exactly by enumerating the 2^d sign vectors, using s -> -s: the first
 * coordinate is fixed to +1 and each dot product z = s . x_i serves both s (active when
 * z >= 0) and -s (active when z <= 0). Under the `strict` convention the comparisons are
 * z > 0 and z < 0. Ties are decided with the rounding allowance of `oneBitIndicatorThreshold`. Cost: 2^(d-1) * n * (d + n/16); rejected above EXACT_SIGN_KERNEL_MAX_DIMENSION
 * or EXACT_SIGN_KERNEL_MAX_WORK.
 */
export function exactSignKernelLimit(
  inputs: Float64Array,
  rows: number,
  dimension: number,
  kappa: number,
  convention: TieConvention = 'inclusive',
): KernelMatrix {
  if (dimension > EXACT_SIGN_KERNEL_MAX_DIMENSION) {
    throw new InvalidInputError(
      'dimension',
      dimension,
      `exact enumeration of the sign-kernel limit needs 2^d sign vectors and is limited to d <= ${EXACT_SIGN_KERNEL_MAX_DIMENSION}; ` +
        `got d = ${dimension}. Use the Monte Carlo estimate (--sstar monte-carlo) instead.`,
    );
  }
  const work = 2 ** (dimension - 1) * rows * (dimension + rows / 16);
  if (work > EXACT_SIGN_KERNEL_MAX_WORK) {
    throw new ResourceLimitError(
      `exact sign-kernel limit at n = ${rows}, d = ${dimension} needs about ${work.toExponential(2)} operations ` +
        `(limit ${EXACT_SIGN_KERNEL_MAX_WORK.toExponential(0)}); use the Monte Carlo estimate (--sstar monte-carlo) or fewer inputs`,
      work,
      EXACT_SIGN_KERNEL_MAX_WORK,
      'operations',
    );
  }

  const halfCount = 2 ** (dimension - 1);
  const counts = new Float64Array(rows * rows);
  const thresholds = oneBitIndicatorThreshold(inputs, rows, dimension);
  for (let start = 0; start < halfCount; start += ENUMERATION_BATCH) {
    const batch = Math.min(ENUMERATION_BATCH, halfCount - start);
    const signs = new Float64Array(batch * dimension);
    for (let b = 0; b < batch; b++) writeSignVector(start + b, dimension, signs, b * dimension);
    accumulateBothSigns(counts, inputs, rows, dimension, signs, batch, thresholds, convention);
  }

  return scaleProbabilities(inputs, rows, dimension, counts, 2 ** dimension, kappa);
}

/** Monte Carlo estimate of Sstar with a simultaneous confidence statement. */
export interface MonteCarloKernel extends KernelMatrix {
  /** Number of sampled sign vectors. */
  readonly samples: number;
  /**
   * Half-width on every probability P(s . x_i >= 0, s . x_j >= 0), simultaneous over all
   * n(n+1)/2 entries at `confidence`, by Hoeffding's inequality and a union bound. An entry
   * of the kernel is within kappa^2 * |x_i . x_j| * halfWidth of the limit.
   */
  readonly probabilityHalfWidth: number;
  readonly confidence: number;
}

/**
 * Estimates Sstar from `samples` sign vectors drawn uniformly from the hypercube, each used
 * with its negation (antithetic pairs, which keeps the estimate exactly symmetric under
 * s -> -s). Half-width: sqrt(log(n(n+1) / (1 - confidence)) / (2 * pairs)), Hoeffding on the
 * per-pair average, which lies in [0, 1].
 */
export function monteCarloSignKernelLimit(
  inputs: Float64Array,
  rows: number,
  dimension: number,
  kappa: number,
  samples: number,
  rng: Rng,
  confidence = 0.95,
): MonteCarloKernel {
  if (!Number.isInteger(samples) || samples < 2) {
    throw new InvalidInputError('--sstar-samples', samples, `must be an integer of at least 2, got ${samples}`);
  }
  const pairs = Math.floor(samples / 2);
  const counts = new Float64Array(rows * rows);
  const thresholds = oneBitIndicatorThreshold(inputs, rows, dimension);
  for (let start = 0; start < pairs; start += ENUMERATION_BATCH) {
    const batch = Math.min(ENUMERATION_BATCH, pairs - start);
    const signs = new Float64Array(batch * dimension);
    for (let i = 0; i < signs.length; i++) signs[i] = rng.nextSign();
    accumulateBothSigns(counts, inputs, rows, dimension, signs, batch, thresholds, 'inclusive');
  }

  const kernel = scaleProbabilities(inputs, rows, dimension, counts, 2 * pairs, kappa);
  const probabilityHalfWidth = Math.sqrt(Math.log((rows * (rows + 1)) / (1 - confidence)) / (2 * pairs));
  return { ...kernel, samples: 2 * pairs, probabilityHalfWidth, confidence };
}

/**
 * Adds, for each of `batch` sign vectors s (rows of `signs`), the pattern overlaps of s and
 * of -s to `counts`.
 */
function accumulateBothSigns(
  counts: Float64Array,
  inputs: Float64Array,
  rows: number,
  dimension: number,
  signs: Float64Array,
  batch: number,
  thresholds: Float64Array,
  convention: TieConvention,
): void {
  const z = multiplyABt(inputs, rows, signs, batch, dimension);
  // Columns 0..batch-1 hold s . x_i, columns batch..2*batch-1 hold (-s) . x_i.
  const both = new Float64Array(rows * 2 * batch);
  for (let i = 0; i < rows; i++) {
    for (let b = 0; b < batch; b++) {
      both[i * 2 * batch + b] = z[i * batch + b];
      both[i * 2 * batch + batch + b] = -z[i * batch + b];
    }
  }

  // Inclusive: active when z >= -allowance, so ties count. Strict: active only when z exceeds
  // the allowance, so encode the decision as +1 / -1 and pack with no allowance.
  let overlaps: Int32Array;
  if (convention === 'inclusive') {
    overlaps = patternOverlap(packActivationPatterns(both, rows, 2 * batch, thresholds));
  } else {
    for (let i = 0; i < rows; i++) {
      for (let column = 0; column < 2 * batch; column++) {
        const index = i * 2 * batch + column;
        both[index] = both[index] > thresholds[i] ? 1 : -1;
      }
    }
    overlaps = patternOverlap(packActivationPatterns(both, rows, 2 * batch, 0));
  }
  for (let i = 0; i < counts.length; i++) counts[i] += overlaps[i];
}

function scaleProbabilities(
  inputs: Float64Array,
  rows: number,
  dimension: number,
  counts: Float64Array,
  total: number,
  kappa: number,
): KernelMatrix {
  const inputGram = gram(inputs, rows, dimension);
  const values = new Float64Array(rows * rows);
  for (let i = 0; i < values.length; i++) values[i] = (kappa * kappa * inputGram[i] * counts[i]) / total;
  return { size: rows, values };
}

/** Writes the sign vector with index `index` in [0, 2^(d-1)): first coordinate +1, the others from the bits. */
function writeSignVector(index: number, dimension: number, target: Float64Array, offset: number): void {
  target[offset] = 1;
  for (let k = 1; k < dimension; k++) target[offset + k] = Math.floor(index / 2 ** (k - 1)) % 2 === 0 ? 1 : -1;
}
