import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/errors.js';
import { parseExpression } from '../../src/claims/expression.js';
import type { ParsedExpression } from '../../src/claims/expression.js';
import {
  certifySign,
  evaluateInterval,
  interval,
  nextDown,
  nextUp,
} from '../../src/claims/interval.js';
import type { Box, IntervalEnclosure } from '../../src/claims/interval.js';
import { differentiate } from '../../src/claims/symbolic.js';

/** Fixed fast-check seed, so every run draws the same cases. */
const PROPERTY_SEED = 20241101;

/**
 * Relative width allowed for enclosures of a few operations on exact inputs: a few ulps
 * (about 1e-15 each) per operation, far below 1e-13.
 */
const TIGHT_RELATIVE_WIDTH = 1e-13;

function expression(text: string, symbols: readonly string[] = ['x', 'y']): ParsedExpression {
  return parseExpression(text, symbols);
}

function expectContains(enclosure: IntervalEnclosure, value: number): void {
  expect(enclosure.lo).toBeLessThanOrEqual(value);
  expect(enclosure.hi).toBeGreaterThanOrEqual(value);
}

function expectTight(enclosure: IntervalEnclosure, lo: number, hi: number): void {
  expectContains(enclosure, lo);
  expectContains(enclosure, hi);
  const scale = Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE);
  expect(lo - enclosure.lo).toBeLessThanOrEqual(TIGHT_RELATIVE_WIDTH * scale);
  expect(enclosure.hi - hi).toBeLessThanOrEqual(TIGHT_RELATIVE_WIDTH * scale);
}

/**
 * Checks the contract of evaluateInterval against the float64 value at one point of the box:
 * `undefined` means NaN at every point, a NaN point needs a `partial` domain, and any other
 * point value lies inside the enclosure.
 */
function expectPointConsistent(enclosure: IntervalEnclosure, value: number, description: string): void {
  if (enclosure.domain === 'undefined') {
    expect(value, description).toBeNaN();
    return;
  }
  if (Number.isNaN(value)) {
    expect(enclosure.domain, description).toBe('partial');
    return;
  }
  expect(enclosure.lo, description).toBeLessThanOrEqual(value);
  expect(enclosure.hi, description).toBeGreaterThanOrEqual(value);
}

describe('nextUp and nextDown', () => {
  it('step by one ulp around 1', () => {
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextDown(1)).toBe(1 - Number.EPSILON / 2);
  });

  it('cross zero through the subnormals', () => {
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-0)).toBe(Number.MIN_VALUE);
    expect(nextDown(0)).toBe(-Number.MIN_VALUE);
    expect(Object.is(nextUp(-Number.MIN_VALUE), -0)).toBe(true);
    expect(nextUp(2 ** -1022)).toBe(2 ** -1022 + Number.MIN_VALUE);
  });

  it('handle infinities and NaN', () => {
    expect(nextUp(Number.MAX_VALUE)).toBe(Number.POSITIVE_INFINITY);
    expect(nextUp(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(nextUp(Number.NEGATIVE_INFINITY)).toBe(-Number.MAX_VALUE);
    expect(nextDown(Number.NEGATIVE_INFINITY)).toBe(Number.NEGATIVE_INFINITY);
    expect(nextDown(Number.POSITIVE_INFINITY)).toBe(Number.MAX_VALUE);
    expect(nextUp(Number.NaN)).toBeNaN();
  });

  it('return the adjacent double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, max: 1e300, min: -1e300 }), (x) => {
        const up = nextUp(x);
        expect(up).toBeGreaterThan(x);
        // No double lies strictly between x and nextUp(x), so their midpoint rounds to one of them.
        const middle = x / 2 + up / 2;
        expect(middle === x || middle === up).toBe(true);
        expect(nextDown(up)).toBe(x === 0 ? 0 : x);
      }),
      { seed: PROPERTY_SEED, numRuns: 300 },
    );
  });
});

