/**
 * Everything about a check run that does not depend on the width or the seed: the train and
 * test split, the infinite-width kernels with their spectra, the step size, and the kernel
 * regression operators used by the generalization-difference decomposition.
 */
import type { Dataset } from '../data/dataset.js';
import { InvalidInputError } from '../errors.js';
import type { KernelMatrix } from '../kernel/empirical.js';
import { EXACT_SIGN_KERNEL_MAX_DIMENSION, exactSignKernelLimit, fullPrecisionKernelLimit, monteCarloSignKernelLimit } from '../kernel/limits.js';
import { pseudoInverseMatrix } from '../kernel/regression.js';
import { kernelSpectrum, type KernelSpectrum } from '../kernel/spectrum.js';
import { fixedSignScale, parseWeightQuantizer, type WeightQuantizer } from '../model/quantizer.js';
import { oneBitInputs } from '../model/network.js';
import { createRng } from '../util/rng.js';
import type { CheckOptions } from './options.js';

/** Inputs and targets of one part of the data. */
export interface DataPart {
  readonly inputs: Float64Array;
  readonly rows: number;
  readonly targets: Float64Array;
}

/** Run-level state shared by every grid cell. */
export interface RunContext {
  readonly options: CheckOptions;
  readonly dataset: Dataset;
  readonly train: DataPart;
  readonly test: DataPart;
  readonly quantizer: WeightQuantizer;
  /** Step size actually used (resolved from `options.eta` or 1 / lambda_max(Hstar)). */
  readonly learningRate: number;
  /** Hstar and Sstar on the training inputs. */
  readonly limitKernelFp: KernelMatrix;
  readonly limitKernelOneBit: KernelMatrix;
  readonly limitSpectrumFp: KernelSpectrum;
  readonly limitSpectrumOneBit: KernelSpectrum;
  /** Method that computed Sstar, with the Monte Carlo half-width when sampled. */
  readonly signLimitMethod: { method: 'exact' } | { method: 'monte-carlo'; samples: number; probabilityHalfWidth: number; confidence: number };
  /** hstar(x)^T Hstar^+ for each held-out x (n_test x n). */
  readonly regressionFp: Float64Array;
  /** sstar(x)^T Sstar^+ for each held-out x (n_test x n). */
  readonly regressionOneBit: Float64Array;
  /** Numerical ranks of Hstar and Sstar. */
  readonly limitRanks: { readonly fp: number; readonly oneBit: number };
  /** Run-level symbol values (see `symbols.ts`). */
  readonly runSymbols: Readonly<Record<string, number>>;
}

/** A run context without its quantizer object, so that it can be posted to a worker thread. */
export type PostableRunContext = Omit<RunContext, 'quantizer'>;

/** Returns the postable part of a run context (the arrays are shared, not copied). */
export function toPostableRunContext(context: RunContext): PostableRunContext {
  const { quantizer: _quantizer, ...rest } = context;
  return rest;
}

/** Rebuilds a run context posted by another thread, with the quantizer its options name. */
export function fromPostableRunContext(posted: PostableRunContext): RunContext {
  return { ...posted, quantizer: parseWeightQuantizer(posted.options.quantizer) };
}

