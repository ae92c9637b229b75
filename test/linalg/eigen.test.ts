import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';

import { loadDataset } from '../../src/data/index.js';
import { InvalidInputError, NumericalError } from '../../src/errors.js';
import { fullPrecisionKernel, signKernel } from '../../src/kernel/empirical.js';
import { packActivationPatterns, patternOverlap } from '../../src/linalg/bitpack.js';
import { gram, multiplyABt } from '../../src/linalg/dense.js';
import { DEFAULT_LANCZOS_TOLERANCE, lambdaMinIterative, symmetricEigenvalues } from '../../src/linalg/eigen.js';
import { wasmKernelsAvailable } from '../../src/linalg/wasmKernels.js';
import { initializeNetwork, oneBitInputs } from '../../src/model/network.js';
import { parseWeightQuantizer } from '../../src/model/quantizer.js';
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

/** The implementations to test: TypeScript always, WebAssembly where the runtime has it. */
const IMPLEMENTATIONS = wasmKernelsAvailable() ? (['typescript', 'wasm'] as const) : (['typescript'] as const);

/** Returns x * 2^exponent, in two steps so that exponents beyond the float64 range of 2^exponent work. */
function timesPowerOfTwo(x: number, exponent: number): number {
  const half = Math.trunc(exponent / 2);
  return x * 2 ** half * 2 ** (exponent - half);
}

/**
 * Returns ml-matrix's eigenvalues of input at any scale. ml-matrix 6.15.1 throws a TypeError
 * on entries near 1e300 and loses accuracy near 1e-300, so the matrix is first scaled exactly
 * by a power of two to a largest entry near 1, and the eigenvalues are scaled back.
 */
function referenceEigenvaluesAnyScale(matrix: Float64Array, n: number): Float64Array {
  const largest = matrix.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
  if (largest === 0) return referenceEigenvalues(matrix, n);
  const exponent = Math.floor(Math.log2(largest));
  const scaled = matrix.map((value) => timesPowerOfTwo(value, -exponent));
  return referenceEigenvalues(scaled, n).map((value) => timesPowerOfTwo(value, exponent));
}

/** Checks every eigenvalue against the reference within SOLVER_AGREEMENT_UNITS n 2^-53 max |lambda|. */
function expectSolverAgreement(eigenvalues: Float64Array, expected: Float64Array): void {
  const n = expected.length;
  expect(eigenvalues.length).toBe(n);
  const scale = Math.max(Math.abs(expected[0]!), Math.abs(expected[n - 1]!));
  const tolerance = SOLVER_AGREEMENT_UNITS * n * 2 ** -53 * scale;
  for (let i = 0; i < n; i++) expect(Math.abs(eigenvalues[i]! - expected[i]!), `eigenvalue ${i} of ${n}`).toBeLessThanOrEqual(tolerance);
}

/** Builds the empirical kernel H or S at initialization on iris, as `bitbound kernel --width --seed` does. */
function irisKernel(kind: 'H' | 'S', width: number, seed: number): { values: Float64Array; size: number; dimension: number } {
  const { size, dimension, inputs } = loadDataset('iris');
  const params = initializeNetwork({ width, dimension, kappa: 1, sigma: 1 }, createRng(seed).fork(`init-width-${width}`));
  if (kind === 'H') return { ...fullPrecisionKernel(inputs, size, params.hiddenWeights, width, dimension, 1), dimension };
  const levels = parseWeightQuantizer('sign').quantize(params.hiddenWeights, width, dimension, 1).levels;
  const signInputs = oneBitInputs(inputs, size, dimension, { activationBits: null });
  return { ...signKernel(signInputs, size, levels, width, dimension, 1), dimension };
}