describe('interval', () => {
  it('rejects reversed or NaN endpoints', () => {
    expect(() => interval(2, 1)).toThrow(InvalidInputError);
    expect(() => interval(Number.NaN, 1)).toThrow(InvalidInputError);
    expect(interval(1, 2)).toEqual({ lo: 1, hi: 2 });
  });
});

describe('evaluateInterval', () => {
  describe('arithmetic', () => {
    it('keeps exact sums exact', () => {
      const result = evaluateInterval(expression('x + y'), { x: interval(1, 2), y: interval(3, 4) });
      expect(result.lo).toBe(4);
      expect(result.hi).toBe(6);
      expect(result.domain).toBe('defined');
    });

    it('rounds inexact sums towards the true value', () => {
      // 0.1 + 0.2 rounds up to 0.30000000000000004, so only the lower end moves down.
      const result = evaluateInterval(expression('x + y'), { x: 0.1, y: 0.2 });
      expect(result.lo).toBe(nextDown(0.1 + 0.2));
      expect(result.hi).toBe(0.1 + 0.2);
    });

    it('gives zero for x - x on a point', () => {
      const result = evaluateInterval(expression('x - 1'), { x: 1 });
      expect(result.lo).toBe(0);
      expect(result.hi).toBe(0);
    });

    it('multiplies intervals of mixed sign', () => {
      // Endpoint products: (-1)(-3) = 3, (-1)(4) = -4, 2(-3) = -6, 2(4) = 8, all exact, so [-6, 8].
      const result = evaluateInterval(expression('x * y'), { x: interval(-1, 2), y: interval(-3, 4) });
      expect(result.lo).toBe(-6);
      expect(result.hi).toBe(8);
    });

    it('widens an inexact product by one ulp on its side', () => {
      // 0.1 * 3 = 0.30000000000000004 in float64, above the true 0.3000000000000000166...
      const result = evaluateInterval(expression('x * 3'), { x: 0.1 });
      expect(result.lo).toBe(nextDown(0.1 * 3));
      expect(result.hi).toBe(0.1 * 3);
    });

    it('keeps an exact quotient and widens an inexact one', () => {
      const exact = evaluateInterval(expression('x / 4'), { x: 3 });
      expect(exact.lo).toBe(0.75);
      expect(exact.hi).toBe(0.75);
      const inexact = evaluateInterval(expression('x / 3'), { x: 1 });
      expect(inexact.lo).toBe(nextDown(1 / 3));
      expect(inexact.hi).toBe(nextUp(1 / 3));
    });

    it('divides by an interval containing 0', () => {
      const result = evaluateInterval(expression('1 / x'), { x: interval(-1, 1) });
      expect(result.lo).toBe(Number.NEGATIVE_INFINITY);
      expect(result.hi).toBe(Number.POSITIVE_INFINITY);
      expect(result.domain).toBe('defined');
    });

    it('flags 0 / 0 as partial', () => {
      const result = evaluateInterval(expression('x / y'), { x: interval(-1, 1), y: interval(0, 1) });
      expect(result.domain).toBe('partial');
    });

    it('divides positive intervals', () => {
      expectTight(evaluateInterval(expression('x / y'), { x: interval(1, 2), y: interval(4, 8) }), 0.125, 0.5);
    });

    it('treats a number in the box as a point', () => {
      const result = evaluateInterval(expression('x * y'), { x: 3, y: interval(1, 2) });
      expectTight(result, 3, 6);
    });

    it('encloses decimal constants and pi', () => {
      const tenth = evaluateInterval(expression('0.1'), {});
      expect(tenth.lo).toBeLessThan(0.1);
      expect(tenth.hi).toBeGreaterThan(0.1);
      const pi = evaluateInterval(expression('pi'), {});
      expect(pi.lo).toBe(nextDown(Math.PI));
      expect(pi.hi).toBe(nextUp(Math.PI));
      const integer = evaluateInterval(expression('3'), {});
      expect(integer).toEqual({ lo: 3, hi: 3, domain: 'defined' });
    });
  });

  describe('powers', () => {
    it('squares across zero', () => {
      const result = evaluateInterval(expression('x^2'), { x: interval(-2, 3) });
      expect(result.lo).toBe(0);
      expectTight(result, 0, 9);
    });

    it('keeps the sign of odd powers', () => {
      expectTight(evaluateInterval(expression('x^3'), { x: interval(-2, 3) }), -8, 27);
      expectTight(evaluateInterval(expression('x^3'), { x: interval(-3, -2) }), -27, -8);
    });

    it('inverts for negative integer exponents', () => {
      expectTight(evaluateInterval(expression('x^(-1)'), { x: interval(2, 4) }), 0.25, 0.5);
      expectTight(evaluateInterval(expression('x^(-2)'), { x: interval(-4, -2) }), 1 / 16, 1 / 4);
      const acrossZero = evaluateInterval(expression('x^(-2)'), { x: interval(-1, 1) });
      expect(acrossZero.hi).toBe(Number.POSITIVE_INFINITY);
    });

    it('returns 1 for exponent 0', () => {
      expect(evaluateInterval(expression('x^0'), { x: interval(-5, 5) })).toEqual({ lo: 1, hi: 1, domain: 'defined' });
    });

    it('flags fractional powers of negatives', () => {
      const result = evaluateInterval(expression('x^0.5'), { x: interval(-1, 4) });
      expect(result.domain).toBe('partial');
      expectContains(result, 2);
      expectContains(result, 0);
    });

    it('spans the corners for an interval exponent', () => {
      // x^y on x in [2, 4], y in [1, 2]: corners 2, 4, 4, 16, so [2, 16].
      const result = evaluateInterval(expression('x^y'), { x: interval(2, 4), y: interval(1, 2) });
      expectTight(result, 2, 16);
    });
  });

  describe('functions', () => {
    it('clips sqrt at the domain boundary', () => {
      const result = evaluateInterval(expression('sqrt(x)'), { x: interval(-1, 4) });
      expect(result.domain).toBe('partial');
      expect(result.lo).toBe(0);
      expectTight(result, 0, 2);
    });

    it('marks sqrt of a negative interval undefined', () => {
      const result = evaluateInterval(expression('sqrt(x) + 1'), { x: interval(-2, -1) });
      expect(result.domain).toBe('undefined');
      expect(result.lo).toBeNaN();
    });

    it('reaches -Infinity for log at 0', () => {
      const result = evaluateInterval(expression('log(x)'), { x: interval(0, 1) });
      expect(result.lo).toBe(Number.NEGATIVE_INFINITY);
      expectContains(result, 0);
      expect(result.domain).toBe('defined');
    });

    it('encloses monotone functions', () => {
      const box = { x: interval(0.5, 2) };
      expectTight(evaluateInterval(expression('exp(x)'), box), Math.exp(0.5), Math.exp(2));
      expectTight(evaluateInterval(expression('log(x)'), box), Math.log(0.5), Math.log(2));
      expectTight(evaluateInterval(expression('log2(x)'), box), -1, 1);
      expectTight(evaluateInterval(expression('atan(x)'), box), Math.atan(0.5), Math.atan(2));
      expectTight(evaluateInterval(expression('tanh(x)'), box), Math.tanh(0.5), Math.tanh(2));
      expectTight(evaluateInterval(expression('cbrt(x)'), box), Math.cbrt(0.5), Math.cbrt(2));
      expectTight(evaluateInterval(expression('acos(x / 2)'), box), Math.acos(1), Math.acos(0.25));
    });

    it('flags asin beyond [-1, 1]', () => {
      const result = evaluateInterval(expression('asin(x)'), { x: interval(0.5, 2) });
      expect(result.domain).toBe('partial');
      expectContains(result, Math.PI / 2);
    });

    it('evaluates piecewise functions exactly', () => {
      const box = { x: interval(-3, 2), y: interval(-1, 4) };
      expect(evaluateInterval(expression('abs(x)'), box)).toEqual({ lo: 0, hi: 3, domain: 'defined' });
      expect(evaluateInterval(expression('min(x, y)'), box)).toEqual({ lo: -3, hi: 2, domain: 'defined' });
      expect(evaluateInterval(expression('max(x, y)'), box)).toEqual({ lo: -1, hi: 4, domain: 'defined' });
      expect(evaluateInterval(expression('floor(x / 2)'), box).lo).toBe(-2);
      expect(evaluateInterval(expression('ceil(y)'), box).hi).toBe(4);
      expect(evaluateInterval(expression('sign(x)'), box)).toEqual({ lo: -1, hi: 1, domain: 'defined' });
    });

    it('includes interior sine extrema', () => {
      const sineOverHalfPeriod = evaluateInterval(expression('sin(x)'), { x: interval(0, 3) });
      expect(sineOverHalfPeriod.hi).toBe(1);
      expectContains(sineOverHalfPeriod, 0);
      const cosineAroundPi = evaluateInterval(expression('cos(x)'), { x: interval(3, 3.3) });
      expect(cosineAroundPi.lo).toBe(-1);
      const wide = evaluateInterval(expression('sin(x)'), { x: interval(0, 100) });
      expect(wide).toEqual({ lo: -1, hi: 1, domain: 'defined' });
    });

    it('keeps sin tight between extrema', () => {
      expectTight(evaluateInterval(expression('sin(x)'), { x: interval(0.1, 0.2) }), Math.sin(0.1), Math.sin(0.2));
    });

    it('widens tan across a pole', () => {
      const result = evaluateInterval(expression('tan(x)'), { x: interval(1.5, 1.6) });
      expect(result.lo).toBe(Number.NEGATIVE_INFINITY);
      expect(result.hi).toBe(Number.POSITIVE_INFINITY);
      expectTight(evaluateInterval(expression('tan(x)'), { x: interval(0, 1) }), 0, Math.tan(1));
    });

    it('encloses true values that lie between doubles', () => {
      // e = 2.718281828459045235..., above Math.E = 2.718281828459045090...;
      // ln 2 = 0.693147180559945309..., above Math.LN2 = 0.693147180559945286...;
      // sqrt(2) = 1.414213562373095048..., below Math.SQRT2 = 1.414213562373095145...
      // An enclosure that only rounded to nearest would miss each of them.
      expect(evaluateInterval(expression('exp(x)'), { x: 1 }).hi).toBeGreaterThan(Math.E);
      expect(evaluateInterval(expression('log(x)'), { x: 2 }).hi).toBeGreaterThan(Math.LN2);
      expect(evaluateInterval(expression('sqrt(x)'), { x: 2 }).lo).toBeLessThan(Math.SQRT2);
      expect(evaluateInterval(expression('e'), {}).hi).toBeGreaterThan(Math.E);
    });

    it('flags zero times an overflowed factor', () => {
      // exp(800) overflows to Infinity, and Infinity * 0 is NaN at y = 0.
      const result = evaluateInterval(expression('exp(x) * y'), { x: interval(800, 900), y: interval(-1, 1) });
      expect(result.domain).toBe('partial');
      expect(expression('exp(x) * y').evaluate({ x: 800, y: 0 })).toBeNaN();
    });

    it('flags infinity minus infinity from overflow', () => {
      const result = evaluateInterval(expression('exp(x) - exp(x)'), { x: interval(700, 800) });
      expect(result.domain).toBe('partial');
    });
  });

  describe('input checks', () => {
    it('rejects a box without a used symbol', () => {
      expect(() => evaluateInterval(expression('x + y'), { x: 1 })).toThrow(/"y"/);
    });

    it('rejects a reversed interval', () => {
      expect(() => evaluateInterval(expression('x'), { x: { lo: 2, hi: 1 } })).toThrow(InvalidInputError);
    });
  });

  describe('enclosure property', () => {
    const boundExpressions: Array<{ text: string; symbols: string[] }> = [
      { text: 'n * kappa^2 * sqrt(log(n*(n+1)/delta) / (2*m))', symbols: ['n', 'kappa', 'delta', 'm'] },
      { text: 'lambda - n * kappa^2 * sqrt(log(n*(n+1)/delta) / (2*m))', symbols: ['lambda', 'n', 'kappa', 'delta', 'm'] },
      { text: '4 * n^2 * kappa^2 * m / (sqrt(2*pi) * delta)', symbols: ['n', 'kappa', 'm', 'delta'] },
      { text: '(1 - m * lambda / 2)^n', symbols: ['m', 'lambda', 'n'] },
      { text: 'sin(m/100) / m - cos(lambda) * tan(delta)', symbols: ['m', 'lambda', 'delta'] },
      { text: 'exp(-m) * abs(lambda - 1) + min(m, lambda) - max(delta, 0.5)', symbols: ['m', 'lambda', 'delta'] },
      { text: 'atan(m) * tanh(lambda) + asin(delta / 10) + log10(abs(m) + 1)', symbols: ['m', 'lambda', 'delta'] },
      { text: 'm^lambda + cbrt(delta) - floor(m) * sign(lambda)', symbols: ['m', 'lambda', 'delta'] },
    ];
    // fc.double favours extreme and tiny values, so box corners come from uniform grids.
    // lo lies in [-20, 50] in steps of 0.01 and widths in [0, 10], about one in ten being 0
    // (a point). The point lies at a uniform position inside the box.
    const boxEntry = fc.record({
      lo: fc.integer({ min: -2000, max: 5000 }).map((k) => k / 100),
      width: fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 1000 }).map((k) => k / 100), weight: 9 },
      ),
      fraction: fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000),
    });

    for (const { text, symbols } of boundExpressions) {
      it(`contains point values of ${text}`, () => {
        const parsed = parseExpression(text, symbols);
        fc.assert(
          fc.property(fc.array(boxEntry, { minLength: symbols.length, maxLength: symbols.length }), (entries) => {
            const box: Record<string, { lo: number; hi: number }> = {};
            const point: Record<string, number> = {};
            symbols.forEach((name, index) => {
              const { lo, width, fraction } = entries[index]!;
              const hi = lo + width;
              box[name] = { lo, hi };
              point[name] = Math.min(hi, Math.max(lo, lo + fraction * width));
            });
            expectPointConsistent(evaluateInterval(parsed, box), parsed.evaluate(point), JSON.stringify(point));
          }),
          { seed: PROPERTY_SEED, numRuns: 400 },
        );
      });
    }

    it('contains point values of random expressions', () => {
      const literal = (value: number): string => (value < 0 || Object.is(value, -0) ? `(${value})` : `${value}`);
      const leaf = fc.oneof(
        { arbitrary: fc.constantFrom('x', 'y'), weight: 6 },
        { arbitrary: fc.constantFrom('pi', 'e'), weight: 1 },
        { arbitrary: fc.integer({ min: -50, max: 50 }).map((k) => literal(k / 10)), weight: 2 },
        { arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(literal), weight: 1 },
      );
      const unaryFunctions = ['sqrt', 'log', 'log2', 'log10', 'exp', 'abs', 'floor', 'ceil', 'sin', 'cos', 'tan', 'atan', 'acos', 'asin', 'tanh', 'sign', 'cbrt'];
      const tree = fc.letrec<{ node: string; binary: string; negation: string; power: string; unary: string; binaryCall: string }>((tie) => ({
        node: fc.oneof({ maxDepth: 5, depthIdentifier: 'expression' }, leaf, tie('binary'), tie('negation'), tie('power'), tie('unary'), tie('binaryCall')),
        binary: fc.tuple(tie('node'), fc.constantFrom('+', '-', '*', '/'), tie('node')).map(([left, operator, right]) => `(${left} ${operator} ${right})`),
        negation: tie('node').map((operand) => `(-${operand})`),
        power: fc.tuple(tie('node'), fc.constantFrom('2', '3', '(-1)', '(-2)', '0.5', '(1/3)', 'y')).map(([base, exponent]) => `(${base})^${exponent}`),
        unary: fc.tuple(fc.constantFrom(...unaryFunctions), tie('node')).map(([name, argument]) => `${name}(${argument})`),
        binaryCall: fc.tuple(fc.constantFrom('min', 'max', 'pow', 'log'), tie('node'), tie('node')).map(([name, a, b]) => `${name}(${a}, ${b})`),
      }));
      fc.assert(
        fc.property(tree.node, boxEntry, boxEntry, (text, xEntry, yEntry) => {
          const parsed = parseExpression(text, ['x', 'y']);
          const box = { x: { lo: xEntry.lo, hi: xEntry.lo + xEntry.width }, y: { lo: yEntry.lo, hi: yEntry.lo + yEntry.width } };
          const point = {
            x: Math.min(box.x.hi, box.x.lo + xEntry.fraction * xEntry.width),
            y: Math.min(box.y.hi, box.y.lo + yEntry.fraction * yEntry.width),
          };
          expectPointConsistent(evaluateInterval(parsed, box), parsed.evaluate(point), `${text} at ${JSON.stringify(point)}`);
        }),
        { seed: PROPERTY_SEED, numRuns: 2000 },
      );
    });
  });
});

