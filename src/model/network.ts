/**
 * The two-layer ReLU network and its 1-bit twin.
 *
 * Full precision, width m, inputs x in R^d:
 *
 *     f(x; W) = (kappa / sqrt(m)) * sum_r a_r * relu(w_r . x)
 *
 * 1-bit twin, with the same output signs a_r and the same latent weights w_r:
 *
 *     f1(x; W) = (kappa / sqrt(m)) * sum_r a_r * relu(q_r . xq),   q_r = beta_r * s_r
 *
 * where s_r are the quantizer's levels (sign(w_r - alpha) for the sign quantizer) and xq is
 * x or its absmax quantization. a_r is uniform on {-1, +1} and fixed; w_r(0) ~ N(0, sigma^2 I).
 *
 * Indicator convention: relu'(0) = 1, so every activation indicator is 1[z >= 0]. For the
 * 1-bit net, s . x = 0 happens with positive probability, and a sum that is zero in exact
 * arithmetic may round to a tiny negative number; `oneBitIndicatorThreshold` absorbs that
 * rounding so exact ties count as active.
 */
import type { Rng } from '../util/rng.js';
import type { WeightQuantizer, QuantizedWeights } from './quantizer.js';
import { quantizeActivationsAbsmax } from './quantizer.js';
import { multiplyABt, multiplyAtB } from '../linalg/dense.js';
import { allocateReluForwardBuffers, reluLayerForward, type TieAllowance } from '../linalg/reluLayer.js';

/**
 * Relative tolerance for deciding s . x >= 0 on the 1-bit net: a pre-activation counts as
 * non-negative when it is at least -TIE_RELATIVE_TOLERANCE * scale * sum_k |x_k|. The
 * rounding error of a d-term sum is at most about d * 2^-53 * sum_k |s_k x_k|, below 1e-12
 * relative for d up to about 9000, while a genuine non-tie on unit inputs is far larger.
 */
export const TIE_RELATIVE_TOLERANCE = 1e-12;

/** Shape and scale of a network. */
export interface NetworkShape {
  /** Width m (number of hidden neurons). */
  readonly width: number;
  /** Input dimension d. */
  readonly dimension: number;
  /** Output scale kappa. */
  readonly kappa: number;
  /** Standard deviation sigma of the initial hidden weights. */
  readonly sigma: number;
}

/** Parameters of a network: fixed output signs and hidden weights (latent for the 1-bit net). */
export interface NetworkParameters {
  /** a_r in {-1, +1}, length m. */
  readonly outputSigns: Float64Array;
  /** w_r, m x d row-major. */
  readonly hiddenWeights: Float64Array;
}

/**
 * Draws a_r uniform on {-1, +1} and w_r ~ N(0, sigma^2 I_d) from `rng`, in that order
 * (all a_r first, then the weights row by row), so a seed fixes the initialization.
 */
export function initializeNetwork(shape: NetworkShape, rng: Rng): NetworkParameters {
  const outputSigns = new Float64Array(shape.width);
  for (let r = 0; r < shape.width; r++) outputSigns[r] = rng.nextSign();

  const hiddenWeights = new Float64Array(shape.width * shape.dimension);
  for (let i = 0; i < hiddenWeights.length; i++) hiddenWeights[i] = shape.sigma * rng.nextGaussian();
  return { outputSigns, hiddenWeights };
}

/** Input treatment of the 1-bit net: unchanged, or absmax quantization to `activationBits` bits. */
export interface OneBitInputs {
  readonly activationBits: number | null;
}

/** Returns the inputs of the 1-bit net: x itself, or its absmax b-bit quantization. */
export function oneBitInputs(inputs: Float64Array, rows: number, dimension: number, options: OneBitInputs): Float64Array {
  if (options.activationBits === null) return inputs;
  return quantizeActivationsAbsmax(inputs, rows, dimension, options.activationBits);
}

/**
 * Computes the pre-activations z_ir = w_r . x_i as an n x m row-major matrix (input-major).
 * Cost: n * m * d multiply-adds.
 */
export function preactivations(inputs: Float64Array, rows: number, weights: Float64Array, width: number, dimension: number): Float64Array {
  return multiplyABt(inputs, rows, weights, width, dimension);
}

/**
 * Returns the indicator thresholds of the 1-bit net: for input i and neuron r, the
 * activation is on when z_ir >= -threshold[i] * beta_r, where threshold[i] =
 * TIE_RELATIVE_TOLERANCE * sum_k |xq_ik|.
 */
export function oneBitIndicatorThreshold(inputs: Float64Array, rows: number, dimension: number): Float64Array {
  const thresholds = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let k = 0; k < dimension; k++) sum += Math.abs(inputs[i * dimension + k]);
    thresholds[i] = TIE_RELATIVE_TOLERANCE * sum;
  }
  return thresholds;
}

/**
 * Evaluates u_i = (kappa / sqrt(m)) * sum_r a_r * relu(z_ir) from pre-activations z (n x m).
 * A tie z_ir = 0 contributes relu(0) = 0, so outputs need no tie rule.
 */
export function outputsFromPreactivations(z: Float64Array, rows: number, outputSigns: Float64Array, kappa: number): Float64Array {
  const width = outputSigns.length;
  const scale = kappa / Math.sqrt(width);
  const outputs = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const offset = i * width;
    let sum = 0;
    for (let r = 0; r < width; r++) sum += outputSigns[r] * Math.max(z[offset + r], 0);
    outputs[i] = scale * sum;
  }
  return outputs;
}

/**
 * Evaluates the full-precision network on n inputs (n x d row-major). The outputs equal
 * `outputsFromPreactivations` of `preactivations` bit for bit, without storing the n x m
 * pre-activations (see `reluLayerForward`). Cost: n m d multiply-adds.
 */
