/**
 * Finite-width kernels of the two networks.
 *
 * Full-precision NTK (Gram matrix of output gradients with respect to the hidden weights):
 *
 *     H(W)_ij = (kappa^2 / m) * (x_i . x_j) * sum_r 1[w_r . x_i >= 0] * 1[w_r . x_j >= 0]
 *
 * Sign kernel of the 1-bit network (the straight-through gradient is taken with respect to
 * q_r = beta * s_r, so no beta^2 factor appears):
 *
 *     S(W)_ij = (kappa^2 / m) * (xq_i . xq_j) * sum_r 1[s_r . xq_i >= 0] * 1[s_r . xq_j >= 0]
 *
 * Both are the input Gram matrix times an integer matrix of activation-pattern overlaps,
 * computed by AND and popcount over bit-packed patterns. Indicators use 1[z >= 0]; for the
 * sign kernel, a pre-activation within the rounding allowance of `TIE_RELATIVE_TOLERANCE`
 * below zero counts as an exact tie, hence as active.
 */
import { gram } from '../linalg/dense.js';
import { packActivationPatterns, patternOverlap, type PackedBits } from '../linalg/bitpack.js';
import { preactivationPatternRowsWasm, wasmKernelsAvailable } from '../linalg/wasmKernels.js';
import { oneBitIndicatorThreshold, preactivations } from '../model/network.js';

/** A kernel matrix with its size: n x n row-major, symmetric. */
export interface KernelMatrix {
  readonly size: number;
  readonly values: Float64Array;
}

/**
 * Computes H(W) on n inputs (n x d row-major). Cost: n * m * d for the pre-activations plus
 * n^2 * m / 32 word operations for the overlaps.
 */
export function fullPrecisionKernel(
  inputs: Float64Array,
  rows: number,
  hiddenWeights: Float64Array,
  width: number,
  dimension: number,
  kappa: number,
): KernelMatrix {
  const overlaps = patternOverlap(activationPatterns(inputs, rows, hiddenWeights, width, dimension, new Float64Array(rows)));
  return combineWithGram(inputs, rows, dimension, overlaps, kappa, width);
}

/**
 * Computes S(W) on n inputs from the quantizer's integer levels s_r (m x d row-major).
 * `inputs` are the inputs the 1-bit net sees (quantized when activation quantization is on).
 */
export function signKernel(
  inputs: Float64Array,
  rows: number,
  levels: Int8Array,
  width: number,
  dimension: number,
  kappa: number,
): KernelMatrix {
  const levelValues = Float64Array.from(levels);
  const thresholds = oneBitIndicatorThreshold(inputs, rows, dimension);
  const overlaps = patternOverlap(activationPatterns(inputs, rows, levelValues, width, dimension, thresholds));
  return combineWithGram(inputs, rows, dimension, overlaps, kappa, width);
}

/**
 * Packs the patterns 1[w_r . x_i >= -tol_i] (n rows of m bits). The WebAssembly kernel
 * keeps only the bit of each pre-activation, so it never stores the n x m matrix. The
 * TypeScript path stores that matrix, then packs it. Both give the same bits.
 */
function activationPatterns(inputs: Float64Array, rows: number, weights: Float64Array, width: number, dimension: number, tolerances: Float64Array): PackedBits {
  if (wasmKernelsAvailable()) {
    const words = preactivationPatternRowsWasm(inputs, rows, weights, width, dimension, tolerances, 0, rows);
    return { rows, cols: width, wordsPerRow: Math.ceil(width / 32), words };
  }
  return packActivationPatterns(preactivations(inputs, rows, weights, width, dimension), rows, width, tolerances);
}

/** Returns (kappa^2 / m) * G o O, where G is the input Gram matrix and O the overlap counts. */
export function combineWithGram(
  inputs: Float64Array,
  rows: number,
  dimension: number,
  overlaps: Int32Array | Float64Array,
  kappa: number,
  width: number,
): KernelMatrix {
  const inputGram = gram(inputs, rows, dimension);
  const factor = (kappa * kappa) / width;
  const values = new Float64Array(rows * rows);
  for (let i = 0; i < values.length; i++) values[i] = factor * inputGram[i] * overlaps[i];
  return { size: rows, values };
}
