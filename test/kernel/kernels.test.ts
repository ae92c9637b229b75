import { describe, expect, it } from 'vitest';
import { fullPrecisionKernel, signKernel } from '../../src/kernel/empirical.js';
import {
  exactSignKernelLimit,
  fullPrecisionKernelLimit,
  monteCarloSignKernelLimit,
  EXACT_SIGN_KERNEL_MAX_DIMENSION,
} from '../../src/kernel/limits.js';
import { kernelSpectrum, maxEntryDistance, operatorNormDistance } from '../../src/kernel/spectrum.js';
import { infiniteTimePrediction, linearizedTrajectory, pseudoInverseSolve } from '../../src/kernel/regression.js';
import { createSignQuantizer } from '../../src/model/quantizer.js';
import { initializeNetwork } from '../../src/model/network.js';
import { createRng } from '../../src/util/rng.js';
import { InvalidInputError } from '../../src/errors.js';

/** Closed-form kernel entries are a few float64 operations: 1e-14 absolute covers their rounding. */
const CLOSED_FORM_TOLERANCE = 1e-14;
/**
 * Failure probability for the simulation-versus-limit tolerances: the Hoeffding bound with
 * this delta is exceeded by a random seed with probability at most 1e-6, so a fixed seed
 * that passes is not a lucky draw.
 */
const HOEFFDING_DELTA = 1e-6;

function hoeffdingTolerance(n: number, m: number, kappa = 1): number {
  return kappa * kappa * Math.sqrt(Math.log((n * (n + 1)) / HOEFFDING_DELTA) / (2 * m));
}

function unitRows(rows: number[][]): Float64Array {
  return Float64Array.from(rows.flatMap((row) => {
    const norm = Math.hypot(...row);
    return row.map((value) => value / norm);
  }));
}

function randomUnitInputs(n: number, d: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return unitRows(Array.from({ length: n }, () => Array.from({ length: d }, () => rng.nextGaussian())));
}

describe('fullPrecisionKernelLimit', () => {
  it('matches Hstar at chosen angles', () => {
    // x1 = (1, 0), x2 = (1, 1)/sqrt2 (angle pi/4), x3 = (0, 1) (angle pi/2 from x1), x4 = (-1, 0) (angle pi).
    const inputs = unitRows([[1, 0], [1, 1], [0, 1], [-1, 0]]);
    const kernel = fullPrecisionKernelLimit(inputs, 4, 2, 1);
    const at = (i: number, j: number): number => kernel.values[i * 4 + j];
    // Diagonal: 1 * (pi - 0) / (2 pi) = 1/2.
    expect(at(0, 0)).toBeCloseTo(0.5, 14);
    // pi/4: cos = 1/sqrt2, (pi - pi/4) / (2 pi) = 3/8.
    expect(Math.abs(at(0, 1) - (1 / Math.SQRT2) * (3 / 8))).toBeLessThan(CLOSED_FORM_TOLERANCE);
    // Orthogonal inputs: x . x' = 0.
    expect(Math.abs(at(0, 2))).toBeLessThan(CLOSED_FORM_TOLERANCE);
    // Opposite inputs: theta = pi, so (pi - pi) = 0.
    expect(Math.abs(at(0, 3))).toBeLessThan(CLOSED_FORM_TOLERANCE);
  });

  it('scales with kappa squared', () => {
    const inputs = randomUnitInputs(5, 3, 1);
    const base = fullPrecisionKernelLimit(inputs, 5, 3, 1);
    const scaled = fullPrecisionKernelLimit(inputs, 5, 3, 3);
    for (let i = 0; i < 25; i++) expect(scaled.values[i]).toBeCloseTo(9 * base.values[i], 12);
  });
});

describe('exactSignKernelLimit', () => {
  const inputs = unitRows([[1, 0], [1, 1]]);

  it('gives 1/2 for the hand case under 1[z >= 0]', () => {
    // Sign vectors (1,1), (1,-1), (-1,1), (-1,-1): x = (1,0) is active for the first two;
    // x' = (1,1)/sqrt2 has s.x' = sqrt2, 0, 0, -sqrt2, active for the first three (ties count).
    // Both active: (1,1) and (1,-1), so P = 2/4 = 1/2.
    const kernel = exactSignKernelLimit(inputs, 2, 2, 1, 'inclusive');
    expect(Math.abs(kernel.values[1] - (1 / Math.SQRT2) * 0.5)).toBeLessThan(CLOSED_FORM_TOLERANCE);
    expect(Math.abs(kernel.values[0] - 0.5)).toBeLessThan(CLOSED_FORM_TOLERANCE);
    expect(Math.abs(kernel.values[3] - 0.75)).toBeLessThan(CLOSED_FORM_TOLERANCE);
  });

  it('gives 1/4 for the hand case under 1[z > 0]', () => {
    // Strict: x' is active only for (1,1), so both active only there: P = 1/4.
    const kernel = exactSignKernelLimit(inputs, 2, 2, 1, 'strict');
    expect(Math.abs(kernel.values[1] - (1 / Math.SQRT2) * 0.25)).toBeLessThan(CLOSED_FORM_TOLERANCE);
    expect(Math.abs(kernel.values[3] - 0.25)).toBeLessThan(CLOSED_FORM_TOLERANCE);
  });

  it('differs from the Gaussian limit 3/8 on the hand case', () => {
    const gaussian = fullPrecisionKernelLimit(inputs, 2, 2, 1);
    const hypercube = exactSignKernelLimit(inputs, 2, 2, 1);
    expect(gaussian.values[1] / (1 / Math.SQRT2)).toBeCloseTo(3 / 8, 14);
    expect(hypercube.values[1] / (1 / Math.SQRT2)).toBeCloseTo(1 / 2, 14);
  });

  it('rejects dimensions above the enumeration limit', () => {
    const wide = randomUnitInputs(2, EXACT_SIGN_KERNEL_MAX_DIMENSION + 1, 4);
    expect(() => exactSignKernelLimit(wide, 2, EXACT_SIGN_KERNEL_MAX_DIMENSION + 1, 1)).toThrow(InvalidInputError);
    expect(() => exactSignKernelLimit(wide, 2, EXACT_SIGN_KERNEL_MAX_DIMENSION + 1, 1)).toThrow(/Monte Carlo/);
  });

  it('agrees with the Monte Carlo estimate within its half-width', () => {
    const n = 6;
    const d = 7;
    const x = randomUnitInputs(n, d, 8);
    const exact = exactSignKernelLimit(x, n, d, 1);
    const estimate = monteCarloSignKernelLimit(x, n, d, 1, 20000, createRng(2), 0.999);
    for (let i = 0; i < n * n; i++) {
      const gramEntry = Math.abs(exact.values[i]) > 0 ? 1 : 0;
      expect(Math.abs(estimate.values[i] - exact.values[i])).toBeLessThanOrEqual(estimate.probabilityHalfWidth * gramEntry + CLOSED_FORM_TOLERANCE);
    }
  });
});

