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
import { InvalidInputError } from '../errors.js';
import { activeInputSums, allocateReluForwardBuffers, type ReluForwardBuffers } from '../linalg/reluLayer.js';
import type { NetworkParameters, NetworkShape, OneBitInputs } from './network.js';
import { evaluateOutputs, oneBitIndicatorThreshold, oneBitInputs, squaredLoss } from './network.js';
import { allocateQuantizedWeights, type QuantizedWeights, type WeightQuantizer } from './quantizer.js';

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

/** Record of a training run. Arrays are indexed by step t = 0..T (shorter if it diverged). */
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

/**
 * One net's per-step computations on fixed training inputs, with buffers reused across
 * steps. `forward` and `descend` alternate: `descend` uses the activation bits of the last
 * `forward` call.
 */
export interface GradientStepper {
  /** Number of training inputs n. */
  readonly rows: number;
  /**
   * Evaluates u(W) on the training inputs and keeps the activation bits for `descend`.
   * Returns a new array. Cost: n m d multiply-adds (plus the quantizer's m d for the 1-bit net).
   */
  forward(weights: Float64Array): Float64Array;
  /**
   * Applies w_r <- w_r - eta g_r in place, with g_r = (kappa / sqrt(m)) a_r sum_i e_i
   * 1[active_ir] x_i, the residuals e = u - y and the activation bits of the last `forward`
   * call. Cost: about n m d / 2 additions plus m d for the update.
   */
  descend(weights: Float64Array, residuals: Float64Array, learningRate: number): void;
}

/**
 * Creates the stepper of the full-precision net: u_i = (kappa / sqrt(m)) sum_r a_r
 * relu(w_r . x_i), activation 1[w_r . x_i >= 0]. `inputs` is n x d row-major.
 */
export function createFullPrecisionStepper(shape: NetworkShape, outputSigns: Float64Array, inputs: Float64Array, rows: number): GradientStepper {
  return new ReluNetStepper(shape, outputSigns, inputs, rows, null, null);
}

/**
 * Creates the straight-through stepper of the 1-bit net. The forward pass uses q_r =
 * beta_r s_r from `quantizer` and the 1-bit net's inputs xq (x, or its absmax quantization
 * when `inputOptions` requests it). The gradient is the full-precision gradient at q with
 * activation 1[q_r . xq_i >= -t_i beta_r], where t_i from `oneBitIndicatorThreshold` counts
 * exact ties as active despite rounding. The quantizer's scale and centring are constants
 * for the gradient.
 */
export function createOneBitStepper(
  shape: NetworkShape,
  outputSigns: Float64Array,
  quantizer: WeightQuantizer,
  inputOptions: OneBitInputs,
  inputs: Float64Array,
  rows: number,
): GradientStepper {
  const quantizedInputs = oneBitInputs(inputs, rows, shape.dimension, inputOptions);
  const thresholds = oneBitIndicatorThreshold(quantizedInputs, rows, shape.dimension);
  return new ReluNetStepper(shape, outputSigns, quantizedInputs, rows, quantizer, thresholds.map((value) => -value));
}

/**
 * Performs one full-batch gradient-descent step: from the outputs u(W) of the last
 * `stepper.forward(weights)` call, computes the residuals u - y, updates `weights` in place
 * (see `GradientStepper.descend`), and returns u at the new weights. Both trainers run every
 * step through this function.
 */
export function gradientStep(
  stepper: GradientStepper,
  weights: Float64Array,
  outputs: Float64Array,
  targets: Float64Array,
  learningRate: number,
): Float64Array {
  const residuals = new Float64Array(stepper.rows);
  for (let i = 0; i < stepper.rows; i++) residuals[i] = outputs[i]! - targets[i]!;
  stepper.descend(weights, residuals, learningRate);
  return stepper.forward(weights);
}

