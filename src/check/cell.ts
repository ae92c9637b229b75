/**
 * Measurement of one grid cell: one width m and one initialization seed.
 *
 * At the `initialization` level the cell draws both networks' shared initialization and
 * measures the empirical kernels H(0) and S(0) against their limits. At the `training` level
 * it also trains both networks from that initialization for T steps, compares each
 * trajectory with its linearization, tracks kernel drift at checkpoint steps, and measures
 * the generalization difference on the held-out inputs.
 *
 * A cell is a pure function of (run context, width, seed, level). Its result contains only
 * plain numbers, so it can be computed in a worker, checkpointed and merged.
 */
import { fullPrecisionKernel, signKernel, type KernelMatrix } from '../kernel/empirical.js';
import { linearizedTrajectory } from '../kernel/regression.js';
import { kernelSpectrum, maxEntryDistance, operatorNormDistance, scaleKernel } from '../kernel/spectrum.js';
import { forwardFullPrecision, forwardOneBit, initializeNetwork, oneBitInputs, type NetworkShape } from '../model/network.js';
import { trainFullPrecision, trainOneBit, type TrainingRecord } from '../model/train.js';
import { createRng } from '../util/rng.js';
import type { MeasurementLevel } from '../claims/claim.js';
import type { RunContext } from './run-context.js';

/** Number of points kept from each loss curve for reports and figures. */
export const CURVE_POINTS = 26;

/** What one cell measured. */
export interface CellMeasurement {
  readonly width: number;
  readonly seed: number;
  readonly level: MeasurementLevel;
  /** Cell-level symbols. */
  readonly values: Record<string, number>;
  /** Step-level symbols, one record per recorded step (empty at the initialization level). */
  readonly timeline: Record<string, number>[];
  /** Step at which a training run diverged, with the net, or null. */
  readonly divergence: { readonly net: 'full-precision' | '1-bit'; readonly step: number } | null;
  /** Loss curves at CURVE_POINTS steps (training level only): t, both nets and both linearizations. */
  readonly curves: { t: number[]; lossFp: number[]; lossOneBit: number[]; lossLinearFp: number[]; lossLinearOneBit: number[] } | null;
}

/** Measures one cell at the requested level. */
export function measureCell(context: RunContext, width: number, seed: number, level: MeasurementLevel): CellMeasurement {
  const { options, train, dataset } = context;
  const shape: NetworkShape = { width, dimension: dataset.dimension, kappa: options.kappa, sigma: options.sigma };
  const params = initializeNetwork(shape, createRng(seed).fork(`init-width-${width}`));
  const inputOptions = { activationBits: options.activationBits };
  const oneBitTrainInputs = oneBitInputs(train.inputs, train.rows, shape.dimension, inputOptions);

  const kernelFp0 = fullPrecisionKernel(train.inputs, train.rows, params.hiddenWeights, width, shape.dimension, options.kappa);
  const quantized0 = context.quantizer.quantize(params.hiddenWeights, width, shape.dimension, options.sigma);
  const kernelOneBit0 = signKernel(oneBitTrainInputs, train.rows, quantized0.levels, width, shape.dimension, options.kappa);
  // Both spectra serve twice: lambda_min here, lambda_max (= ||K(0)||_2) for the relative drift.
  const spectrumFp0 = kernelSpectrum(kernelFp0);
  const spectrumOneBit0 = kernelSpectrum(kernelOneBit0);
  const values: Record<string, number> = {
    m: width,
    N: width * (shape.dimension + 1),
    seed,
    lambda_min_H0: spectrumFp0.lambdaMin,
    lambda_min_S0: spectrumOneBit0.lambdaMin,
    dev_max_H0: maxEntryDistance(kernelFp0, context.limitKernelFp),
    dev_op_H0: operatorNormDistance(kernelFp0, context.limitKernelFp),
    dev_max_S0: maxEntryDistance(kernelOneBit0, context.limitKernelOneBit),
    dev_op_S0: operatorNormDistance(kernelOneBit0, context.limitKernelOneBit),
  };
  if (level === 'initialization') {
    return { width, seed, level, values, timeline: [], divergence: null, curves: null };
  }

  // Training level: both nets from the same initialization, same data, eta and T.
  const checkpoints = checkpointSteps(options.steps, options.checkpoints);
  const trainingOptions = { learningRate: context.learningRate, steps: options.steps, checkpoints };
  const recordFp = trainFullPrecision(shape, params, train, trainingOptions);
  const recordOneBit = trainOneBit(shape, params, context.quantizer, inputOptions, train, trainingOptions);
  const divergence =
    recordFp.divergedAtStep !== null
      ? { net: 'full-precision' as const, step: recordFp.divergedAtStep }
      : recordOneBit.divergedAtStep !== null
        ? { net: '1-bit' as const, step: recordOneBit.divergedAtStep }
        : null;

  const meanScale = quantized0.scales.reduce((sum, value) => sum + value, 0) / width;
  const effectiveFactor = (2 * meanScale) / (options.sigma * Math.sqrt(2 * Math.PI));
  const linearFp = linearizedTrajectory(kernelFp0, recordFp.outputs[0], train.targets, context.learningRate, options.steps);
  const linearOneBit = linearizedTrajectory(scaleKernel(kernelOneBit0, effectiveFactor), recordOneBit.outputs[0], train.targets, context.learningRate, options.steps);

  const timeline = buildTimeline(context, recordFp, recordOneBit, kernelFp0, kernelOneBit0, shape, oneBitTrainInputs);
  const drifts = kernelDrifts(timeline, spectrumFp0.lambdaMax, spectrumOneBit0.lambdaMax);
  const generalization = measureGap(context, shape, params, recordFp.finalWeights, recordOneBit.finalWeights);

  Object.assign(values, {
    traj_dev_fp: supDistance(recordFp.outputs, linearFp),
    traj_dev_1bit: supDistance(recordOneBit.outputs, linearOneBit),
    kernel_drift_fp: drifts.fp,
    kernel_drift_1bit: drifts.oneBit,
    loss_fp_final: last(recordFp.losses),
    loss_1bit_final: last(recordOneBit.losses),
    residual_sq_fp_0: 2 * recordFp.losses[0],
    residual_sq_1bit_0: 2 * recordOneBit.losses[0],
    diverged: divergence === null ? 0 : 1,
    ...generalization,
  });

  return {
    width,
    seed,
    level,
    values,
    timeline,
    divergence,
    curves: sampleCurves(recordFp, recordOneBit, linearFp, linearOneBit, train.targets, options.steps),
  };
}