export function forwardFullPrecision(shape: NetworkShape, params: NetworkParameters, inputs: Float64Array, rows: number): Float64Array {
  return evaluateOutputs(inputs, rows, params.hiddenWeights, shape, params.outputSigns, null);
}

/**
 * Evaluates the 1-bit network on n inputs: quantize the latent weights, quantize the inputs
 * when asked, then apply the same two-layer formula with q_r in place of w_r. A tie
 * (q_r . xq = 0) contributes relu(0) = 0 either way, so the output needs no tie rule.
 */
export function forwardOneBit(
  shape: NetworkShape,
  params: NetworkParameters,
  quantizer: WeightQuantizer,
  inputs: Float64Array,
  rows: number,
  inputOptions: OneBitInputs,
): { outputs: Float64Array; quantized: QuantizedWeights; quantizedInputs: Float64Array } {
  const quantized = quantizer.quantize(params.hiddenWeights, shape.width, shape.dimension, shape.sigma);
  const quantizedInputs = oneBitInputs(inputs, rows, shape.dimension, inputOptions);
  const outputs = evaluateOutputs(quantizedInputs, rows, quantized.values, shape, params.outputSigns, null);
  return { outputs, quantized, quantizedInputs };
}

/**
 * Evaluates u_i = (kappa / sqrt(m)) * sum_r a_r * relu(w_r . x_i) on n inputs with the fused
 * forward kernel (`reluLayerForward`), equal to `outputsFromPreactivations` of
 * `preactivations` bit for bit. Leaves the neuron-major activation bits, 1[z_ir >= 0] or the
 * rule of `ties`, in `buffers` (reused when given, else allocated). Returns a new array.
 */
export function evaluateOutputs(
  inputs: Float64Array,
  rows: number,
  weights: Float64Array,
  shape: NetworkShape,
  outputSigns: Float64Array,
  ties: TieAllowance | null,
  buffers = allocateReluForwardBuffers(rows, shape.width),
): Float64Array {
  reluLayerForward(inputs, rows, weights, shape.width, shape.dimension, outputSigns, ties, buffers);
  const scale = shape.kappa / Math.sqrt(shape.width);
  const outputs = new Float64Array(rows);
  for (let i = 0; i < rows; i++) outputs[i] = scale * buffers.sums[i]!;
  return outputs;
}

/**
 * Computes the gradient of L = (1/2) sum_i (u_i - y_i)^2 with respect to the hidden weights:
 *
 *     g_r = (kappa / sqrt(m)) * a_r * sum_i e_i * 1[active_ir] * x_i,   e = u - y
 *
 * `z` holds the pre-activations (n x m). The indicator is 1[z_ir >= 0] for the
 * full-precision net (`tieAllowance` null); for the straight-through gradient of the 1-bit
 * net it is 1[z_ir >= -tieAllowance.rows[i] * tieAllowance.scales[r]], which counts exact
 * ties s_r . x_i = 0 as active despite rounding (see `oneBitIndicatorThreshold`).
 * Returns an m x d row-major array. Cost: n * m for the indicators plus n * m * d
 * multiply-adds for the product A^T X with A_ir = e_i * 1[active_ir]. `workspace`, when
 * given with n * m entries, holds A and is overwritten.
 *
 * This is the unfused reference. The trainers take the fused path (`GradientStepper` in
 * train.ts, over `activeInputSums`), which returns the same numbers bit for bit without the
 * n x m pre-activations and indicator matrices.
 */
export function hiddenWeightGradient(
  z: Float64Array,
  inputs: Float64Array,
  rows: number,
  residuals: Float64Array,
  outputSigns: Float64Array,
  dimension: number,
  kappa: number,
  tieAllowance: { readonly rows: Float64Array; readonly scales: Float64Array } | null = null,
  workspace?: Float64Array,
): Float64Array {
  const width = outputSigns.length;
  // Reusing one n x m buffer across steps avoids allocating megabytes per step.
  const weighted = workspace && workspace.length === rows * width ? workspace : new Float64Array(rows * width);
  const allowanceRows = tieAllowance === null ? null : tieAllowance.rows;
  const allowanceScales = tieAllowance === null ? null : tieAllowance.scales;
  for (let i = 0; i < rows; i++) {
    const residual = residuals[i];
    const offset = i * width;
    if (allowanceRows === null || allowanceScales === null) {
      // residual * +(test) compiles without a branch; a branch mispredicts on random signs.
      for (let r = 0; r < width; r++) weighted[offset + r] = residual * +(z[offset + r] >= 0);
    } else {
      const allowance = -allowanceRows[i];
      for (let r = 0; r < width; r++) weighted[offset + r] = residual * +(z[offset + r] >= allowance * allowanceScales[r]);
    }
  }

  // X^T A is d x m with rows contiguous in r, which keeps the inner loop branch-free and
  // sequential; the transpose back to m x d folds in the factor (kappa / sqrt(m)) a_r.
  const transposed = multiplyAtB(inputs, rows, dimension, weighted, width);
  const gradient = new Float64Array(width * dimension);
  const scale = kappa / Math.sqrt(width);
  for (let k = 0; k < dimension; k++) {
    for (let r = 0; r < width; r++) gradient[r * dimension + k] = scale * outputSigns[r] * transposed[k * width + r];
  }
  return gradient;
}

/** Returns the training loss (1/2) sum_i (u_i - y_i)^2. */
export function squaredLoss(outputs: Float64Array, targets: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < outputs.length; i++) {
    const residual = outputs[i] - targets[i];
    sum += residual * residual;
  }
  return 0.5 * sum;
}
