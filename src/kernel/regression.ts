/**
 * Kernel predictions: the linearized training trajectory and the infinite-time predictor.
 *
 * Linearized gradient descent with kernel K on the training set:
 *
 *     u_lin(t + 1) = u_lin(t) - eta * K * (u_lin(t) - y),   u_lin(0) = u(0)
 *
 * Infinite-time predictor at a test input x with kernel row k(x) against the training inputs:
 *
 *     f_inf(x) = f_0(x) + k(x)^T K^+ (y - u_0)
 *
 * K^+ is the pseudo-inverse: gradient flow with a singular kernel only moves the outputs
 * inside the range of K, which is what K^+ gives. Eigenvalues below PSEUDO_INVERSE_CUTOFF
 * times lambda_max are treated as zero, and the rank is reported.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { KernelMatrix } from './empirical.js';

/**
 * Relative eigenvalue cutoff of the pseudo-inverse. Kernel entries carry rounding errors of
 * about 1e-16 relative, amplified by n in the eigenvalues, so directions below 1e-10 relative
 * are numerically indistinguishable from the null space for n up to 1e5.
 */
export const PSEUDO_INVERSE_CUTOFF = 1e-10;

/** Returns u_lin(t) for t = 0..steps (steps + 1 vectors). Cost: steps * n^2. */
export function linearizedTrajectory(
  kernel: KernelMatrix,
  initialOutputs: Float64Array,
  targets: Float64Array,
  learningRate: number,
  steps: number,
): Float64Array[] {
  const n = kernel.size;
  const trajectory: Float64Array[] = [Float64Array.from(initialOutputs)];
  let current = Float64Array.from(initialOutputs);
  const residual = new Float64Array(n);
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < n; i++) residual[i] = current[i] - targets[i];

    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += kernel.values[i * n + j] * residual[j];
      next[i] = current[i] - learningRate * sum;
    }
    trajectory.push(next);
    current = next;
  }
  return trajectory;
}

/** Pseudo-inverse solve K^+ r, with the numerical rank of K. */
export interface PseudoInverseSolution {
  readonly solution: Float64Array;
  readonly rank: number;
  readonly lambdaMax: number;
}

/** Solves K alpha = r in the least-squares, minimum-norm sense: alpha = K^+ r. */
export function pseudoInverseSolve(kernel: KernelMatrix, rightHandSide: Float64Array): PseudoInverseSolution {
  const n = kernel.size;
  const { matrix, rank, lambdaMax } = pseudoInverseMatrix(kernel);
  const solution = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[i * n + j] * rightHandSide[j];
    solution[i] = sum;
  }
  return { solution, rank, lambdaMax };
}

/**
 * Returns K^+ (n x n row-major) from a symmetric eigen-decomposition of 0.5 (K + K^T),
 * dropping eigenvalues of magnitude at most PSEUDO_INVERSE_CUTOFF * max |eigenvalue|.
 * Cost: one n x n eigen-decomposition plus n^3 for the product.
 */
export function pseudoInverseMatrix(kernel: KernelMatrix): { matrix: Float64Array; rank: number; lambdaMax: number } {
  const n = kernel.size;
  const symmetric = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) symmetric.set(i, j, 0.5 * (kernel.values[i * n + j] + kernel.values[j * n + i]));
  }
  const decomposition = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
  const eigenvalues = decomposition.realEigenvalues;
  const vectors = decomposition.eigenvectorMatrix.to2DArray();
  const lambdaMax = eigenvalues.reduce((largest, value) => Math.max(largest, Math.abs(value)), 0);
  const cutoff = PSEUDO_INVERSE_CUTOFF * lambdaMax;

  const matrix = new Float64Array(n * n);
  let rank = 0;
  for (let e = 0; e < n; e++) {
    if (Math.abs(eigenvalues[e]) <= cutoff) continue;
    rank++;
    const inverse = 1 / eigenvalues[e];
    for (let i = 0; i < n; i++) {
      const left = vectors[i][e] * inverse;
      if (left === 0) continue;
      for (let j = 0; j < n; j++) matrix[i * n + j] += left * vectors[j][e];
    }
  }
  return { matrix, rank, lambdaMax };
}

/**
 * Returns f_inf(x) = f_0(x) + k(x)^T K^+ (y - u_0) at each test input, where `crossKernel`
 * is the (test x train) kernel block, row-major.
 */
export function infiniteTimePrediction(
  kernelTrainTrain: KernelMatrix,
  crossKernel: Float64Array,
  initialTrainOutputs: Float64Array,
  initialTestOutputs: Float64Array,
  targets: Float64Array,
): { predictions: Float64Array; rank: number } {
  const n = kernelTrainTrain.size;
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) residual[i] = targets[i] - initialTrainOutputs[i];
  const { solution, rank } = pseudoInverseSolve(kernelTrainTrain, residual);

  const testCount = initialTestOutputs.length;
  const predictions = new Float64Array(testCount);
  for (let t = 0; t < testCount; t++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += crossKernel[t * n + i] * solution[i];
    predictions[t] = initialTestOutputs[t] + sum;
  }
  return { predictions, rank };
}