/** Splits the data, computes the limit kernels and resolves the step size. */
export function prepareRun(dataset: Dataset, options: CheckOptions): RunContext {
  const { train, test } = splitData(dataset, options.testFraction, options.dataSeed);
  const quantizer = parseWeightQuantizer(options.quantizer);
  const dimension = dataset.dimension;

  // Limits on train and test inputs together, so the cross blocks come from the same matrices.
  const allInputs = new Float64Array([...train.inputs, ...test.inputs]);
  const allRows = train.rows + test.rows;
  const oneBitAllInputs = oneBitInputs(allInputs, allRows, dimension, { activationBits: options.activationBits });
  const limitAllFp = fullPrecisionKernelLimit(allInputs, allRows, dimension, options.kappa);
  const { kernel: limitAllOneBit, method: signLimitMethod } = signKernelLimit(oneBitAllInputs, allRows, dimension, options);

  const limitKernelFp = block(limitAllFp, 0, train.rows, 0, train.rows);
  const limitKernelOneBit = block(limitAllOneBit, 0, train.rows, 0, train.rows);
  const limitSpectrumFp = kernelSpectrum(limitKernelFp);
  const limitSpectrumOneBit = kernelSpectrum(limitKernelOneBit);
  if (limitSpectrumFp.nearSingular) {
    throw new InvalidInputError(
      'dataset',
      dataset.name,
      `the infinite-width kernel Hstar is near-singular (lambda_min ${limitSpectrumFp.lambdaMin.toExponential(3)}, ` +
        `lambda_max ${limitSpectrumFp.lambdaMax.toExponential(3)}, condition number ${conditionText(limitSpectrumFp)}); ` +
        `some inputs are nearly parallel. Remove near-duplicate rows or use fewer examples.`,
    );
  }

  const learningRate = options.eta ?? 1 / limitSpectrumFp.lambdaMax;
  const pseudoInverseFp = pseudoInverseMatrix(limitKernelFp);
  const pseudoInverseOneBit = pseudoInverseMatrix(limitKernelOneBit);
  const regressionFp = multiplyBlock(block(limitAllFp, train.rows, allRows, 0, train.rows), pseudoInverseFp.matrix, test.rows, train.rows);
  const regressionOneBit = multiplyBlock(block(limitAllOneBit, train.rows, allRows, 0, train.rows), pseudoInverseOneBit.matrix, test.rows, train.rows);

  const effectiveFactor = (2 * fixedSignScale(options.sigma)) / (options.sigma * Math.sqrt(2 * Math.PI));
  const mismatch = kernelMismatchGap(regressionFp, regressionOneBit, train.targets, test.rows, train.rows);
  const runSymbols: Record<string, number> = {
    n: train.rows,
    n_test: test.rows,
    d: dimension,
    kappa: options.kappa,
    sigma: options.sigma,
    eta: learningRate,
    T: options.steps,
    centring: options.quantizer === 'sign-centred' ? 1 : 0,
    lambda_H: limitSpectrumFp.lambdaMin,
    lambda_max_H: limitSpectrumFp.lambdaMax,
    lambda_S: Math.max(limitSpectrumOneBit.lambdaMin, 0),
    c_eff: effectiveFactor,
    lambda_eff_1bit: effectiveFactor * Math.max(limitSpectrumOneBit.lambdaMin, 0),
    gap_mismatch_mean: mismatch.mean,
    gap_mismatch_max: mismatch.max,
  };

  return {
    options,
    dataset,
    train,
    test,
    quantizer,
    learningRate,
    limitKernelFp,
    limitKernelOneBit,
    limitSpectrumFp,
    limitSpectrumOneBit,
    signLimitMethod,
    regressionFp,
    regressionOneBit,
    limitRanks: { fp: pseudoInverseFp.rank, oneBit: pseudoInverseOneBit.rank },
    runSymbols,
  };
}

/**
 * Returns the run context of the same data and options at another output scale `kappa`,
 * derived from `base` without new kernels or eigen-decompositions. Hstar and Sstar are kappa^2 times their
 * kappa = 1 forms, so the limit kernels and their eigenvalues scale by
 * r = (kappa / base kappa)^2 and the default step size 1 / lambda_max(Hstar) by 1 / r. The
 * regression operators hstar(x)^T Hstar^+ and sstar(x)^T Sstar^+, the numerical ranks, the
 * condition numbers and the kernel-mismatch gap do not depend on kappa. The result differs
 * from `prepareRun` at `kappa` only by rounding. Cost: O(n^2).
 */
export function rescaleRunContext(base: RunContext, kappa: number): RunContext {
  if (!(Number.isFinite(kappa) && kappa > 0)) {
    throw new InvalidInputError('kappa', kappa, `must be a positive finite number, got ${kappa}; use e.g. 0.5`);
  }
  const ratio = (kappa / base.options.kappa) ** 2;
  const options: CheckOptions = { ...base.options, kappa };
  const scaleKernel = (kernel: KernelMatrix): KernelMatrix => ({ size: kernel.size, values: kernel.values.map((value) => value * ratio) });
  const scaleSpectrum = (spectrum: KernelSpectrum): KernelSpectrum => ({
    ...spectrum,
    lambdaMin: spectrum.lambdaMin * ratio,
    lambdaMax: spectrum.lambdaMax * ratio,
  });
  const limitSpectrumFp = scaleSpectrum(base.limitSpectrumFp);
  const limitSpectrumOneBit = scaleSpectrum(base.limitSpectrumOneBit);
  const learningRate = options.eta ?? 1 / limitSpectrumFp.lambdaMax;
  const lambdaOneBit = Math.max(limitSpectrumOneBit.lambdaMin, 0);
  return {
    ...base,
    options,
    learningRate,
    limitKernelFp: scaleKernel(base.limitKernelFp),
    limitKernelOneBit: scaleKernel(base.limitKernelOneBit),
    limitSpectrumFp,
    limitSpectrumOneBit,
    runSymbols: {
      ...base.runSymbols,
      kappa,
      eta: learningRate,
      lambda_H: limitSpectrumFp.lambdaMin,
      lambda_max_H: limitSpectrumFp.lambdaMax,
      lambda_S: lambdaOneBit,
      lambda_eff_1bit: base.runSymbols.c_eff * lambdaOneBit,
    },
  };
}

