import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/errors.js';
import { packActivationPatterns, patternOverlap } from '../../src/linalg/bitpack.js';
import { gram, multiplyABt } from '../../src/linalg/dense.js';
import { DEFAULT_LANCZOS_TOLERANCE, lambdaMinIterative, symmetricEigenvalues } from '../../src/linalg/eigen.js';
import { wasmKernelsAvailable } from '../../src/linalg/wasmKernels.js';
import { createRng } from '../../src/util/rng.js';

/**
 * Agreement required between Lanczos and the full decomposition: the Lanczos stopping rule
 * bounds the error by DEFAULT_LANCZOS_TOLERANCE |lambda| plus a rounding floor of order
 * n 2^-53 lambda_max, and the full decomposition has an error of the same floor. 100 times
 * the tolerance relative to lambda_min plus 1e-12 lambda_max covers both.
 */
const RELATIVE_AGREEMENT = 100 * DEFAULT_LANCZOS_TOLERANCE;
const ABSOLUTE_AGREEMENT_OF_MAX = 1e-12;

/** Hand-case eigenvalues are exact up to a few units of rounding. */
const HAND_CASE_TOLERANCE = 1e-12;

/**
 * Agreement between two backward-stable eigensolvers, in units of n 2^-53 max |lambda|:
 * each is within a small multiple of that of the exact spectrum (Householder reduction plus
 * QR iteration), and the multiples measured on Gaussian matrices up to n = 300 stay below 4.
 */
const SOLVER_AGREEMENT_UNITS = 20;

/** Builds H = (kappa^2 / m) (X X^T) o O from Gaussian weights, with unit-norm Gaussian inputs. */
function patternKernel(seed: number, n: number, d: number, m: number): Float64Array {
  const rng = createRng(seed);
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let sumSquares = 0;
    for (let k = 0; k < d; k++) {
      const value = rng.nextGaussian();
      x[i * d + k] = value;
      sumSquares += value * value;
    }
    for (let k = 0; k < d; k++) x[i * d + k]! /= Math.sqrt(sumSquares);
  }
  const weights = Float64Array.from({ length: m * d }, () => rng.nextGaussian());
  const overlap = patternOverlap(packActivationPatterns(multiplyABt(x, n, weights, m, d), n, m));
  const inner = gram(x, n, d);
  return inner.map((value, index) => (value * overlap[index]!) / m);
}

describe('symmetricEigenvalues', () => {
  it('returns the eigenvalues 1 and 3 of [[2, 1], [1, 2]] ascending', () => {
    const eigenvalues = symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2);
    expect(eigenvalues[0]).toBeCloseTo(1, 12);
    expect(eigenvalues[1]).toBeCloseTo(3, 12);
  });

  it('symmetrizes before solving', () => {
    // 0.5 (K + K^T) = [[2, 1], [1, 2]] for K = [[2, 2], [0, 2]].
    const eigenvalues = symmetricEigenvalues(Float64Array.from([2, 2, 0, 2]), 2);
    expect(Math.abs(eigenvalues[0]! - 1)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE);
    expect(Math.abs(eigenvalues[1]! - 3)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE);
  });
});

/** Returns the eigenvalues of a symmetric matrix from ml-matrix (eigenvectors and all), ascending. */
function referenceEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const rows = Array.from({ length: n }, (_, i) => Array.from(matrix.subarray(i * n, (i + 1) * n)));
  return Float64Array.from(new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues).sort();
}

function randomSymmetric(seed: number, n: number): Float64Array {
  const rng = createRng(seed);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = rng.nextGaussian();
      matrix[i * n + j] = value;
      matrix[j * n + i] = value;
    }
  }
  return matrix;
}

describe('symmetricEigenvalues against ml-matrix', () => {
  for (const n of [1, 2, 3, 7, 40, 121]) {
    it(`agrees on a Gaussian matrix (n ${n})`, () => {
      const matrix = randomSymmetric(n, n);
      const expected = referenceEigenvalues(matrix, n);
      const eigenvalues = symmetricEigenvalues(matrix, n);
      const scale = Math.max(Math.abs(expected[0]!), Math.abs(expected[n - 1]!));
      for (let i = 0; i < n; i++) {
        expect(Math.abs(eigenvalues[i]! - expected[i]!)).toBeLessThanOrEqual(SOLVER_AGREEMENT_UNITS * n * 2 ** -53 * scale);
      }
    });
  }

  it('agrees on a singular pattern kernel', () => {
    const n = 90;
    // d = 2 inputs give a kernel of low numerical rank: many eigenvalues near 0.
    const kernel = patternKernel(7, n, 2, 64);
    const expected = referenceEigenvalues(kernel, n);
    const eigenvalues = symmetricEigenvalues(kernel, n);
    const scale = expected[n - 1]!;
    for (let i = 0; i < n; i++) {
      expect(Math.abs(eigenvalues[i]! - expected[i]!)).toBeLessThanOrEqual(SOLVER_AGREEMENT_UNITS * n * 2 ** -53 * scale);
    }
  });
});

