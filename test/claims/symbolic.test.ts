import { describe, expect, it } from 'vitest';
import { InvalidInputError, NumericalError } from '../../src/errors.js';
import { parseExpression } from '../../src/claims/expression.js';
import type { ParsedExpression } from '../../src/claims/expression.js';
import {
  SOLVE_MAX_ITERATIONS,
  SOLVE_RELATIVE_TOLERANCE,
  differentiate,
  solveForSymbol,
} from '../../src/claims/symbolic.js';

/**
 * Relative step of the central finite difference, h = FINITE_DIFFERENCE_STEP * m.
 */
const FINITE_DIFFERENCE_STEP = 1e-4;

/**
 * Agreement required between a symbolic derivative and the central difference. For
 * f proportional to m^(-1/2) the truncation error is h^2 |f'''| / (6 |f'|) = 0.625 * 1e-8
 * relative, and rounding adds about 2 * 2.2e-16 / 1e-4 = 4.4e-12, so 1e-7 leaves a margin of
 * ten while still catching any wrong factor.
 */
const FINITE_DIFFERENCE_RELATIVE_TOLERANCE = 1e-7;

/**
 * Agreement between two formulas for the same derivative that differ only in the order of a
 * few float64 operations.
 */
const REARRANGEMENT_RELATIVE_TOLERANCE = 1e-12;

const K1_DEVIATION_SYMBOLS = ['n', 'kappa', 'delta', 'm'] as const;
const K1_DEVIATION = 'n * kappa^2 * sqrt(log(n*(n+1)/delta)/(2*m))';

function expectRelativelyClose(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tolerance * Math.abs(expected));
}

function centralDifference(expression: ParsedExpression, scope: Record<string, number>, symbol: string, step: number): number {
  const x = scope[symbol]!;
  const above = expression.evaluate({ ...scope, [symbol]: x + step });
  const below = expression.evaluate({ ...scope, [symbol]: x - step });
  return (above - below) / (2 * step);
}