describe('symmetricEigenvalues on low-rank iris kernels', () => {
  // The reduction of these low-rank kernels leaves columns of size 1e-155 and below, where an
  // unscaled Householder vector has ||v||^2 underflow and tau = 2 / ||v||^2 overflow to Infinity.
  for (const [kind, width, seed] of [
    ['H', 1, 5],
    ['S', 1, 10],
    ['H', 2, 11],
    ['S', 2, 17],
    ['H', 3, 13],
    ['S', 3, 8],
  ] as const) {
    it(`agrees with ml-matrix on ${kind} (width ${width}, seed ${seed})`, () => {
      const kernel = irisKernel(kind, width, seed);
      const expected = referenceEigenvalues(kernel.values, kernel.size);
      // H = G o O has rank at most rank(G) rank(O) <= d m: the case with many zero eigenvalues.
      const largest = expected[kernel.size - 1]!;
      const nonzero = expected.filter((value) => Math.abs(value) > 1e-10 * largest).length;
      expect(nonzero).toBeLessThanOrEqual(kernel.dimension * width);
      for (const implementation of IMPLEMENTATIONS) {
        expectSolverAgreement(symmetricEigenvalues(kernel.values, kernel.size, { implementation }), expected);
      }
    });
  }

  it('converges for widths 1 to 3, seeds 0 to 30', () => {
    for (const kind of ['H', 'S'] as const) {
      for (let width = 1; width <= 3; width++) {
        for (let seed = 0; seed <= 30; seed++) {
          const kernel = irisKernel(kind, width, seed);
          const eigenvalues = symmetricEigenvalues(kernel.values, kernel.size);
          // Every kernel is positive semidefinite with trace at least lambda_max.
          const trace = kernel.values.reduce((sum, value, index) => (index % (kernel.size + 1) === 0 ? sum + value : sum), 0);
          const roundingFloor = SOLVER_AGREEMENT_UNITS * kernel.size * 2 ** -53 * trace;
          expect(eigenvalues[0]!, `${kind} width ${width} seed ${seed}`).toBeGreaterThanOrEqual(-roundingFloor);
          expect(eigenvalues[kernel.size - 1]!, `${kind} width ${width} seed ${seed}`).toBeLessThanOrEqual(trace + roundingFloor);
          const sum = eigenvalues.reduce((total, value) => total + value, 0);
          expect(Math.abs(sum - trace), `${kind} width ${width} seed ${seed}`).toBeLessThanOrEqual(roundingFloor);
        }
      }
    }
  });
});

/** Returns Q diag(spectrum) Q^T for Q a product of three Householder reflectors with Gaussian vectors. */
function withSpectrum(spectrum: readonly number[], seed: number): Float64Array {
  const n = spectrum.length;
  const rng = createRng(seed);
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) matrix[i * n + i] = spectrum[i]!;
  for (let reflection = 0; reflection < 3; reflection++) {
    const v = Float64Array.from({ length: n }, () => rng.nextGaussian());
    const tau = 2 / v.reduce((sum, value) => sum + value * value, 0);
    // H A H = A - tau (v p^T + p v^T) + tau^2 (v . p) v v^T with p = A v.
    const p = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) p[i]! += matrix[i * n + j]! * v[j]!;
    }
    const vDotP = v.reduce((sum, value, i) => sum + value * p[i]!, 0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        matrix[i * n + j]! += -tau * (v[i]! * p[j]! + p[i]! * v[j]!) + tau * tau * vDotP * v[i]! * v[j]!;
      }
    }
  }
  return matrix;
}

/** Returns v v^T for a Gaussian v of length n. */
function rankOne(n: number, seed: number): { matrix: Float64Array; squaredNorm: number } {
  const rng = createRng(seed);
  const v = Float64Array.from({ length: n }, () => rng.nextGaussian());
  const matrix = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) matrix[i * n + j] = v[i]! * v[j]!;
  }
  return { matrix, squaredNorm: v.reduce((sum, value) => sum + value * value, 0) };
}