describe.runIf(wasmKernelsAvailable())('symmetricEigenvalues kernels', () => {
  it('agree bit for bit between WebAssembly and TypeScript', () => {
    // Odd and even sizes exercise the paired and the single-entry paths of both kernels.
    for (const n of [1, 2, 3, 4, 5, 16, 33, 90]) {
      const matrix = randomSymmetric(100 + n, n);
      const wasm = symmetricEigenvalues(matrix, n, { implementation: 'wasm' });
      const typescript = symmetricEigenvalues(matrix, n, { implementation: 'typescript' });
      expect(Array.from(wasm)).toEqual(Array.from(typescript));
    }
  });
});

describe('symmetricEigenvalues closed forms', () => {
  it('returns the diagonal of a diagonal matrix, sorted', () => {
    const matrix = new Float64Array(9);
    matrix[0] = 3;
    matrix[4] = -1;
    matrix[8] = 2;
    expect(Array.from(symmetricEigenvalues(matrix, 3))).toEqual([-1, 2, 3]);
  });

  it('returns zeros for the zero matrix', () => {
    expect(Array.from(symmetricEigenvalues(new Float64Array(16), 4))).toEqual([0, 0, 0, 0]);
  });

  it('finds 0 (n - 1 times) and n for the all-ones matrix', () => {
    const n = 6;
    const eigenvalues = symmetricEigenvalues(new Float64Array(n * n).fill(1), n);
    for (let i = 0; i < n - 1; i++) expect(Math.abs(eigenvalues[i]!)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE * n);
    expect(Math.abs(eigenvalues[n - 1]! - n)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE * n);
  });

  it('solves the second-difference matrix', () => {
    // Eigenvalues 2 - 2 cos(k pi / (n + 1)), k = 1..n.
    const n = 30;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      matrix[i * n + i] = 2;
      if (i + 1 < n) {
        matrix[i * n + i + 1] = -1;
        matrix[(i + 1) * n + i] = -1;
      }
    }
    const eigenvalues = symmetricEigenvalues(matrix, n);
    for (let k = 1; k <= n; k++) {
      expect(Math.abs(eigenvalues[k - 1]! - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThanOrEqual(HAND_CASE_TOLERANCE);
    }
  });

  it('keeps huge and tiny scales exact by power-of-two scaling', () => {
    // [[2, 1], [1, 2]] times 2^600 and 2^-600: eigenvalues 2^600 (1, 3) and 2^-600 (1, 3).
    for (const scale of [2 ** 600, 2 ** -600]) {
      const eigenvalues = symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]).map((value) => value * scale), 2);
      expect(Math.abs(eigenvalues[0]! / scale - 1)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE);
      expect(Math.abs(eigenvalues[1]! / scale - 3)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE);
    }
  });
});

describe('lambdaMinIterative', () => {
  it('finds the extremes of a diagonal matrix', () => {
    const n = 50;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) matrix[i * n + i] = 1 + i * i;
    const result = lambdaMinIterative(matrix, n);
    expect(result.converged).toBe(true);
    expect(Math.abs(result.lambdaMin - 1)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE * 2500);
    expect(Math.abs(result.lambdaMax - 2402)).toBeLessThanOrEqual(HAND_CASE_TOLERANCE * 2500);
  });

  for (const [seed, n, d, m] of [
    [1, 160, 4, 512],
    [2, 240, 6, 2048],
    [3, 300, 16, 1000],
  ] as const) {
    it(`matches full decomposition (n ${n}, d ${d}, m ${m})`, () => {
      const kernel = patternKernel(seed, n, d, m);
      const eigenvalues = symmetricEigenvalues(kernel, n);
      const lambdaMin = eigenvalues[0]!;
      const lambdaMax = eigenvalues[n - 1]!;
      // Kernel-like: a clustered, badly conditioned bottom of the spectrum.
      expect(lambdaMin / lambdaMax).toBeLessThan(1e-2);

      const result = lambdaMinIterative(kernel, n);
      expect(result.converged).toBe(true);
      const allowed = RELATIVE_AGREEMENT * Math.abs(lambdaMin) + ABSOLUTE_AGREEMENT_OF_MAX * lambdaMax;
      expect(Math.abs(result.lambdaMin - lambdaMin)).toBeLessThanOrEqual(allowed);
      expect(Math.abs(result.lambdaMax - lambdaMax)).toBeLessThanOrEqual(RELATIVE_AGREEMENT * lambdaMax);
      expect(result.residual).toBeLessThanOrEqual(allowed);
    });
  }

  it('reports converged false when the step limit is too small', () => {
    const n = 200;
    const kernel = patternKernel(4, n, 8, 512);
    const result = lambdaMinIterative(kernel, n, { maxIterations: 5 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(5);
    // The smallest Ritz value bounds lambda_min from above.
    expect(result.lambdaMin).toBeGreaterThanOrEqual(symmetricEigenvalues(kernel, n)[0]!);
  });

  it('rejects a non-positive tolerance', () => {
    expect(() => lambdaMinIterative(Float64Array.from([1]), 1, { tolerance: 0 })).toThrow(InvalidInputError);
  });
});