describe('differentiate', () => {
  describe('K1 deviation in m', () => {
    const deviation = parseExpression(K1_DEVIATION, K1_DEVIATION_SYMBOLS);
    const slope = differentiate(deviation, 'm');
    const samplePoints = [
      { n: 4, kappa: 1, delta: 0.1, m: 100 },
      { n: 50, kappa: 0.5, delta: 0.01, m: 1e4 },
      { n: 1000, kappa: 2, delta: 1e-6, m: 1e6 },
      { n: 2, kappa: 1, delta: 0.5, m: 10 },
    ];

    it('keeps the symbols and allow-list', () => {
      expect(slope.symbols).toEqual(['n', 'kappa', 'delta', 'm']);
      expect(slope.latex).toContain('\\kappa');
    });

    it('is negative at sample points', () => {
      for (const point of samplePoints) {
        expect(slope.evaluate(point), JSON.stringify(point)).toBeLessThan(0);
      }
    });

    it('matches a central finite difference', () => {
      for (const point of samplePoints) {
        const numeric = centralDifference(deviation, point, 'm', FINITE_DIFFERENCE_STEP * point.m);
        expectRelativelyClose(slope.evaluate(point), numeric, FINITE_DIFFERENCE_RELATIVE_TOLERANCE);
      }
    });

    it('matches the closed form -deviation / (2m)', () => {
      // The deviation is proportional to m^(-1/2), so its derivative is -deviation / (2m).
      for (const point of samplePoints) {
        const expected = -deviation.evaluate(point) / (2 * point.m);
        expectRelativelyClose(slope.evaluate(point), expected, REARRANGEMENT_RELATIVE_TOLERANCE);
      }
    });

    it('leaves the original expression unchanged', () => {
      expect(deviation.source).toBe(K1_DEVIATION);
      expect(deviation.evaluate(samplePoints[0]!)).toBeCloseTo(4 * Math.sqrt(Math.log(200) / 200), 14);
    });
  });

  describe('rules', () => {
    const cases: Array<{ text: string; at: number; expected: number; why: string }> = [
      { text: 'x^3', at: 2, expected: 12, why: '3x^2 at 2' },
      { text: 'tan(x)', at: 0.3, expected: 1 / Math.cos(0.3) ** 2, why: 'sec^2, rewritten as 1 / cos^2' },
      { text: 'tanh(x)', at: 0.7, expected: 1 - Math.tanh(0.7) ** 2, why: 'sech^2 = 1 - tanh^2' },
      { text: 'log2(x)', at: 3, expected: 1 / (3 * Math.LN2), why: '1 / (x ln 2)' },
      { text: 'log(x, 10)', at: 5, expected: 1 / (5 * Math.LN10), why: '1 / (x ln 10)' },
      { text: 'atan(x)', at: 2, expected: 1 / 5, why: '1 / (1 + x^2)' },
      { text: 'acos(x)', at: 0.6, expected: -1 / 0.8, why: '-1 / sqrt(1 - x^2)' },
      { text: 'exp(2*x)', at: 0.5, expected: 2 * Math.E, why: '2 exp(2x)' },
      { text: 'sin(x) * cos(x)', at: 0.4, expected: Math.cos(0.8), why: 'cos(2x)' },
      { text: 'pow(x, 4)', at: 1.5, expected: 4 * 1.5 ** 3, why: '4x^3' },
      { text: 'y * 3', at: 1, expected: 0, why: 'no x' },
    ];
    for (const { text, at, expected, why } of cases) {
      it(`differentiates ${text} (${why})`, () => {
        const derivative = differentiate(parseExpression(text, ['x', 'y']), 'x');
        expectRelativelyClose(derivative.evaluate({ x: at, y: 2 }), expected, REARRANGEMENT_RELATIVE_TOLERANCE);
      });
    }

    it('keeps custom LaTeX names', () => {
      const expression = parseExpression('lambda_min_H0 * t^2', ['lambda_min_H0', 't'], {
        latexNames: { lambda_min_H0: '\\lambda_{\\min}(H_0)' },
      });
      expect(differentiate(expression, 't').latex).toContain('\\lambda_{\\min}(H_0)');
    });

    it('differentiates nested calls', () => {
      // d/dx sqrt(sqrt(x)) = d/dx x^(1/4) = x^(-3/4) / 4, which is 1/32 at x = 16.
      const derivative = differentiate(parseExpression('sqrt(sqrt(x))', ['x']), 'x');
      expectRelativelyClose(derivative.evaluate({ x: 16 }), 1 / 32, REARRANGEMENT_RELATIVE_TOLERANCE);
    });
  });

  describe('errors', () => {
    for (const text of ['floor(x)', 'ceil(2*x)', 'sign(x)', 'min(x, 1)', 'max(x, y)']) {
      it(`rejects ${text}`, () => {
        const name = text.slice(0, text.indexOf('('));
        expect(() => differentiate(parseExpression(text, ['x', 'y']), 'x')).toThrow(new RegExp(`rule for ${name}`));
      });
    }

    it('accepts piecewise functions of other symbols', () => {
      const derivative = differentiate(parseExpression('floor(y) * x', ['x', 'y']), 'x');
      expect(derivative.evaluate({ x: 1, y: 2.5 })).toBe(2);
    });

    it('rejects a symbol outside the allow-list', () => {
      expect(() => differentiate(parseExpression('x', ['x']), 'z')).toThrow(InvalidInputError);
      expect(() => differentiate(parseExpression('x', ['x']), 'constructor')).toThrow(InvalidInputError);
    });

    it('rejects an object not made by the parser', () => {
      const forged = { source: 'x', symbols: ['x'], latex: 'x', evaluate: () => 0 };
      expect(() => differentiate(forged, 'x')).toThrow(/not a ParsedExpression/);
    });
  });
});