/** Returns the checkpoint steps 0, T/c, 2T/c, ..., T (rounded, distinct). */
export function checkpointSteps(steps: number, count: number): number[] {
  const result = new Set<number>();
  for (let k = 0; k <= count; k++) result.add(Math.round((steps * k) / count));
  return [...result].sort((a, b) => a - b);
}

function buildTimeline(
  context: RunContext,
  recordFp: TrainingRecord,
  recordOneBit: TrainingRecord,
  kernelFp0: KernelMatrix,
  kernelOneBit0: KernelMatrix,
  shape: NetworkShape,
  oneBitTrainInputs: Float64Array,
): Record<string, number>[] {
  const { train, options } = context;
  const recorded = Math.min(recordFp.losses.length, recordOneBit.losses.length);
  const timeline: Record<string, number>[] = [];
  for (let t = 0; t < recorded; t++) {
    const entry: Record<string, number> = {
      t,
      residual_sq_fp: 2 * recordFp.losses[t],
      residual_sq_1bit: 2 * recordOneBit.losses[t],
      R_fp: recordFp.movementL2[t],
      Rinf_1bit: recordOneBit.movementLinf[t],
    };

    const weightsFp = recordFp.snapshots.get(t);
    const weightsOneBit = recordOneBit.snapshots.get(t);
    if (weightsFp && weightsOneBit) {
      const kernelFp = fullPrecisionKernel(train.inputs, train.rows, weightsFp, shape.width, shape.dimension, options.kappa);
      const levels = context.quantizer.quantize(weightsOneBit, shape.width, shape.dimension, options.sigma).levels;
      const kernelOneBit = signKernel(oneBitTrainInputs, train.rows, levels, shape.width, shape.dimension, options.kappa);
      entry.drift_op_H = t === 0 ? 0 : operatorNormDistance(kernelFp, kernelFp0);
      entry.drift_op_S = t === 0 ? 0 : operatorNormDistance(kernelOneBit, kernelOneBit0);
    }
    timeline.push(entry);
  }
  return timeline;
}

function kernelDrifts(timeline: Record<string, number>[], lambdaMaxFp0: number, lambdaMaxOneBit0: number): { fp: number; oneBit: number } {
  const normFp = Math.max(lambdaMaxFp0, Number.MIN_VALUE);
  const normOneBit = Math.max(lambdaMaxOneBit0, Number.MIN_VALUE);
  let fp = 0;
  let oneBit = 0;
  for (const entry of timeline) {
    if (entry.drift_op_H !== undefined) fp = Math.max(fp, entry.drift_op_H / normFp);
    if (entry.drift_op_S !== undefined) oneBit = Math.max(oneBit, entry.drift_op_S / normOneBit);
  }
  return { fp, oneBit };
}