/** Formats lambda_max / lambda_min, which is infinite when lambda_min is 0 or negative in floating point. */
function conditionText(spectrum: KernelSpectrum): string {
  return spectrum.lambdaMin > 0 ? (spectrum.lambdaMax / spectrum.lambdaMin).toExponential(3) : 'infinite (lambda_min <= 0)';
}

/**
 * Splits the data into training and held-out parts by a seeded shuffle; the held-out part
 * has round(testFraction * n) rows, at least 1, and the training part at least 2.
 */
export function splitData(dataset: Dataset, testFraction: number, seed: number): { train: DataPart; test: DataPart } {
  const total = dataset.size;
  const testRows = Math.max(1, Math.round(testFraction * total));
  if (total < 3) {
    throw new InvalidInputError('dataset', dataset.name, `has ${total} examples; at least 3 are needed (2 to train, 1 held out)`);
  }
  if (total - testRows < 2) {
    throw new InvalidInputError(
      '--test-fraction',
      testFraction,
      `holds out ${testRows} of the ${total} examples of ${dataset.name}, leaving ${total - testRows} to train; at least 2 are needed, so lower --test-fraction`,
    );
  }

  const order = Array.from({ length: total }, (_, i) => i);
  const rng = createRng(seed).fork('train-test-split');
  for (let i = total - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const testIndices = order.slice(0, testRows).sort((a, b) => a - b);
  const trainIndices = order.slice(testRows).sort((a, b) => a - b);
  return { train: selectRows(dataset, trainIndices), test: selectRows(dataset, testIndices) };
}

function selectRows(dataset: Dataset, indices: number[]): DataPart {
  const dimension = dataset.dimension;
  const inputs = new Float64Array(indices.length * dimension);
  const targets = new Float64Array(indices.length);
  indices.forEach((source, row) => {
    inputs.set(dataset.inputs.subarray(source * dimension, (source + 1) * dimension), row * dimension);
    targets[row] = dataset.targets[source];
  });
  return { inputs, rows: indices.length, targets };
}

function signKernelLimit(
  inputs: Float64Array,
  rows: number,
  dimension: number,
  options: CheckOptions,
): { kernel: KernelMatrix; method: RunContext['signLimitMethod'] } {
  const useExact = options.signLimit === 'exact' || (options.signLimit === 'auto' && dimension <= AUTO_EXACT_MAX_DIMENSION);
  if (useExact) {
    return { kernel: exactSignKernelLimit(inputs, rows, dimension, options.kappa), method: { method: 'exact' } };
  }
  const estimate = monteCarloSignKernelLimit(
    inputs,
    rows,
    dimension,
    options.kappa,
    options.signLimitSamples,
    createRng(options.dataSeed).fork('sign-kernel-limit'),
    options.confidence,
  );
  return {
    kernel: estimate,
    method: { method: 'monte-carlo', samples: estimate.samples, probabilityHalfWidth: estimate.probabilityHalfWidth, confidence: estimate.confidence },
  };
}

/**
 * Largest dimension at which `--sstar auto` enumerates the hypercube exactly; above it the
 * Monte Carlo estimate is used. 2^20 sign vectors take a few seconds for n of a few hundred.
 */
export const AUTO_EXACT_MAX_DIMENSION = Math.min(20, EXACT_SIGN_KERNEL_MAX_DIMENSION);

function block(kernel: KernelMatrix, rowStart: number, rowEnd: number, columnStart: number, columnEnd: number): KernelMatrix {
  const rows = rowEnd - rowStart;
  const columns = columnEnd - columnStart;
  const values = new Float64Array(rows * columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) values[i * columns + j] = kernel.values[(rowStart + i) * kernel.size + columnStart + j];
  }
  return { size: rows, values };
}

function multiplyBlock(left: KernelMatrix, right: Float64Array, rows: number, inner: number): Float64Array {
  const result = new Float64Array(rows * inner);
  for (let i = 0; i < rows; i++) {
    for (let k = 0; k < inner; k++) {
      const factor = left.values[i * inner + k];
      if (factor === 0) continue;
      for (let j = 0; j < inner; j++) result[i * inner + j] += factor * right[k * inner + j];
    }
  }
  return result;
}

/** Mean and max over held-out x of |(sstar(x)^T Sstar^+ - hstar(x)^T Hstar^+) y|. */
function kernelMismatchGap(regressionFp: Float64Array, regressionOneBit: Float64Array, targets: Float64Array, testRows: number, trainRows: number): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let t = 0; t < testRows; t++) {
    let value = 0;
    for (let i = 0; i < trainRows; i++) value += (regressionOneBit[t * trainRows + i] - regressionFp[t * trainRows + i]) * targets[i];
    sum += Math.abs(value);
    max = Math.max(max, Math.abs(value));
  }
  return { mean: sum / testRows, max };
}