describe('solveForSymbol', () => {
  const deviation = parseExpression(K1_DEVIATION, K1_DEVIATION_SYMBOLS);
  const scope = { n: 4, kappa: 1, delta: 0.1 };
  // Solving n kappa^2 sqrt(log(n(n+1)/delta) / (2m)) = target for m gives
  // m = log(n(n+1)/delta) / (2 (target / (n kappa^2))^2). With n = 4, kappa = 1, delta = 0.1
  // and target = lambda / 4 = 0.5: target / (n kappa^2) = 0.125, 2 * 0.125^2 = 0.03125 = 1/32,
  // so m = 32 log(200) = 32 * 5.298317366548036 = 169.5461557295372.
  const target = 0.5;
  const expectedWidth = 32 * Math.log(200);

  it('recovers the hand-computed width', () => {
    expect(expectedWidth).toBeCloseTo(169.5461557295372, 10);
    const result = solveForSymbol(deviation, 'm', target, scope, [100, 200]);
    expectRelativelyClose(result.value, expectedWidth, 2 * SOLVE_RELATIVE_TOLERANCE);
    expect(result.iterations).toBeGreaterThan(0);
    expect(result.iterations).toBeLessThan(SOLVE_MAX_ITERATIONS);
    expect(result.bracket).toEqual([100, 200]);
  });

  it('expands a positive bracket that misses the root', () => {
    // The deviation is 0.651 at m = 100 and 0.206 at m = 1000, so [1, 10] expands to
    // [0.1, 100], still above the target, and then finds the sign change in [100, 1000].
    const result = solveForSymbol(deviation, 'm', target, scope, [1, 10]);
    expectRelativelyClose(result.value, expectedWidth, 2 * SOLVE_RELATIVE_TOLERANCE);
    expect(result.bracket).toEqual([100, 1000]);
  });

  it('finds a root of a polynomial without expansion', () => {
    const result = solveForSymbol(parseExpression('x^3', ['x']), 'x', 2, {}, [0, 2]);
    expectRelativelyClose(result.value, Math.cbrt(2), 2 * SOLVE_RELATIVE_TOLERANCE);
    expect(Math.abs(result.residual)).toBeLessThan(1e-10);
  });

  it('finds a root at zero', () => {
    const result = solveForSymbol(parseExpression('x^3 + x', ['x']), 'x', 0, {}, [-1, 2]);
    expect(Math.abs(result.value)).toBeLessThan(1e-12);
  });

  it('bisects away from an infinite end value', () => {
    // 1/x = 2 at x = 0.5; at x = 0 the value is Infinity.
    const result = solveForSymbol(parseExpression('1 / x', ['x']), 'x', 2, {}, [0, 1]);
    expectRelativelyClose(result.value, 0.5, 2 * SOLVE_RELATIVE_TOLERANCE);
  });

  it('reports a bracket without a sign change', () => {
    const expression = parseExpression('x^2 + 1', ['x']);
    expect(() => solveForSymbol(expression, 'x', 0, {}, [-1, 1])).toThrow(/same sign/);
  });

  it('reports an unreachable target after expansion', () => {
    // The deviation is positive for every width, so it never equals -1.
    let caught: unknown;
    try {
      solveForSymbol(deviation, 'm', -1, scope, [1, 10]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as Error).message).toContain('expanded range');
  });

  it('names the sub-expression when an end is NaN', () => {
    const expression = parseExpression('sqrt(x) + 1', ['x']);
    expect(() => solveForSymbol(expression, 'x', 2, {}, [-4, 4])).toThrow(/NaN at x = -4 \(from sqrt\(x\)\)/);
  });

  it('reports NaN inside the bracket', () => {
    // Both ends are finite with opposite signs, but the value is NaN for x in (-1, 1).
    const expression = parseExpression('sqrt(x^2 - 1) * sign(x)', ['x']);
    expect(() => solveForSymbol(expression, 'x', 0.5, {}, [-3, 3])).toThrow(NumericalError);
  });

  it('rejects invalid arguments', () => {
    expect(() => solveForSymbol(deviation, 'lambda', 1, scope, [1, 2])).toThrow(/does not use/);
    expect(() => solveForSymbol(deviation, 'm', Number.NaN, scope, [1, 2])).toThrow(/target/);
    expect(() => solveForSymbol(deviation, 'm', 1, scope, [2, 1])).toThrow(/lo < hi/);
    expect(() => solveForSymbol(deviation, 'm', 1, { n: 4 }, [1, 2])).toThrow(/"kappa"/);
  });
});
