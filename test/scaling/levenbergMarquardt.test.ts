import { describe, expect, it } from 'vitest';

import { huberLoss, minimizeHuber, totalHuber, type ResidualProblem } from '../../src/scaling/levenbergMarquardt.js';

/** A converged fit of a linear model reproduces the exact solution to rounding and the step tolerance. */
const SOLUTION_TOLERANCE = 1e-8;

/** Residuals r_i = theta_0 + theta_1 * x_i - y_i of a straight line. */
function lineProblem(xs: readonly number[], ys: readonly number[]): ResidualProblem {
  return {
    pointCount: xs.length,
    parameterCount: 2,
    evaluate(theta, residuals, jacobian) {
      xs.forEach((x, i) => {
        residuals[i] = theta[0]! + theta[1]! * x - ys[i]!;
        if (jacobian) {
          jacobian[2 * i] = 1;
          jacobian[2 * i + 1] = x;
        }
      });
    },
  };
}

describe('huberLoss', () => {
  it('is quadratic inside delta and linear outside', () => {
    // delta = 1: huber(0.5) = 0.125, huber(3) = 1 * (3 - 0.5) = 2.5, and it is even.
    expect(huberLoss(0.5, 1)).toBe(0.125);
    expect(huberLoss(3, 1)).toBe(2.5);
    expect(huberLoss(-3, 1)).toBe(2.5);
    expect(huberLoss(1, 1)).toBe(0.5);
  });

  it('totals to infinity on a non-finite residual', () => {
    expect(totalHuber(Float64Array.of(0.1, Number.NaN), 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('minimizeHuber', () => {
  it('recovers an exact line', () => {
    const xs = [0, 1, 2, 3, 4];
    const ys = xs.map((x) => 2 - 0.5 * x);
    const minimum = minimizeHuber(lineProblem(xs, ys), Float64Array.of(10, 10), { huberDelta: 1e-3 });
    expect(minimum.converged).toBe(true);
    expect(Math.abs(minimum.parameters[0]! - 2)).toBeLessThan(SOLUTION_TOLERANCE);
    expect(Math.abs(minimum.parameters[1]! + 0.5)).toBeLessThan(SOLUTION_TOLERANCE);
    expect(minimum.objective).toBeLessThan(1e-15);
  });

  it('matches least squares when residuals stay inside delta', () => {
    // Least-squares line through (0, 0), (1, 1), (2, 3): slope 1.5, intercept -1/6.
    const minimum = minimizeHuber(lineProblem([0, 1, 2], [0, 1, 3]), Float64Array.of(0, 0), { huberDelta: 10 });
    expect(minimum.converged).toBe(true);
    expect(Math.abs(minimum.parameters[0]! + 1 / 6)).toBeLessThan(SOLUTION_TOLERANCE);
    expect(Math.abs(minimum.parameters[1]! - 1.5)).toBeLessThan(SOLUTION_TOLERANCE);
  });

  it('resists an outlier with a small delta', () => {
    // A one-parameter constant fit to 0, 0, 0, 0, 100 with delta = 1e-3. The outlier is in the
    // linear region and pulls with force delta, so 4c = delta at the minimum: c = delta / 4.
    // Least squares would give the mean, 20.
    const problem: ResidualProblem = {
      pointCount: 5,
      parameterCount: 1,
      evaluate(theta, residuals, jacobian) {
        [0, 0, 0, 0, 100].forEach((y, i) => {
          residuals[i] = theta[0]! - y;
          if (jacobian) jacobian[i] = 1;
        });
      },
    };
    const minimum = minimizeHuber(problem, Float64Array.of(20), { huberDelta: 1e-3 });
    expect(minimum.converged).toBe(true);
    expect(Math.abs(minimum.parameters[0]! - 1e-3 / 4)).toBeLessThan(SOLUTION_TOLERANCE);
  });

  it('reports a non-finite start as not converged', () => {
    const problem = lineProblem([0, 1], [Number.POSITIVE_INFINITY, 1]);
    const minimum = minimizeHuber(problem, Float64Array.of(0, 0), { huberDelta: 1 });
    expect(minimum.converged).toBe(false);
    expect(minimum.iterations).toBe(0);
  });

  it('stops at the iteration cap without claiming convergence', () => {
    // Rosenbrock-like valley: residuals 10 (theta_1 - theta_0^2) and 1 - theta_0, far start.
    const problem: ResidualProblem = {
      pointCount: 2,
      parameterCount: 2,
      evaluate(theta, residuals, jacobian) {
        residuals[0] = 10 * (theta[1]! - theta[0]! ** 2);
        residuals[1] = 1 - theta[0]!;
        if (jacobian) {
          jacobian.set([-20 * theta[0]!, 10, -1, 0]);
        }
      },
    };
    const capped = minimizeHuber(problem, Float64Array.of(-1.2, 1), { huberDelta: 100, maxIterations: 2 });
    expect(capped.converged).toBe(false);
    const full = minimizeHuber(problem, Float64Array.of(-1.2, 1), { huberDelta: 100 });
    expect(full.converged).toBe(true);
    expect(Math.abs(full.parameters[0]! - 1)).toBeLessThan(SOLUTION_TOLERANCE);
    expect(Math.abs(full.parameters[1]! - 1)).toBeLessThan(SOLUTION_TOLERANCE);
  });
});
