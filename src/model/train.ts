/**
 * Full-batch gradient descent for the full-precision network and straight-through training
 * of the 1-bit network's latent weights.
 *
 * Full precision:  w_r <- w_r - eta * g_r,
 *                  g_r = (kappa / sqrt(m)) * a_r * sum_i (u_i - y_i) * 1[w_r . x_i >= 0] * x_i.
 * 1-bit (STE):     the latent w_r takes the gradient with respect to the quantized weight q_r,
 *                  g_r = (kappa / sqrt(m)) * a_r * sum_i (u_i - y_i) * 1[s_r . xq_i >= 0] * xq_i,
 *                  with the quantizer's scale and centring treated as constants. The outputs
 *                  change only when a latent coordinate crosses the quantization threshold.
 *
 * Both trainers record the outputs u(t) on the training inputs at every step, the loss, how
 * far the weights moved from their start (max over neurons of the l2 and l-infinity norms),
 * and the weights at requested checkpoint steps, so that kernels can be computed later.
 */
import type { NetworkParameters, NetworkShape, OneBitInputs } from './network.js';
import {
  hiddenWeightGradient,
  oneBitIndicatorThreshold,
  oneBitInputs,
  outputsFromPreactivations,
  preactivations,
  squaredLoss,
} from './network.js';
import type { WeightQuantizer } from './quantizer.js';

/**
 * A run counts as diverged when its loss is not finite or exceeds this factor times
 * max(initial loss, 1). Gradient descent in the kernel regime never increases the loss by
 * more than a small factor, so a million-fold rise means the step size is beyond 2 / lambda_max.
 */
export const DIVERGENCE_LOSS_FACTOR = 1e6;

/** Training data in the layout the trainers use. */
export interface TrainingData {
  /** n x d row-major inputs. */
  readonly inputs: Float64Array;
  readonly rows: number;
  /** Targets y, length n. */
  readonly targets: Float64Array;
}

/** Options shared by both trainers. */
export interface TrainingOptions {
  /** Step size eta > 0. */
  readonly learningRate: number;
  /** Number of steps T. */
  readonly steps: number;
  /** Steps (0..T) at which to keep a copy of the hidden weights. */
  readonly checkpoints: readonly number[];
}

/** What a training run recorded. Arrays are indexed by step t = 0..T (shorter if it diverged). */
export interface TrainingRecord {
  /** u(t) on the training inputs. */
  readonly outputs: Float64Array[];
  /** L(t) = (1/2) ||u(t) - y||^2. */
  readonly losses: number[];
  /** max_r ||w_r(t) - w_r(0)||_2 of the (latent) hidden weights. */
  readonly movementL2: number[];
  /** max_r ||w_r(t) - w_r(0)||_inf of the (latent) hidden weights. */
  readonly movementLinf: number[];
  /** Hidden weights at each requested checkpoint step that was reached. */
  readonly snapshots: Map<number, Float64Array>;
  /** Step at which the loss diverged, or null. */
  readonly divergedAtStep: number | null;
  /** Hidden weights after the last step. */
  readonly finalWeights: Float64Array;
}

/** Trains the full-precision network by full-batch gradient descent from `params`. */
export function trainFullPrecision(shape: NetworkShape, params: NetworkParameters, data: TrainingData, options: TrainingOptions): TrainingRecord {
  const workspace = new Float64Array(data.rows * shape.width);
  return runGradientDescent(shape, params, data, options, (weights) => {
    const z = preactivations(data.inputs, data.rows, weights, shape.width, shape.dimension);
    const outputs = outputsFromPreactivations(z, data.rows, params.outputSigns, shape.kappa);
    const gradientAt = (residuals: Float64Array): Float64Array =>
      hiddenWeightGradient(z, data.inputs, data.rows, residuals, params.outputSigns, shape.dimension, shape.kappa, null, workspace);
    return { outputs, gradientAt };
  });
}