/**
 * The stepper of both nets. Results equal, bit for bit, the unfused computation:
 * `outputsFromPreactivations` of `preactivations` for u, and `hiddenWeightGradient` for g
 * (see reluLayer.ts for why the sums agree).
 */
class ReluNetStepper implements GradientStepper {
  readonly rows: number;
  private readonly buffers: ReluForwardBuffers;
  private readonly gradientSums: Float64Array;
  /** Quantization buffers of the 1-bit net, reused by every forward pass. */
  private quantized: QuantizedWeights | null = null;
  private forwarded = false;

  constructor(
    private readonly shape: NetworkShape,
    private readonly outputSigns: Float64Array,
    /** The net's inputs, n x d: x, or xq for the 1-bit net. */
    private readonly inputs: Float64Array,
    rows: number,
    private readonly quantizer: WeightQuantizer | null,
    /** -t_i of the 1-bit tie rule, or null for 1[z >= 0]. */
    private readonly negatedTolerances: Float64Array | null,
  ) {
    this.rows = rows;
    this.buffers = allocateReluForwardBuffers(rows, shape.width);
    this.gradientSums = new Float64Array(shape.width * shape.dimension);
  }

  forward(weights: Float64Array): Float64Array {
    const { shape } = this;
    this.forwarded = false;
    if (this.quantizer === null) {
      const outputs = evaluateOutputs(this.inputs, this.rows, weights, shape, this.outputSigns, null, this.buffers);
      this.forwarded = true;
      return outputs;
    }
    this.quantized ??= allocateQuantizedWeights(shape.width, shape.dimension);
    const quantized = this.quantizer.quantize(weights, shape.width, shape.dimension, shape.sigma, this.quantized);
    const ties = { negatedTolerances: this.negatedTolerances!, neuronScales: quantized.scales };
    const outputs = evaluateOutputs(this.inputs, this.rows, quantized.values, shape, this.outputSigns, ties, this.buffers);
    this.forwarded = true;
    return outputs;
  }

  descend(weights: Float64Array, residuals: Float64Array, learningRate: number): void {
    if (!this.forwarded) {
      throw new InvalidInputError('GradientStepper.descend', 'no activation bits', 'call forward(weights) before descend; each step needs the bits of the current weights');
    }
    const { width, dimension, kappa } = this.shape;
    const sums = this.gradientSums;
    activeInputSums(this.buffers.patterns, residuals, this.inputs, dimension, sums);

    // The same operations, in the same order, as g = (scale * a_r) * sums, then w - eta * g.
    const scale = kappa / Math.sqrt(width);
    for (let r = 0; r < width; r++) {
      const factor = scale * this.outputSigns[r]!;
      const offset = r * dimension;
      for (let k = 0; k < dimension; k++) weights[offset + k]! -= learningRate * (factor * sums[offset + k]!);
    }
    this.forwarded = false;
  }
}

/** Trains the full-precision network by full-batch gradient descent from `params`. */
export function trainFullPrecision(shape: NetworkShape, params: NetworkParameters, data: TrainingData, options: TrainingOptions): TrainingRecord {
  const stepper = createFullPrecisionStepper(shape, params.outputSigns, data.inputs, data.rows);
  return runGradientDescent(shape, params, data, options, stepper);
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
  const stepper = createOneBitStepper(shape, params.outputSigns, quantizer, inputOptions, data.inputs, data.rows);
  return runGradientDescent(shape, params, data, options, stepper);
}

function runGradientDescent(
  shape: NetworkShape,
  params: NetworkParameters,
  data: TrainingData,
  options: TrainingOptions,
  stepper: GradientStepper,
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

  let outputs = stepper.forward(weights);
  for (let step = 0; step <= options.steps; step++) {
    const loss = squaredLoss(outputs, data.targets);
    const [movementL2, movementLinf] = movement(weights, initialWeights, shape.width, shape.dimension);
    record.outputs.push(outputs);
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

    outputs = gradientStep(stepper, weights, outputs, data.targets, options.learningRate);
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