describe('empirical kernels converge to their limits', () => {
  const n = 10;
  const d = 6;
  const inputs = randomUnitInputs(n, d, 21);
  const limitFp = fullPrecisionKernelLimit(inputs, n, d, 1);
  const limitSign = exactSignKernelLimit(inputs, n, d, 1);
  const quantizer = createSignQuantizer({ beta: 'fixed', centring: 'zero' });

  for (const width of [256, 4096, 65536]) {
    for (const seed of [1, 2]) {
      it(`H and S at m = ${width}, seed ${seed} are within the Hoeffding tolerance`, () => {
        const params = initializeNetwork({ width, dimension: d, kappa: 1, sigma: 1 }, createRng(seed));
        const kernelFp = fullPrecisionKernel(inputs, n, params.hiddenWeights, width, d, 1);
        const levels = quantizer.quantize(params.hiddenWeights, width, d, 1).levels;
        const kernelSign = signKernel(inputs, n, levels, width, d, 1);
        expect(maxEntryDistance(kernelFp, limitFp)).toBeLessThanOrEqual(hoeffdingTolerance(n, width));
        expect(maxEntryDistance(kernelSign, limitSign)).toBeLessThanOrEqual(hoeffdingTolerance(n, width));
      });
    }
  }

  it('shrinks the spectral deviation as m grows', () => {
    const deviation = (width: number): number => {
      const params = initializeNetwork({ width, dimension: d, kappa: 1, sigma: 1 }, createRng(7));
      return operatorNormDistance(fullPrecisionKernel(inputs, n, params.hiddenWeights, width, d, 1), limitFp);
    };
    expect(deviation(65536)).toBeLessThan(deviation(256));
  });
});

describe('kernelSpectrum', () => {
  it('reports eigenvalues of a diagonal kernel', () => {
    const spectrum = kernelSpectrum({ size: 3, values: Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]) });
    expect(spectrum.lambdaMin).toBeCloseTo(1, 12);
    expect(spectrum.lambdaMax).toBeCloseTo(3, 12);
    expect(spectrum.conditionNumber).toBeCloseTo(3, 12);
    expect(spectrum.nearSingular).toBe(false);
  });

  it('flags a singular kernel instead of returning an infinite condition number', () => {
    const spectrum = kernelSpectrum({ size: 2, values: Float64Array.from([1, 1, 1, 1]) });
    expect(spectrum.nearSingular).toBe(true);
    expect(spectrum.conditionNumber).toBeNull();
  });
});

describe('kernel regression', () => {
  it('follows the closed form of linearized descent on a diagonal kernel', () => {
    // Diagonal K: each coordinate evolves as u(t) - y = (1 - eta k)^t (u(0) - y).
    const kernel = { size: 2, values: Float64Array.from([2, 0, 0, 0.5]) };
    const trajectory = linearizedTrajectory(kernel, Float64Array.from([1, 1]), Float64Array.from([0, 3]), 0.1, 10);
    expect(trajectory[10][0]).toBeCloseTo((1 - 0.2) ** 10, 12);
    expect(trajectory[10][1]).toBeCloseTo(3 + (1 - 0.05) ** 10 * (1 - 3), 12);
  });

  it('solves in the range of a singular kernel', () => {
    // K = [[1, 1], [1, 1]] has range span(1, 1); K^+ r for r = (2, 0) is (1/2, 1/2).
    const result = pseudoInverseSolve({ size: 2, values: Float64Array.from([1, 1, 1, 1]) }, Float64Array.from([2, 0]));
    expect(result.rank).toBe(1);
    expect(result.solution[0]).toBeCloseTo(0.5, 12);
    expect(result.solution[1]).toBeCloseTo(0.5, 12);
  });

  it('interpolates the training targets with an invertible kernel', () => {
    const kernel = { size: 2, values: Float64Array.from([2, 1, 1, 2]) };
    // The cross kernel of the training points with themselves reproduces the targets.
    const { predictions } = infiniteTimePrediction(kernel, kernel.values, Float64Array.from([0.3, -0.2]), Float64Array.from([0.3, -0.2]), Float64Array.from([1, -1]));
    expect(predictions[0]).toBeCloseTo(1, 12);
    expect(predictions[1]).toBeCloseTo(-1, 12);
  });
});