/** Trains the 1-bit network's latent weights with the straight-through estimator from `params`. */
export function trainOneBit(
  shape: NetworkShape,
  params: NetworkParameters,
  quantizer: WeightQuantizer,
  inputOptions: OneBitInputs,
  data: TrainingData,
  options: TrainingOptions,
): TrainingRecord {
  const quantizedInputs = oneBitInputs(data.inputs, data.rows, shape.dimension, inputOptions);
  const thresholds = oneBitIndicatorThreshold(quantizedInputs, data.rows, shape.dimension);
  const workspace = new Float64Array(data.rows * shape.width);

  return runGradientDescent(shape, params, data, options, (weights) => {
    const quantized = quantizer.quantize(weights, shape.width, shape.dimension, shape.sigma);
    const z = preactivations(quantizedInputs, data.rows, quantized.values, shape.width, shape.dimension);
    const outputs = outputsFromPreactivations(z, data.rows, params.outputSigns, shape.kappa);
    const tieAllowance = { rows: thresholds, scales: quantized.scales };
    const gradientAt = (residuals: Float64Array): Float64Array =>
      hiddenWeightGradient(z, quantizedInputs, data.rows, residuals, params.outputSigns, shape.dimension, shape.kappa, tieAllowance, workspace);
    return { outputs, gradientAt };
  });
}

interface StepEvaluation {
  readonly outputs: Float64Array;
  gradientAt(residuals: Float64Array): Float64Array;
}

function runGradientDescent(
  shape: NetworkShape,
  params: NetworkParameters,
  data: TrainingData,
  options: TrainingOptions,
  evaluate: (weights: Float64Array) => StepEvaluation,
): TrainingRecord {
  const initialWeights = params.hiddenWeights;
  const weights = Float64Array.from(initialWeights);
  const checkpointSet = new Set(options.checkpoints);
  const record = {
    outputs: [] as Float64Array[],
    losses: [] as number[],
    movementL2: [] as number[],
    movementLinf: [] as number[],
    snapshots: new Map<number, Float64Array>(),
    divergedAtStep: null as number | null,
  };

  for (let step = 0; step <= options.steps; step++) {
    const evaluation = evaluate(weights);
    const loss = squaredLoss(evaluation.outputs, data.targets);
    const [movementL2, movementLinf] = movement(weights, initialWeights, shape.width, shape.dimension);
    record.outputs.push(evaluation.outputs);
    record.losses.push(loss);
    record.movementL2.push(movementL2);
    record.movementLinf.push(movementLinf);
    if (checkpointSet.has(step)) record.snapshots.set(step, Float64Array.from(weights));

    // Stop at the first non-finite or exploding loss: later steps would only carry NaN.
    const lossCeiling = DIVERGENCE_LOSS_FACTOR * Math.max(record.losses[0], 1);
    if (!Number.isFinite(loss) || loss > lossCeiling) {
      record.divergedAtStep = step;
      break;
    }
    if (step === options.steps) break;

    const residuals = new Float64Array(data.rows);
    for (let i = 0; i < data.rows; i++) residuals[i] = evaluation.outputs[i] - data.targets[i];
    const gradient = evaluation.gradientAt(residuals);
    for (let j = 0; j < weights.length; j++) weights[j] -= options.learningRate * gradient[j];
  }

  return { ...record, finalWeights: weights };
}

function movement(weights: Float64Array, initial: Float64Array, width: number, dimension: number): [number, number] {
  let maxL2 = 0;
  let maxLinf = 0;
  for (let r = 0; r < width; r++) {
    let sumSquares = 0;
    for (let k = 0; k < dimension; k++) {
      const difference = Math.abs(weights[r * dimension + k] - initial[r * dimension + k]);
      sumSquares += difference * difference;
      if (difference > maxLinf) maxLinf = difference;
    }
    maxL2 = Math.max(maxL2, Math.sqrt(sumSquares));
  }
  return [maxL2, maxLinf];
}
