/**
 * Memory estimates made before large allocations, so an oversized request is rejected with
 * the estimate and the option that reduces it instead of crashing the process.
 */
import os from 'node:os';
import { ResourceLimitError } from '../errors.js';
import type { CheckOptions } from './options.js';

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

/** Rejects a run whose largest cell would exceed the memory limit (or half the machine's memory). */
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

/** Formats a byte count as MiB or GiB. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}