/**
 * Generalization difference on the held-out inputs, at initialization and after training,
 * and the predicted infinite-width, infinite-time gap from this initialization:
 *   |[f1_0(x) - s(x)^T S^+ u1_0] - [f_0(x) - h(x)^T H^+ u_0] + (s(x)^T S^+ - h(x)^T H^+) y|
 * with the limit kernels in place of the finite ones.
 */
function measureGap(
  context: RunContext,
  shape: NetworkShape,
  params: ReturnType<typeof initializeNetwork>,
  finalFp: Float64Array,
  finalOneBit: Float64Array,
): Record<string, number> {
  const { test, train, options } = context;
  const inputOptions = { activationBits: options.activationBits };
  const initialTestFp = forwardFullPrecision(shape, params, test.inputs, test.rows);
  const initialTestOneBit = forwardOneBit(shape, params, context.quantizer, test.inputs, test.rows, inputOptions).outputs;
  const initialTrainFp = forwardFullPrecision(shape, params, train.inputs, train.rows);
  const initialTrainOneBit = forwardOneBit(shape, params, context.quantizer, train.inputs, train.rows, inputOptions).outputs;
  const trainedParamsFp = { outputSigns: params.outputSigns, hiddenWeights: finalFp };
  const trainedParamsOneBit = { outputSigns: params.outputSigns, hiddenWeights: finalOneBit };
  const finalTestFp = forwardFullPrecision(shape, trainedParamsFp, test.inputs, test.rows);
  const finalTestOneBit = forwardOneBit(shape, trainedParamsOneBit, context.quantizer, test.inputs, test.rows, inputOptions).outputs;

  let initSum = 0;
  let gapSum = 0;
  let gapMax = 0;
  let predictedSum = 0;
  let testLossFp = 0;
  let testLossOneBit = 0;
  for (let x = 0; x < test.rows; x++) {
    initSum += Math.abs(initialTestOneBit[x] - initialTestFp[x]);
    const gap = Math.abs(finalTestOneBit[x] - finalTestFp[x]);
    gapSum += gap;
    gapMax = Math.max(gapMax, gap);
    testLossFp += 0.5 * (finalTestFp[x] - test.targets[x]) ** 2;
    testLossOneBit += 0.5 * (finalTestOneBit[x] - test.targets[x]) ** 2;

    let predictedFp = initialTestFp[x];
    let predictedOneBit = initialTestOneBit[x];
    for (let i = 0; i < train.rows; i++) {
      predictedFp += context.regressionFp[x * train.rows + i] * (train.targets[i] - initialTrainFp[i]);
      predictedOneBit += context.regressionOneBit[x * train.rows + i] * (train.targets[i] - initialTrainOneBit[i]);
    }
    predictedSum += Math.abs(predictedOneBit - predictedFp);
  }

  return {
    gap_init_mean: initSum / test.rows,
    gap_mean: gapSum / test.rows,
    gap_max: gapMax,
    gap_inf_mean: predictedSum / test.rows,
    test_loss_fp: testLossFp / test.rows,
    test_loss_1bit: testLossOneBit / test.rows,
  };
}

function supDistance(actual: Float64Array[], linear: Float64Array[]): number {
  let largest = 0;
  const steps = Math.min(actual.length, linear.length);
  for (let t = 0; t < steps; t++) {
    let sum = 0;
    for (let i = 0; i < actual[t].length; i++) sum += (actual[t][i] - linear[t][i]) ** 2;
    largest = Math.max(largest, Math.sqrt(sum));
  }
  return largest;
}

function sampleCurves(
  recordFp: TrainingRecord,
  recordOneBit: TrainingRecord,
  linearFp: Float64Array[],
  linearOneBit: Float64Array[],
  targets: Float64Array,
  steps: number,
): NonNullable<CellMeasurement['curves']> {
  const recorded = Math.min(recordFp.losses.length, recordOneBit.losses.length);
  const sampleSteps = checkpointSteps(steps, CURVE_POINTS - 1).filter((t) => t < recorded);
  const halfSquared = (outputs: Float64Array): number => outputs.reduce((sum, value, i) => sum + 0.5 * (value - targets[i]) ** 2, 0);
  return {
    t: sampleSteps,
    lossFp: sampleSteps.map((t) => recordFp.losses[t]),
    lossOneBit: sampleSteps.map((t) => recordOneBit.losses[t]),
    lossLinearFp: sampleSteps.map((t) => halfSquared(linearFp[t])),
    lossLinearOneBit: sampleSteps.map((t) => halfSquared(linearOneBit[t])),
  };
}

function last(values: number[]): number {
  return values[values.length - 1];
}