describe('certifySign', () => {
  const k1Deviation = parseExpression('n * kappa^2 * sqrt(log(n*(n+1)/delta)/(2*m))', ['n', 'kappa', 'delta', 'm']);

  it('proves the K1 deviation decreasing in m', () => {
    const slope = differentiate(k1Deviation, 'm');
    const box: Box = {
      m: interval(10, 1e6),
      n: interval(2, 1000),
      delta: interval(1e-6, 0.5),
      kappa: 1,
    };
    const result = certifySign(slope, box, { sign: 'negative' });
    expect(result.status).toBe('certified');
    expect(result.counterexample).toBeUndefined();
  });

  it('proves the K1 deviation positive', () => {
    const box: Box = { m: interval(10, 1e6), n: interval(2, 1000), delta: interval(1e-6, 0.5), kappa: interval(0.1, 10) };
    expect(certifySign(k1Deviation, box, { sign: 'positive' }).status).toBe('certified');
  });

  it('finds where sin(m/100)/m increases', () => {
    // With u = m / 100, sin(m/100)/m = sin(u) / (100 u), whose derivative in u is positive
    // between the first minimum of sin(u)/u (u = 4.4934) and the next maximum (u = 7.7253).
    // So the claim "decreasing on [1, 1000]" fails for m in (449.34, 772.53).
    const slope = differentiate(parseExpression('sin(m/100) / m', ['m']), 'm');
    const result = certifySign(slope, { m: interval(1, 1000) }, { sign: 'negative' });
    expect(result.status).toBe('counterexample');
    const m = result.counterexample!['m']!;
    expect(m).toBeGreaterThan(449.34);
    expect(m).toBeLessThan(772.53);
    expect(result.value).toBeGreaterThan(0);
    expect(result.value).toBe(slope.evaluate({ m }));
  });

  describe('hard case near a double root', () => {
    // x^2 - 2x + 1.0001 = (x - 1)^2 + 1e-4 is positive, but interval arithmetic treats the two
    // occurrences of x independently: on [1 - w, 1 + w] the enclosure is about
    // [1e-4 - 4w, 1e-4 + 4w], so boxes near x = 1 must be narrower than 2.5e-5 to be proved,
    // which takes about 17 bisections of [0, 2].
    const nearDoubleRoot = parseExpression('x^2 - 2*x + 1.0001', ['x']);

    it('is undecided with a shallow depth limit', () => {
      const result = certifySign(nearDoubleRoot, { x: interval(0, 2) }, { sign: 'positive', maxDepth: 3 });
      expect(result.status).toBe('undecided');
      expect(result.undecidedBoxes).toBeGreaterThan(0);
      expect(result.counterexample).toBeUndefined();
    });

    it('is undecided when the box budget runs out', () => {
      const result = certifySign(nearDoubleRoot, { x: interval(0, 2) }, { sign: 'positive', maxBoxes: 5 });
      expect(result.status).toBe('undecided');
      expect(result.boxesExamined).toBe(5);
    });

    it('is certified with the default limits', () => {
      const result = certifySign(nearDoubleRoot, { x: interval(0, 2) }, { sign: 'positive' });
      expect(result.status).toBe('certified');
      expect(result.boxesExamined).toBeGreaterThan(100);
    });
  });

  it('splits wide positive ranges at the geometric mean', () => {
    // The root box [1, 1e4] spans four decades, so its midpoint is sqrt(1e4) = 100, where
    // m - 100 is 0 and the claim "positive" fails at the first box.
    const result = certifySign(parseExpression('m - 100', ['m']), { m: interval(1, 1e4) }, { sign: 'positive' });
    expect(result).toEqual({ status: 'counterexample', boxesExamined: 1, counterexample: { m: 100 }, value: 0 });
  });

  it('splits narrow ranges at the arithmetic midpoint', () => {
    const result = certifySign(parseExpression('m - 3', ['m']), { m: interval(1, 5) }, { sign: 'positive' });
    expect(result.counterexample).toEqual({ m: 3 });
  });

  it('reports fixed symbols in the counterexample', () => {
    const result = certifySign(parseExpression('a * x', ['a', 'x']), { a: -2, x: interval(1, 3) }, { sign: 'nonnegative' });
    expect(result).toEqual({ status: 'counterexample', boxesExamined: 1, counterexample: { a: -2, x: 2 }, value: -4 });
  });

  it('treats NaN as violating every sign', () => {
    const result = certifySign(parseExpression('log(x)', ['x']), { x: interval(-3, 1) }, { sign: 'nonpositive' });
    expect(result.status).toBe('counterexample');
    expect(result.value).toBeNaN();
  });

  it('distinguishes strict and non-strict signs', () => {
    const square = parseExpression('x^2', ['x']);
    expect(certifySign(square, { x: interval(-1, 1) }, { sign: 'nonnegative' }).status).toBe('certified');
    expect(certifySign(square, { x: interval(-1, 1) }, { sign: 'positive' }).status).toBe('counterexample');
  });

  it('reports no counterexample where only an overflow flips the sign', () => {
    // m^2 overflows to Infinity above m = 1.34e154, so -1 / m^2 evaluates to -0 there.
    const inverseSquare = parseExpression('-1 / m^2', ['m']);
    const result = certifySign(inverseSquare, { m: interval(1, 1e308) }, { sign: 'negative', maxBoxes: 200 });
    expect(result.status).toBe('undecided');
    expect(result.counterexample).toBeUndefined();
  });

  it('rejects invalid options and boxes', () => {
    const linear = parseExpression('x', ['x']);
    expect(() => certifySign(linear, { x: interval(0, 1) }, { sign: 'zero' as 'positive' })).toThrow(InvalidInputError);
    expect(() => certifySign(linear, { x: interval(0, 1) }, { sign: 'positive', maxDepth: -1 })).toThrow(/maxDepth/);
    expect(() => certifySign(linear, { x: interval(0, 1) }, { sign: 'positive', maxBoxes: 0 })).toThrow(/maxBoxes/);
    expect(() => certifySign(linear, { x: interval(0, Number.POSITIVE_INFINITY) }, { sign: 'positive' })).toThrow(/finite/);
  });
});
