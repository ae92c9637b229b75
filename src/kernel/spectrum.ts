/**
 * Spectral summaries of kernel matrices: smallest eigenvalue, condition number, operator-norm
 * distances, and a near-singularity flag. Matrices are symmetrized, 0.5 * (K + K^T), before
 * any eigen-solve, because rounding makes computed kernels asymmetric in the last bits.
 */
import { lambdaMinIterative, symmetricEigenvalues } from '../linalg/eigen.js';
import type { KernelMatrix } from './empirical.js';

/**
 * A kernel counts as near-singular when lambda_min <= NEAR_SINGULAR_RELATIVE * lambda_max.
 * Eigenvalues of a matrix with entries of size one are computed to about n * 1e-16 absolute
 * error, so below 1e-10 relative the sign of lambda_min is not trustworthy for n up to 1e5.
 */
export const NEAR_SINGULAR_RELATIVE = 1e-10;

/** Above this size, lambda_min uses the iterative solver instead of a full decomposition. */
export const FULL_DECOMPOSITION_MAX_SIZE = 400;

/** Spectral summary of a symmetric kernel. */
export interface KernelSpectrum {
  readonly lambdaMin: number;
  readonly lambdaMax: number;
  /** lambda_max / lambda_min, or null when the kernel is near-singular. */
  readonly conditionNumber: number | null;
  readonly nearSingular: boolean;
}

/** Computes lambda_min, lambda_max and the condition number of a symmetric kernel. */
export function kernelSpectrum(kernel: KernelMatrix): KernelSpectrum {
  const { lambdaMin, lambdaMax } = extremeEigenvalues(kernel);
  const nearSingular = lambdaMin <= NEAR_SINGULAR_RELATIVE * Math.abs(lambdaMax);
  return { lambdaMin, lambdaMax, conditionNumber: nearSingular ? null : lambdaMax / lambdaMin, nearSingular };
}

/** Returns the smallest and largest eigenvalues of a symmetric kernel. */
export function extremeEigenvalues(kernel: KernelMatrix): { lambdaMin: number; lambdaMax: number } {
  if (kernel.size > FULL_DECOMPOSITION_MAX_SIZE) {
    const result = lambdaMinIterative(kernel.values, kernel.size);
    if (result.converged) return { lambdaMin: result.lambdaMin, lambdaMax: result.lambdaMax };
  }
  const eigenvalues = symmetricEigenvalues(kernel.values, kernel.size);
  return { lambdaMin: eigenvalues[0], lambdaMax: eigenvalues[eigenvalues.length - 1] };
}

/** Returns ||A - B||_2, the largest absolute eigenvalue of the symmetric difference. */
export function operatorNormDistance(a: KernelMatrix, b: KernelMatrix): number {
  const { lambdaMin, lambdaMax } = extremeEigenvalues(subtractKernels(a, b));
  return Math.max(Math.abs(lambdaMin), Math.abs(lambdaMax));
}

/** Returns max_ij |A_ij - B_ij|. */
export function maxEntryDistance(a: KernelMatrix, b: KernelMatrix): number {
  let largest = 0;
  for (let i = 0; i < a.values.length; i++) largest = Math.max(largest, Math.abs(a.values[i] - b.values[i]));
  return largest;
}

/** Returns A - B. */
export function subtractKernels(a: KernelMatrix, b: KernelMatrix): KernelMatrix {
  if (a.size !== b.size) throw new RangeError(`subtractKernels: sizes differ, ${a.size} and ${b.size}`);
  const values = new Float64Array(a.values.length);
  for (let i = 0; i < values.length; i++) values[i] = a.values[i] - b.values[i];
  return { size: a.size, values };
}

/** Returns c * K. */
export function scaleKernel(kernel: KernelMatrix, factor: number): KernelMatrix {
  return { size: kernel.size, values: kernel.values.map((value) => value * factor) };
}