describe('symmetricEigenvalues on repeated and zero eigenvalues', () => {
  it('returns zeros for the zero matrix (n 119)', () => {
    const n = 119;
    const matrix = new Float64Array(n * n);
    for (const implementation of IMPLEMENTATIONS) {
      const eigenvalues = symmetricEigenvalues(matrix, n, { implementation });
      expect(Array.from(eigenvalues)).toEqual(Array.from(referenceEigenvalues(matrix, n)));
      expect(eigenvalues.every((value) => value === 0)).toBe(true);
    }
  });

  it('solves rank-one v v^T (n 119)', () => {
    const n = 119;
    const { matrix, squaredNorm } = rankOne(n, 11);
    const expected = referenceEigenvalues(matrix, n);
    const tolerance = SOLVER_AGREEMENT_UNITS * n * 2 ** -53 * squaredNorm;
    for (const implementation of IMPLEMENTATIONS) {
      const eigenvalues = symmetricEigenvalues(matrix, n, { implementation });
      expectSolverAgreement(eigenvalues, expected);
      for (let i = 0; i < n - 1; i++) expect(Math.abs(eigenvalues[i]!)).toBeLessThanOrEqual(tolerance);
      expect(Math.abs(eigenvalues[n - 1]! - squaredNorm)).toBeLessThanOrEqual(tolerance);
    }
  });

  it('resolves clusters of equal eigenvalues', () => {
    // Four eigenvalues, each 30 times, in a dense matrix that hides the structure.
    const spectrum = Array.from({ length: 120 }, (_, i) => [-2, 0, 1, 5][i % 4]!);
    const matrix = withSpectrum(spectrum, 12);
    const n = spectrum.length;
    const expected = referenceEigenvalues(matrix, n);
    const exact = Float64Array.from(spectrum).sort();
    for (const implementation of IMPLEMENTATIONS) {
      const eigenvalues = symmetricEigenvalues(matrix, n, { implementation });
      expectSolverAgreement(eigenvalues, expected);
      expectSolverAgreement(eigenvalues, exact);
    }
  });

  it('returns a diagonal with repeated entries, sorted', () => {
    const n = 60;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) matrix[i * n + i] = [0, 1, 1, 2, -3][i % 5]!;
    const diagonal = Array.from({ length: n }, (_, i) => matrix[i * n + i]!).sort((a, b) => a - b);
    for (const implementation of IMPLEMENTATIONS) {
      const eigenvalues = symmetricEigenvalues(matrix, n, { implementation });
      expect(Array.from(eigenvalues)).toEqual(diagonal);
      expect(Array.from(eigenvalues)).toEqual(Array.from(referenceEigenvalues(matrix, n)));
    }
  });

  it('solves a block-diagonal matrix of four equal blocks', () => {
    // Every eigenvalue of the 10 x 10 block appears four times.
    const block = randomSymmetric(13, 10);
    const n = 40;
    const matrix = new Float64Array(n * n);
    for (let b = 0; b < 4; b++) {
      for (let i = 0; i < 10; i++) {
        for (let j = 0; j < 10; j++) matrix[(10 * b + i) * n + 10 * b + j] = block[i * 10 + j]!;
      }
    }
    const blockEigenvalues = referenceEigenvalues(block, 10);
    const repeated = Float64Array.from({ length: n }, (_, i) => blockEigenvalues[Math.floor(i / 4)]!);
    for (const implementation of IMPLEMENTATIONS) {
      const eigenvalues = symmetricEigenvalues(matrix, n, { implementation });
      expectSolverAgreement(eigenvalues, referenceEigenvalues(matrix, n));
      expectSolverAgreement(eigenvalues, repeated);
    }
  });

  it('separates close pairs of W21+', () => {
    // The Wilkinson matrix: diagonal |10 - i| and unit off-diagonal. Its two largest
    // eigenvalues differ by about 7e-14.
    const n = 21;
    const matrix = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      matrix[i * n + i] = Math.abs(10 - i);
      if (i + 1 < n) {
        matrix[i * n + i + 1] = 1;
        matrix[(i + 1) * n + i] = 1;
      }
    }
    for (const implementation of IMPLEMENTATIONS) {
      expectSolverAgreement(symmetricEigenvalues(matrix, n, { implementation }), referenceEigenvalues(matrix, n));
    }
  });
});

describe('symmetricEigenvalues at extreme scales', () => {
  // 1e-310 is below the smallest normal float64, 2^-1022 (about 2.2e-308).
  for (const scale of [1e-300, 1e300, 1e-310]) {
    it(`matches ml-matrix at scale ${scale}`, () => {
      const cases = [
        { n: 119, matrix: rankOne(119, 14).matrix.map((value) => value * scale) },
        { n: 60, matrix: randomSymmetric(15, 60).map((value) => value * scale) },
      ];
      for (const { n, matrix } of cases) {
        const expected = referenceEigenvaluesAnyScale(matrix, n);
        for (const implementation of IMPLEMENTATIONS) {
          expectSolverAgreement(symmetricEigenvalues(matrix, n, { implementation }), expected);
        }
      }
    });
  }

  it('raises NumericalError on eigenvalue overflow', () => {
    // [[a, a], [a, a]] has the eigenvalue 2a = 2e308 > Number.MAX_VALUE (about 1.8e308).
    const matrix = new Float64Array(4).fill(1e308);
    expect(() => symmetricEigenvalues(matrix, 2)).toThrow(NumericalError);
    expect(() => symmetricEigenvalues(matrix, 2)).toThrow(/2 x 2 matrix .* beyond the float64 range; divide the matrix by a power of two/);
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

  it('agree bit for bit on a low-rank kernel', () => {
    // Its reduction scales Householder vectors by large powers of two (columns of 1e-155).
    const kernel = irisKernel('H', 1, 5);
    const wasm = symmetricEigenvalues(kernel.values, kernel.size, { implementation: 'wasm' });
    const typescript = symmetricEigenvalues(kernel.values, kernel.size, { implementation: 'typescript' });
    expect(Array.from(wasm)).toEqual(Array.from(typescript));
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
