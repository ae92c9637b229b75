/**
 * Resource estimates made before work starts: memory, so an oversized request is rejected
 * with the estimate and the option that reduces it instead of crashing the process, and
 * time, so a long run is announced before it starts.
 */
import os from 'node:os';
import { ResourceLimitError } from '../errors.js';
import type { CheckOptions } from './options.js';
import type { RunContext } from './run-context.js';
import type { WorkItem } from './work.js';

/**
 * Estimates the peak bytes of one training cell: pre-activations of both nets (n x m each,
 * plus the gradient's copy), weights and their checkpoint copies (m x d each), packed
 * patterns, and about a dozen n x n kernels. The estimate is meant to be within a factor of
 * two of the real peak; it ignores the JavaScript heap's own overhead.
 */
export function estimateCellBytes(rows: number, width: number, dimension: number, checkpoints: number): number {
  const preactivations = 3 * rows * width * 8;
  const weights = (4 + 2 * (checkpoints + 1)) * width * dimension * 8;
  const kernels = 12 * rows * rows * 8;
  const patterns = (rows * width) / 8;
  return preactivations + weights + kernels + patterns;
}

/**
 * Rejects a run whose largest cell would exceed the memory limit (or half the machine's
 * memory). `rows` is the number of examples, training and held out. The n x n term also
 * covers the limit kernels of the run, so call this before they are computed.
 */
export function guardCellMemory(rows: number, width: number, dimension: number, options: CheckOptions): void {
  const estimate = estimateCellBytes(rows, width, dimension, options.checkpoints);
  const limit = Math.min(options.memoryLimitBytes, os.totalmem() / 2);
  if (estimate > limit) {
    throw new ResourceLimitError(
      `a grid cell at width ${width} with n = ${rows}, d = ${dimension} needs about ${formatBytes(estimate)}, ` +
        `over the limit of ${formatBytes(limit)}; lower the largest value of --widths, use --data-size to take fewer examples, ` +
        `or raise --memory-limit`,
      estimate,
      limit,
      'bytes',
    );
  }
}

/** Formats a byte count as GiB, MiB or KiB. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A run estimated to take longer than this, in wall-clock seconds, gets a warning on stderr. */
export const LONG_RUN_WARNING_SECONDS = 3600;

/**
 * Seconds of single-core time per unit of each cost term of a work item and of the run
 * context. They were fitted by least squares to the times of 24 cells and 6 run contexts
 * on iris, cars, penguins and synthetic sets. The cells spanned n from 48 to 480, d from 4
 * to 64, m from 64 to 4096 and T from 10 to 200. The machine was a 2-core x86-64 virtual machine, lightly
 * shared with other jobs (load average about 2), running the WebAssembly kernels. Cells of
 * more than 10 ms were predicted within a factor of 1.3, smaller ones within a factor of 5.
 * Other machines and later versions differ in speed, so the result is an estimate, good for
 * orders of magnitude.
 */
export const TIME_COEFFICIENTS = Object.freeze({
  /** Per step, example, neuron and input dimension of training (both nets). */
  trainingMultiplyAdd: 8.3e-10,
  /** Per step, example and neuron of training (activations, quantization, updates). */
  trainingNeuron: 6.1e-10,
  /** Per pair of examples and neuron of an empirical kernel (bit-packed overlaps). */
  kernelOverlap: 9.6e-11,
  /** Per n^3 of a full symmetric eigenvalue decomposition (n <= 400). */
  fullEigen: 1.2e-9,
  /** Per n^2 of an iterative extreme-eigenvalue solve (n > 400). */
  iterativeEigen: 2e-7,
  /** Per n^3 of a pseudo-inverse (eigenvectors included) of a limit kernel. */
  pseudoInverse: 1.1e-8,
  /** Per unit of 2^(d-1) n (d + n / 16) of the exact sign-kernel limit, or of samples * n (d + n / 16) by Monte Carlo. */
  signLimit: 1e-9,
});

/** Kernel sizes above which extreme eigenvalues are found iteratively (as in `kernel/spectrum.ts`). */
const FULL_EIGEN_MAX_SIZE = 400;

/**
 * Estimates the single-core seconds of one work item with `rows` training examples of
 * dimension `dimension`:
 *   initialization: 2 kernels (n^2 m overlaps, n m d pre-activations) and 4 eigen-solves;
 *   training adds T steps of both nets (n m d multiply-adds and n m activations per step),
 *   2 (c + 1) checkpoint kernels and 2 c + 2 more eigen-solves.
 * See TIME_COEFFICIENTS for the accuracy.
 */
export function estimateItemSeconds(item: WorkItem, rows: number, dimension: number, options: CheckOptions): number {
  const width = item.width;
  const training = item.level === 'training';
  const kernels = 2 + (training ? 2 * (options.checkpoints + 1) : 0);
  const eigenSolves = 4 + (training ? 2 * options.checkpoints + 2 : 0);
  const eigen = rows <= FULL_EIGEN_MAX_SIZE ? TIME_COEFFICIENTS.fullEigen * rows ** 3 : TIME_COEFFICIENTS.iterativeEigen * rows ** 2;
  let seconds = kernels * TIME_COEFFICIENTS.kernelOverlap * rows * rows * width + eigenSolves * eigen;
  if (training) {
    seconds += options.steps * rows * width * (TIME_COEFFICIENTS.trainingMultiplyAdd * dimension + TIME_COEFFICIENTS.trainingNeuron);
  }
  return seconds;
}

/**
 * Estimates the single-core seconds of a check: the run context once per option variant
 * (limit kernels, pseudo-inverses) plus every item in `items`. Cost: O(items).
 */
export function estimateRunSeconds(items: readonly WorkItem[], context: RunContext, options: CheckOptions): number {
  const dimension = context.dataset.dimension;
  const total = context.train.rows + context.test.rows;
  const variants = new Set(items.map((item) => `${item.kappa}/${item.subsetSize}`));
  let seconds = estimateContextSeconds(total, context.train.rows, dimension, context.signLimitMethod.method === 'exact', options) * Math.max(1, variants.size);
  for (const item of items) seconds += estimateItemSeconds(item, trainingRows(item, context, options), dimension, options);
  return seconds;
}

/** Estimates the single-core seconds of the longest of `items` (0 for none). */
export function estimateLongestItemSeconds(items: readonly WorkItem[], context: RunContext, options: CheckOptions): number {
  return items.reduce((longest, item) => Math.max(longest, estimateItemSeconds(item, trainingRows(item, context, options), context.dataset.dimension, options)), 0);
}

/** Training examples of an item: the run's, or those of its data subset after the held-out split. */
function trainingRows(item: WorkItem, context: RunContext, options: CheckOptions): number {
  if (item.subsetSize === null) return context.train.rows;
  return Math.max(2, item.subsetSize - Math.max(1, Math.round(options.testFraction * item.subsetSize)));
}

/** Formats seconds as `45 s`, `12 min` or `3.4 h`. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function estimateContextSeconds(rows: number, trainRows: number, dimension: number, exact: boolean, options: CheckOptions): number {
  const vectors = exact ? 2 ** (dimension - 1) : options.signLimitSamples;
  const signLimit = TIME_COEFFICIENTS.signLimit * vectors * rows * (dimension + rows / 16);
  return signLimit + 2 * TIME_COEFFICIENTS.pseudoInverse * trainRows ** 3;
}
