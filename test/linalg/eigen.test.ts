import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/errors.js';
import { packActivationPatterns, patternOverlap } from '../../src/linalg/bitpack.js';
import { gram, multiplyABt } from '../../src/linalg/dense.js';
import { DEFAULT_LANCZOS_TOLERANCE, lambdaMinIterative, symmetricEigenvalues } from '../../src/linalg/eigen.js';
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
