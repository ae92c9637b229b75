/**
 * Outward-rounded interval arithmetic on validated expressions, and sign certification by
 * branch and bound.
 *
 * An {@link Interval} `[lo, hi]` encloses a set of reals. Each operation computes its
 * endpoints in float64 and then widens them outward, so the result encloses the exact real
 * result of the operation on every point of the operand intervals:
 * - `+ - * /` and `sqrt` are correctly rounded in IEEE 754, so one ulp each way suffices;
 * - integer powers use repeated outward-rounded multiplication, one ulp per step;
 * - `exp`, `log`, `sin`, `atan`, `pow` with a non-integer exponent and the other library
 *   functions are widened by {@link LIBRARY_FUNCTION_ULPS} ulps (see there for the assumption);
 * - `floor`, `ceil`, `sign`, `abs`, `min`, `max` and negation are exact.
 * Constants that are not integers are widened by one ulp, because the decimal literal was
 * rounded to the nearest double. Box endpoints given as numbers are taken as exact.
 *
 * Domain: a function can be undefined on part of its argument interval, as for `sqrt` or
 * `log` of an interval reaching below 0, `asin` beyond [-1, 1], a non-integer power of a
 * negative base, 0/0 or infinity minus infinity. Then the argument is clipped to the domain
 * and the result is flagged `partial`. It encloses the value at every point where the
 * expression is defined, and some points may evaluate to NaN. Where the function is undefined on the whole argument,
 * the result is `undefined` with NaN endpoints. Division by an interval containing 0 gives the
 * whole line [-Infinity, Infinity].
 *
 * The sign certifier bisects the box until interval evaluation proves the sign on every
 * sub-box, or the exact value at some sub-box midpoint violates it.
 */
import { InvalidInputError, formatValue } from '../errors.js';
import { expressionInternals, findNonFiniteSubexpressions } from './expression.js';
import type { AllowedFunctionName, ExpressionNode, ParsedExpression } from './expression.js';

/** A closed interval of extended reals; lo <= hi, or both NaN for "undefined everywhere". */
export interface Interval {
  readonly lo: number;
  readonly hi: number;
}

/**
 * Part of the box inside the expression's domain: `defined` (no point gives NaN), `partial`
 * (some points may give NaN, and the enclosure is valid where the value is defined) or
 * `undefined` (every point gives NaN, and the endpoints are NaN).
 */
export type DomainStatus = 'defined' | 'partial' | 'undefined';

/** An interval enclosure of an expression over a box, with its domain status. */
export interface IntervalEnclosure extends Interval {
  readonly domain: DomainStatus;
}

/** A box: each symbol fixed to a number or ranging over an interval. */
export type Box = Readonly<Record<string, Interval | number>>;

/**
 * Ulps by which the results of `Math` library functions (exp, log, log2, log10, sin, cos,
 * tan, atan, asin, acos, tanh, cbrt, and pow with a non-integer exponent) are widened each
 * way. ECMAScript leaves their accuracy to the implementation. V8, the engine of Node 20,
 * adapts them from fdlibm (v8/src/base/ieee754.cc), whose comments bound the error of exp
 * and log below 1 ulp. 4 ulps leaves headroom for the functions without such a bound.
 * NOTE: this is an assumption about the engine, not a proof. The basic operations and sqrt
 * are IEEE 754 correctly rounded and need no such assumption.
 */
export const LIBRARY_FUNCTION_ULPS = 4;

/**
 * Largest |x| for which sin, cos and tan get tight enclosures. Beyond it they return the
 * conservative range, because locating the extrema needs x / (2 pi) to well below one period.
 */
const MAX_TRIGONOMETRIC_ARGUMENT = 2 ** 30;

/**
 * Slack, in periods, added when testing whether an interval contains an extremum or a pole of
 * sin, cos or tan. The computed x / (2 pi) has a relative error of a few ulps, at most
 * 2^30 * 2^-50 = 2^-20 periods below {@link MAX_TRIGONOMETRIC_ARGUMENT}; 1e-5 covers it. Slack
 * only adds extrema, so it can widen an enclosure but never make it wrong.
 */
const TRIGONOMETRIC_SLACK_PERIODS = 1e-5;

/** Default maximum bisection depth of {@link certifySign}. */
export const DEFAULT_CERTIFY_MAX_DEPTH = 40;

/** Default maximum number of boxes {@link certifySign} evaluates. */
export const DEFAULT_CERTIFY_MAX_BOXES = 20_000;

/** Upper limit accepted for `maxBoxes`, so a typo cannot start a run of hours. */
export const MAX_CERTIFY_BOXES = 10_000_000;

/**
 * A positive dimension spanning more than this ratio (hi / lo) is bisected at its geometric
 * mean, so a width range like [10, 1e6] is explored evenly in orders of magnitude.
 */
export const LOG_SCALE_MIN_RATIO = 10;

// ---------------------------------------------------------------------------------------------
// Float64 neighbours

const float64View = new Float64Array(1);
const int64View = new BigInt64Array(float64View.buffer);

/**
 * Returns the smallest double greater than x (IEEE 754 nextUp). nextUp(Infinity) = Infinity,
 * nextUp(-Infinity) = -Number.MAX_VALUE, nextUp(±0) = Number.MIN_VALUE, NaN stays NaN.
 * Works on the bit pattern: for doubles of one sign, consecutive values have consecutive
 * 64-bit integer encodings.
 */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x;
  if (x === 0) return Number.MIN_VALUE;
  float64View[0] = x;
  int64View[0] = int64View[0]! + (x > 0 ? 1n : -1n);
  return float64View[0]!;
}

/** Returns the largest double less than x (IEEE 754 nextDown), the mirror of {@link nextUp}. */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

function roundDown(x: number, ulps = 1): number {
  let result = x;
  for (let step = 0; step < ulps; step++) result = nextDown(result);
  return result;
}

function roundUp(x: number, ulps = 1): number {
  let result = x;
  for (let step = 0; step < ulps; step++) result = nextUp(result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Public evaluation

/**
 * Creates an interval after checking that lo <= hi and that neither is NaN.
 * Throws InvalidInputError otherwise.
 */
export function interval(lo: number, hi: number): Interval {
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new InvalidInputError(
      'interval',
      { lo, hi },
      `needs numbers lo <= hi, got [${formatValue(lo)}, ${formatValue(hi)}]. Swap or fix the endpoints.`,
    );
  }
  return Object.freeze({ lo, hi });
}

/**
 * Evaluates `expression` in outward-rounded interval arithmetic over `box`.
 *
 * Returns an enclosure [lo, hi] of the exact value at every point of the box where the
 * expression is defined, with its {@link DomainStatus}. When the status is `defined`, the
 * float64 value from `expression.evaluate` at any point of the box also lies in [lo, hi]
 * (infinite endpoints included), as the property tests check.
 * Example: `x^2 - x` on x in [0, 1] gives about [-1, 1]: interval arithmetic ignores that
 * both terms share x, so enclosures can be much wider than the true range [-1/4, 0].
 * Throws InvalidInputError when a symbol of the expression is missing from the box or its
 * entry is not a number or a valid interval.
 * Cost: one visit per tree node.
 */
export function evaluateInterval(expression: ParsedExpression, box: Box): IntervalEnclosure {
  const { root } = expressionInternals(expression);
  const intervals = boxToIntervals(expression, box, 'evaluateInterval');
  const context: EvaluationContext = { intervals, partial: false };
  const result = evaluateNodeInterval(root, context);
  if (Number.isNaN(result.lo) || Number.isNaN(result.hi)) {
    return { lo: Number.NaN, hi: Number.NaN, domain: 'undefined' };
  }
  return { lo: result.lo, hi: result.hi, domain: context.partial ? 'partial' : 'defined' };
}

function boxToIntervals(expression: ParsedExpression, box: Box, caller: string): Map<string, Interval> {
  if (box === null || typeof box !== 'object') {
    throw new InvalidInputError(`${caller} box`, box, 'must map each symbol to a number or an interval {lo, hi}.');
  }
  const intervals = new Map<string, Interval>();
  for (const name of expression.symbols) {
    if (!Object.hasOwn(box, name)) {
      throw new InvalidInputError(
        `${caller} box`,
        name,
        `has no entry for symbol "${name}" of "${expression.source}". ` +
          `Give a number or an interval {lo, hi} for each of ${expression.symbols.join(', ')}.`,
      );
    }
    intervals.set(name, boxEntryToInterval(box[name], name, caller));
  }
  return intervals;
}

function boxEntryToInterval(entry: unknown, name: string, caller: string): Interval {
  if (typeof entry === 'number') {
    if (Number.isNaN(entry)) {
      throw new InvalidInputError(`${caller} box.${name}`, entry, 'is NaN. Give a number or an interval.');
    }
    return { lo: entry, hi: entry };
  }
  if (entry !== null && typeof entry === 'object' && 'lo' in entry && 'hi' in entry) {
    const { lo, hi } = entry as Interval;
    if (typeof lo === 'number' && typeof hi === 'number' && !Number.isNaN(lo) && !Number.isNaN(hi) && lo <= hi) {
      return { lo, hi };
    }
  }
  throw new InvalidInputError(
    `${caller} box.${name}`,
    entry,
    `must be a number or an interval {lo, hi} with lo <= hi, got ${formatValue(JSON.stringify(entry))}.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Interval operations

interface EvaluationContext {
  readonly intervals: ReadonlyMap<string, Interval>;
  /** Set when some point of the box may evaluate to NaN. */
  partial: boolean;
}

const WHOLE_LINE: Interval = { lo: Number.NEGATIVE_INFINITY, hi: Number.POSITIVE_INFINITY };
const UNDEFINED_INTERVAL: Interval = { lo: Number.NaN, hi: Number.NaN };

function isUndefinedInterval(value: Interval): boolean {
  return Number.isNaN(value.lo) || Number.isNaN(value.hi);
}

function containsZero(value: Interval): boolean {
  return value.lo <= 0 && value.hi >= 0;
}

function hasInfiniteEndpoint(value: Interval): boolean {
  return !Number.isFinite(value.lo) || !Number.isFinite(value.hi);
}

/** Widens [lo, hi] outward by `ulps`, mapping NaN endpoints to the infinite ones. */
function outward(lo: number, hi: number, ulps = 1): Interval {
  const low = Number.isNaN(lo) ? Number.NEGATIVE_INFINITY : roundDown(lo, ulps);
  const high = Number.isNaN(hi) ? Number.POSITIVE_INFINITY : roundUp(hi, ulps);
  return { lo: low, hi: high };
}

function constantInterval(value: number): Interval {
  // Integers up to 2^53 are exact doubles; other literals were rounded to the nearest double.
  if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return { lo: value, hi: value };
  return outward(value, value);
}

function evaluateNodeInterval(node: ExpressionNode, context: EvaluationContext): Interval {
  switch (node.kind) {
    case 'constant':
      return constantInterval(node.value);
    case 'namedConstant':
      return outward(node.value, node.value);
    case 'symbol':
      return context.intervals.get(node.name)!;
    case 'negate': {
      const operand = evaluateNodeInterval(node.operand, context);
      return { lo: -operand.hi, hi: -operand.lo };
    }
    case 'binary': {
      const left = evaluateNodeInterval(node.left, context);
      const right = evaluateNodeInterval(node.right, context);
      return applyBinaryInterval(node.operator, left, right, context);
    }
    case 'call': {
      const args = node.args.map((argument) => evaluateNodeInterval(argument, context));
      return applyFunctionInterval(node.name, args, context);
    }
  }
}

function applyBinaryInterval(
  operator: '+' | '-' | '*' | '/' | '^',
  left: Interval,
  right: Interval,
  context: EvaluationContext,
): Interval {
  if (operator === '^') return powerInterval(left, right, context);
  if (isUndefinedInterval(left) || isUndefinedInterval(right)) return UNDEFINED_INTERVAL;
  switch (operator) {
    case '+':
      return addInterval(left, right, context);
    case '-':
      return addInterval(left, { lo: -right.hi, hi: -right.lo }, context);
    case '*':
      return multiplyInterval(left, right, context);
    case '/':
      return divideInterval(left, right, context);
  }
}

function addInterval(left: Interval, right: Interval, context: EvaluationContext): Interval {
  // Infinity + (-Infinity) is NaN at a point, so opposite infinite endpoints flag the box.
  const oppositeInfinities =
    (left.lo === Number.NEGATIVE_INFINITY && right.hi === Number.POSITIVE_INFINITY) ||
    (left.hi === Number.POSITIVE_INFINITY && right.lo === Number.NEGATIVE_INFINITY);
  if (oppositeInfinities) context.partial = true;
  return { lo: sumRounded(left.lo, right.lo, 'down'), hi: sumRounded(left.hi, right.hi, 'up') };
}

/**
 * Rounds a + b in the given direction. The error term of Knuth's TwoSum is exact, so a sum
 * that float64 represents exactly (such as 1 - 1) is not widened, and an inexact one moves
 * one ulp only towards the side where the true sum lies.
 */
function sumRounded(a: number, b: number, direction: 'up' | 'down'): number {
  const sum = a + b;
  if (Number.isNaN(sum)) return direction === 'down' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return sum;
  if (!Number.isFinite(sum)) return direction === 'down' ? roundDown(sum) : roundUp(sum);

  const virtual = sum - a;
  const error = a - (sum - virtual) + (b - virtual);
  if (direction === 'down') return error < 0 ? nextDown(sum) : sum;
  return error > 0 ? nextUp(sum) : sum;
}

/** Veltkamp splitting constant 2^27 + 1 for float64. */
const SPLITTER = 134217729;
/**
 * Products whose operands or result lie outside [2^-969, 2^996] in magnitude can overflow
 * the splitting or underflow the error term, so they fall back to a one-ulp widening.
 */
const EXACT_PRODUCT_MIN = 2 ** -969;
const EXACT_PRODUCT_MAX = 2 ** 996;

/** Returns the exact rounding error a * b - fl(a * b) by Dekker's TwoProduct, or null outside its safe range. */
function productError(a: number, b: number, product: number): number | null {
  const magnitudes = [Math.abs(a), Math.abs(b), Math.abs(product)];
  if (magnitudes.some((value) => value < EXACT_PRODUCT_MIN || value > EXACT_PRODUCT_MAX)) return null;
  const split = (value: number): [number, number] => {
    const scaled = SPLITTER * value;
    const high = scaled - (scaled - value);
    return [high, value - high];
  };
  const [aHigh, aLow] = split(a);
  const [bHigh, bLow] = split(b);
  return aLow * bLow - (product - aHigh * bHigh - aLow * bHigh - aHigh * bLow);
}

/** Rounds a * b in the given direction, with 0 * Infinity taken as 0, the limit for finite operands. */
function productRounded(a: number, b: number, direction: 'up' | 'down'): number {
  if (a === 0 || b === 0) return 0;
  const product = a * b;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return product;
  const error = productError(a, b, product);
  if (error === null) return direction === 'down' ? roundDown(product) : roundUp(product);
  if (direction === 'down') return error < 0 ? nextDown(product) : product;
  return error > 0 ? nextUp(product) : product;
}

/** Rounds a / b in the given direction: an exact quotient (q * b == a exactly) is kept, others widen by one ulp. */
function quotientRounded(a: number, b: number, direction: 'up' | 'down'): number {
  const quotient = a / b;
  if (!Number.isFinite(quotient) || !Number.isFinite(a) || !Number.isFinite(b) || quotient === 0) {
    return direction === 'down' ? roundDown(quotient) : roundUp(quotient);
  }
  const back = quotient * b;
  const exact = back === a && productError(quotient, b, back) === 0;
  if (exact) return quotient;
  return direction === 'down' ? nextDown(quotient) : nextUp(quotient);
}

/** Product of endpoints with 0 * Infinity taken as 0, the limit for finite operands. */
function endpointProduct(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return a * b;
}

function multiplyInterval(left: Interval, right: Interval, context: EvaluationContext): Interval {
  if ((containsZero(left) && hasInfiniteEndpoint(right)) || (containsZero(right) && hasInfiniteEndpoint(left))) {
    // 0 * Infinity is NaN at a point.
    context.partial = true;
  }
  const pairs: [number, number][] = [
    [left.lo, right.lo],
    [left.lo, right.hi],
    [left.hi, right.lo],
    [left.hi, right.hi],
  ];
  return {
    lo: Math.min(...pairs.map(([a, b]) => productRounded(a, b, 'down'))),
    hi: Math.max(...pairs.map(([a, b]) => productRounded(a, b, 'up'))),
  };
}

function divideInterval(left: Interval, right: Interval, context: EvaluationContext): Interval {
  if (containsZero(right)) {
    // x / 0 is +-Infinity, inside the whole line; 0 / 0 is NaN.
    if (containsZero(left)) context.partial = true;
    return WHOLE_LINE;
  }
  if (hasInfiniteEndpoint(left) && hasInfiniteEndpoint(right)) {
    // Infinity / Infinity is NaN at a point.
    context.partial = true;
    return WHOLE_LINE;
  }
  const pairs: [number, number][] = [
    [left.lo, right.lo],
    [left.lo, right.hi],
    [left.hi, right.lo],
    [left.hi, right.hi],
  ];
  return {
    lo: Math.min(...pairs.map(([a, b]) => quotientRounded(a, b, 'down'))),
    hi: Math.max(...pairs.map(([a, b]) => quotientRounded(a, b, 'up'))),
  };
}

/** Computes base^exponent rounded down (`up` false) or up, for base >= 0 and a safe integer exponent >= 1. */
function powerOfNonNegative(base: number, exponent: number, up: boolean): number {
  const round = up ? (x: number) => nextUp(x) : (x: number) => Math.max(0, nextDown(x));
  let result = 1;
  let factor = base;
  let remaining = exponent;
  while (remaining > 0) {
    if (remaining % 2 === 1) result = round(result * factor);
    remaining = Math.floor(remaining / 2);
    if (remaining > 0) factor = round(factor * factor);
  }
  return result;
}

function integerPowerInterval(base: Interval, exponent: number, context: EvaluationContext): Interval {
  if (exponent === 0) return { lo: 1, hi: 1 }; // JavaScript: x^0 = 1 for every x, NaN included.
  if (isUndefinedInterval(base)) return UNDEFINED_INTERVAL;
  if (exponent < 0) {
    const positivePower = integerPowerInterval(base, -exponent, context);
    return divideInterval({ lo: 1, hi: 1 }, positivePower, context);
  }

  // Smallest |x| over the base interval: 0 when it contains 0.
  let magnitudeLo = 0;
  if (base.lo >= 0) magnitudeLo = base.lo;
  else if (base.hi <= 0) magnitudeLo = -base.hi;
  const magnitudeHi = Math.max(Math.abs(base.lo), Math.abs(base.hi));
  let lo: number;
  let hi: number;
  if (exponent % 2 === 0) {
    lo = powerOfNonNegative(magnitudeLo, exponent, false);
    hi = powerOfNonNegative(magnitudeHi, exponent, true);
  } else {
    // An odd power is increasing, and (-x)^k = -(x^k).
    lo = base.lo >= 0 ? powerOfNonNegative(base.lo, exponent, false) : -powerOfNonNegative(-base.lo, exponent, true);
    hi = base.hi >= 0 ? powerOfNonNegative(base.hi, exponent, true) : -powerOfNonNegative(-base.hi, exponent, false);
  }
  // The products above bound the exact power. The extra widening also covers the float64
  // value Math.pow returns at a point, which may differ from the exact power by an ulp.
  const widened = outward(lo, hi, LIBRARY_FUNCTION_ULPS);
  return exponent % 2 === 0 ? { lo: Math.max(0, widened.lo), hi: widened.hi } : widened;
}

function powerInterval(base: Interval, exponent: Interval, context: EvaluationContext): Interval {
  const exponentIsInteger =
    exponent.lo === exponent.hi && Number.isInteger(exponent.lo) && Math.abs(exponent.lo) <= Number.MAX_SAFE_INTEGER;
  if (exponentIsInteger) return integerPowerInterval(base, exponent.lo, context);
  if (isUndefinedInterval(base) || isUndefinedInterval(exponent)) return UNDEFINED_INTERVAL;

  // A non-integer power of a negative base is NaN. When the exponent interval contains integers,
  // some negative bases still give numbers, so a wholly negative base is not "undefined".
  if (base.hi < 0) {
    context.partial = true;
    return WHOLE_LINE;
  }
  let baseLo = base.lo;
  if (baseLo < 0) {
    context.partial = true;
    baseLo = 0;
  }

  // For x >= 0, x^y is monotone in x for fixed y and monotone in y for fixed x, so the range
  // over the rectangle is spanned by its four corners.
  const corners = [
    Math.pow(baseLo, exponent.lo),
    Math.pow(baseLo, exponent.hi),
    Math.pow(base.hi, exponent.lo),
    Math.pow(base.hi, exponent.hi),
  ];
  if (corners.some(Number.isNaN)) {
    // 1^Infinity and Infinity^0 edge cases: NaN at a point.
    context.partial = true;
    return WHOLE_LINE;
  }
  const lo = Math.max(0, roundDown(Math.min(...corners), LIBRARY_FUNCTION_ULPS));
  return { lo, hi: roundUp(Math.max(...corners), LIBRARY_FUNCTION_ULPS) };
}

/**
 * Clips `argument` to the closed domain [domainLo, domainHi]. Returns null (undefined
 * everywhere) when they do not overlap, and flags the context when clipping removed points.
 */
function clipToDomain(argument: Interval, domainLo: number, domainHi: number, context: EvaluationContext): Interval | null {
  if (argument.hi < domainLo || argument.lo > domainHi) return null;
  if (argument.lo < domainLo || argument.hi > domainHi) context.partial = true;
  return { lo: Math.max(argument.lo, domainLo), hi: Math.min(argument.hi, domainHi) };
}

function increasingLibraryFunction(argument: Interval, fn: (x: number) => number): Interval {
  return outward(fn(argument.lo), fn(argument.hi), LIBRARY_FUNCTION_ULPS);
}

function applyFunctionInterval(name: AllowedFunctionName, args: readonly Interval[], context: EvaluationContext): Interval {
  if (name === 'pow') return powerInterval(args[0]!, args[1]!, context);
  if (args.some(isUndefinedInterval)) return UNDEFINED_INTERVAL;
  const argument = args[0]!;

  switch (name) {
    case 'sqrt': {
      const clipped = clipToDomain(argument, 0, Number.POSITIVE_INFINITY, context);
      if (clipped === null) return UNDEFINED_INTERVAL;
      const rounded = outward(Math.sqrt(clipped.lo), Math.sqrt(clipped.hi));
      return { lo: Math.max(0, rounded.lo), hi: rounded.hi };
    }
    case 'log':
    case 'log2':
    case 'log10': {
      const logarithm = LOGARITHMS[name];
      const clipped = clipToDomain(argument, 0, Number.POSITIVE_INFINITY, context);
      if (clipped === null) return UNDEFINED_INTERVAL;
      const value = increasingLibraryFunction(clipped, logarithm);
      if (name === 'log' && args.length === 2) {
        const baseClipped = clipToDomain(args[1]!, 0, Number.POSITIVE_INFINITY, context);
        if (baseClipped === null) return UNDEFINED_INTERVAL;
        return divideInterval(value, increasingLibraryFunction(baseClipped, Math.log), context);
      }
      return value;
    }
    case 'exp': {
      const value = increasingLibraryFunction(argument, Math.exp);
      return { lo: Math.max(0, value.lo), hi: value.hi };
    }
    case 'atan':
      // nextUp(Math.PI / 2) exceeds pi / 2, so the clamp keeps every true value of atan.
      return clampInterval(increasingLibraryFunction(argument, Math.atan), -nextUp(Math.PI / 2), nextUp(Math.PI / 2));
    case 'tanh':
      return clampInterval(increasingLibraryFunction(argument, Math.tanh), -1, 1);
    case 'cbrt':
      return increasingLibraryFunction(argument, Math.cbrt);
    case 'asin': {
      const clipped = clipToDomain(argument, -1, 1, context);
      return clipped === null ? UNDEFINED_INTERVAL : increasingLibraryFunction(clipped, Math.asin);
    }
    case 'acos': {
      const clipped = clipToDomain(argument, -1, 1, context);
      if (clipped === null) return UNDEFINED_INTERVAL;
      const value = outward(Math.acos(clipped.hi), Math.acos(clipped.lo), LIBRARY_FUNCTION_ULPS);
      return { lo: Math.max(0, value.lo), hi: value.hi };
    }
    case 'floor':
      return { lo: Math.floor(argument.lo), hi: Math.floor(argument.hi) };
    case 'ceil':
      return { lo: Math.ceil(argument.lo), hi: Math.ceil(argument.hi) };
    case 'sign':
      return { lo: Math.sign(argument.lo), hi: Math.sign(argument.hi) };
    case 'abs':
      if (argument.lo >= 0) return argument;
      if (argument.hi <= 0) return { lo: -argument.hi, hi: -argument.lo };
      return { lo: 0, hi: Math.max(-argument.lo, argument.hi) };
    case 'min':
      return { lo: Math.min(...args.map((a) => a.lo)), hi: Math.min(...args.map((a) => a.hi)) };
    case 'max':
      return { lo: Math.max(...args.map((a) => a.lo)), hi: Math.max(...args.map((a) => a.hi)) };
    case 'sin':
      return sineInterval(argument, 0.25, context);
    case 'cos':
      return sineInterval(argument, 0, context);
    case 'tan':
      return tangentInterval(argument, context);
  }
}

const LOGARITHMS: Readonly<Record<'log' | 'log2' | 'log10', (x: number) => number>> = {
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
};

function clampInterval(value: Interval, lo: number, hi: number): Interval {
  return { lo: Math.max(value.lo, lo), hi: Math.min(value.hi, hi) };
}

/**
 * Encloses sin (maximumPhase 0.25) or cos (maximumPhase 0) over `argument`. The function has
 * its maxima at x / (2 pi) = maximumPhase + k and its minima half a period later. Endpoint
 * values are widened, then 1 or -1 is included when an extremum may lie in the interval.
 */
function sineInterval(argument: Interval, maximumPhase: number, context: EvaluationContext): Interval {
  const fn = maximumPhase === 0 ? Math.cos : Math.sin;
  if (hasInfiniteEndpoint(argument)) {
    context.partial = true; // sin(Infinity) is NaN.
    return { lo: -1, hi: 1 };
  }
  const largest = Math.max(Math.abs(argument.lo), Math.abs(argument.hi));
  if (largest > MAX_TRIGONOMETRIC_ARGUMENT || argument.hi - argument.lo >= 2 * Math.PI) return { lo: -1, hi: 1 };

  const endpoints = outward(
    Math.min(fn(argument.lo), fn(argument.hi)),
    Math.max(fn(argument.lo), fn(argument.hi)),
    LIBRARY_FUNCTION_ULPS,
  );
  const periodLo = argument.lo / (2 * Math.PI);
  const periodHi = argument.hi / (2 * Math.PI);
  const includesMaximum = mayContainPhase(periodLo, periodHi, maximumPhase);
  const includesMinimum = mayContainPhase(periodLo, periodHi, maximumPhase + 0.5);
  return {
    lo: includesMinimum ? -1 : Math.max(-1, endpoints.lo),
    hi: includesMaximum ? 1 : Math.min(1, endpoints.hi),
  };
}

/** Tests whether some phase + k (k integer) may lie in [periodLo, periodHi], with slack. */
function mayContainPhase(periodLo: number, periodHi: number, phase: number): boolean {
  const firstK = Math.ceil(periodLo - phase - TRIGONOMETRIC_SLACK_PERIODS);
  return firstK + phase <= periodHi + TRIGONOMETRIC_SLACK_PERIODS;
}

function tangentInterval(argument: Interval, context: EvaluationContext): Interval {
  if (hasInfiniteEndpoint(argument)) {
    context.partial = true;
    return WHOLE_LINE;
  }
  const largest = Math.max(Math.abs(argument.lo), Math.abs(argument.hi));
  if (largest > MAX_TRIGONOMETRIC_ARGUMENT || argument.hi - argument.lo >= Math.PI) return WHOLE_LINE;
  // Poles at x / pi = 1/2 + k. In floats tan never returns infinity near a pole, only large
  // values, so the whole line encloses every point value.
  if (mayContainPhase(argument.lo / Math.PI, argument.hi / Math.PI, 0.5)) return WHOLE_LINE;
  return increasingLibraryFunction(argument, Math.tan);
}

// ---------------------------------------------------------------------------------------------
// Sign certification

/** The sign {@link certifySign} tries to prove. */
export type SignClaim = 'positive' | 'negative' | 'nonnegative' | 'nonpositive';

/** Options of {@link certifySign}. */
export interface CertifySignOptions {
  readonly sign: SignClaim;
  /** Maximum number of bisections from the root box to a leaf; default {@link DEFAULT_CERTIFY_MAX_DEPTH}. */
  readonly maxDepth?: number;
  /** Maximum number of boxes evaluated; default {@link DEFAULT_CERTIFY_MAX_BOXES}. */
  readonly maxBoxes?: number;
}

/** Outcome of {@link certifySign}. */
export interface SignCertificate {
  /**
   * `certified`: interval arithmetic proved the sign on every sub-box. `counterexample`: the
   * point `counterexample` violates the sign, with float64 value `value`. `undecided`:
   * neither, within the depth and box limits.
   */
  readonly status: 'certified' | 'counterexample' | 'undecided';
  readonly boxesExamined: number;
  readonly counterexample?: Record<string, number>;
  readonly value?: number;
  /** Number of sub-boxes left unproved when the status is `undecided`. */
  readonly undecidedBoxes?: number;
}

interface Dimension {
  readonly name: string;
  readonly logScale: boolean;
  /** Width of the root box in the dimension's scale, to compare dimensions of different units. */
  readonly rootWidth: number;
}

interface PendingBox {
  readonly intervals: Map<string, Interval>;
  readonly depth: number;
}

/**
 * Proves or refutes `expression` having the sign `options.sign` on every point of `box`, by
 * branch and bound.
 *
 * For each sub-box, starting with the whole box: if its interval enclosure is `defined` and
 * proves the sign (lo > 0 for `positive`, lo >= 0 for `nonnegative`, hi < 0 for `negative`,
 * hi <= 0 for `nonpositive`), the sub-box is done. Otherwise the float64 value at its
 * midpoint is computed; a value of the wrong sign, or NaN, is returned as a counterexample.
 * Otherwise the sub-box is bisected along its widest dimension, widths being measured
 * relative to the root box and in log scale for dimensions whose root interval is positive
 * and spans more than a factor {@link LOG_SCALE_MIN_RATIO} (those are split at the geometric
 * mean). Sub-boxes at `maxDepth`, and those left when `maxBoxes` boxes were examined, count
 * as undecided. Sub-boxes are explored breadth first, lower halves first.
 *
 * Symbols fixed to a number in `box` are never split. Interval endpoints must be finite.
 * A `certified` result rests on the outward rounding described in the module documentation.
 * A `counterexample` comes from a float64 evaluation, so a value within rounding error of 0
 * may be an artefact of rounding. One whose evaluation overflowed is reported only when the
 * enclosure at the point confirms it.
 * NOTE: a value that underflowed to 0 (exp(-1000) > 0) is still reported as a counterexample.
 * Example: `-1 / m` with m in [1, 10] is certified negative after one box.
 * Throws InvalidInputError for a missing or invalid box entry or invalid options.
 * Cost: at most maxBoxes interval evaluations and point evaluations.
 */
export function certifySign(expression: ParsedExpression, box: Box, options: CertifySignOptions): SignCertificate {
  const { sign, maxDepth, maxBoxes } = checkCertifyOptions(options);
  const rootIntervals = boxToIntervals(expression, box, 'certifySign');
  const dimensions = freeDimensions(rootIntervals);

  // Breadth first: coarse boxes all over the domain are tried before any corner is refined,
  // so a counterexample far from a hard spot is found early.
  const queue: Array<PendingBox | undefined> = [{ intervals: rootIntervals, depth: 0 }];
  let head = 0;
  let boxesExamined = 0;
  let undecidedBoxes = 0;
  while (head < queue.length) {
    if (boxesExamined >= maxBoxes) {
      undecidedBoxes += queue.length - head;
      break;
    }
    const current = queue[head]!;
    queue[head] = undefined; // lets the examined box be garbage-collected
    head++;
    boxesExamined++;

    const enclosure = evaluateBoxInterval(expression, current.intervals);
    if (enclosure.domain === 'defined' && intervalProvesSign(enclosure, sign)) continue;

    const point = boxMidpoint(current.intervals, dimensions);
    const value = expression.evaluate(point);
    // An overflowed sub-expression can flip the sign (1e200^2 is Infinity and -1 / Infinity is
    // -0). Such a value counts only when the enclosure at the point confirms it, else the box
    // is bisected further.
    if (!valueHasSign(value, sign) && (pointViolatesSign(expression, point, sign) || !overflowsAt(expression, point))) {
      return { status: 'counterexample', boxesExamined, counterexample: point, value };
    }

    const halves = current.depth < maxDepth ? bisectBox(current.intervals, dimensions) : null;
    if (halves === null) {
      undecidedBoxes++;
      continue;
    }
    queue.push({ intervals: halves[0], depth: current.depth + 1 });
    queue.push({ intervals: halves[1], depth: current.depth + 1 });
  }

  if (undecidedBoxes > 0) return { status: 'undecided', boxesExamined, undecidedBoxes };
  return { status: 'certified', boxesExamined };
}

function checkCertifyOptions(options: CertifySignOptions): { sign: SignClaim; maxDepth: number; maxBoxes: number } {
  const signs: readonly SignClaim[] = ['positive', 'negative', 'nonnegative', 'nonpositive'];
  if (options === null || typeof options !== 'object' || !signs.includes(options.sign)) {
    throw new InvalidInputError(
      'certifySign options.sign',
      options?.sign,
      `must be one of ${signs.join(', ')}.`,
    );
  }
  const maxDepth = options.maxDepth ?? DEFAULT_CERTIFY_MAX_DEPTH;
  if (!Number.isInteger(maxDepth) || maxDepth < 0 || maxDepth > 1000) {
    throw new InvalidInputError(
      'certifySign options.maxDepth',
      maxDepth,
      `must be an integer from 0 to 1000, got ${formatValue(maxDepth)}.`,
    );
  }
  const maxBoxes = options.maxBoxes ?? DEFAULT_CERTIFY_MAX_BOXES;
  if (!Number.isInteger(maxBoxes) || maxBoxes < 1 || maxBoxes > MAX_CERTIFY_BOXES) {
    throw new InvalidInputError(
      'certifySign options.maxBoxes',
      maxBoxes,
      `must be an integer from 1 to ${MAX_CERTIFY_BOXES}, got ${formatValue(maxBoxes)}.`,
    );
  }
  return { sign: options.sign, maxDepth, maxBoxes };
}

function freeDimensions(intervals: ReadonlyMap<string, Interval>): Dimension[] {
  const dimensions: Dimension[] = [];
  const namesInOrder = [...intervals.keys()].sort();
  for (const name of namesInOrder) {
    const range = intervals.get(name)!;
    if (!Number.isFinite(range.lo) || !Number.isFinite(range.hi)) {
      throw new InvalidInputError(
        `certifySign box.${name}`,
        range,
        `must have finite endpoints, got [${formatValue(range.lo)}, ${formatValue(range.hi)}]. ` +
          'Bisection needs a bounded box.',
      );
    }
    if (range.lo === range.hi) continue;
    const logScale = range.lo > 0 && range.hi / range.lo > LOG_SCALE_MIN_RATIO;
    const rootWidth = logScale ? Math.log(range.hi / range.lo) : range.hi - range.lo;
    dimensions.push({ name, logScale, rootWidth });
  }
  return dimensions;
}

function evaluateBoxInterval(expression: ParsedExpression, intervals: ReadonlyMap<string, Interval>): IntervalEnclosure {
  const box: Record<string, Interval> = {};
  for (const [name, range] of intervals) box[name] = range;
  return evaluateInterval(expression, box);
}

/** Returns true when a sub-expression of `expression` is infinite at `point`. */
function overflowsAt(expression: ParsedExpression, point: Record<string, number>): boolean {
  return findNonFiniteSubexpressions(expression, point).some((term) => term.value === Number.POSITIVE_INFINITY || term.value === Number.NEGATIVE_INFINITY);
}

/**
 * Returns true when the enclosure of `expression` at the single point `point` proves that
 * the point violates `sign` (or that the expression is undefined there).
 */
function pointViolatesSign(expression: ParsedExpression, point: Record<string, number>, sign: SignClaim): boolean {
  const intervals = new Map(Object.entries(point).map(([name, value]) => [name, { lo: value, hi: value }]));
  const enclosure = evaluateBoxInterval(expression, intervals);
  if (enclosure.domain === 'undefined') return true;
  if (enclosure.domain !== 'defined') return false;
  switch (sign) {
    case 'positive':
      return enclosure.hi <= 0;
    case 'nonnegative':
      return enclosure.hi < 0;
    case 'negative':
      return enclosure.lo >= 0;
    case 'nonpositive':
      return enclosure.lo > 0;
  }
}

function intervalProvesSign(enclosure: Interval, sign: SignClaim): boolean {
  switch (sign) {
    case 'positive':
      return enclosure.lo > 0;
    case 'nonnegative':
      return enclosure.lo >= 0;
    case 'negative':
      return enclosure.hi < 0;
    case 'nonpositive':
      return enclosure.hi <= 0;
  }
}

/** Tests a float64 value against the claimed sign; NaN has no sign. */
function valueHasSign(value: number, sign: SignClaim): boolean {
  switch (sign) {
    case 'positive':
      return value > 0;
    case 'nonnegative':
      return value >= 0;
    case 'negative':
      return value < 0;
    case 'nonpositive':
      return value <= 0;
  }
}

function splitPoint(range: Interval, logScale: boolean): number {
  return logScale ? Math.sqrt(range.lo) * Math.sqrt(range.hi) : range.lo + (range.hi - range.lo) / 2;
}

function boxMidpoint(intervals: ReadonlyMap<string, Interval>, dimensions: readonly Dimension[]): Record<string, number> {
  const point: Record<string, number> = {};
  for (const [name, range] of intervals) point[name] = range.lo;
  for (const dimension of dimensions) {
    const range = intervals.get(dimension.name)!;
    point[dimension.name] = splitPoint(range, dimension.logScale);
  }
  return point;
}

/** Splits the widest dimension; returns null when no dimension has a double strictly inside. */
function bisectBox(
  intervals: ReadonlyMap<string, Interval>,
  dimensions: readonly Dimension[],
): [Map<string, Interval>, Map<string, Interval>] | null {
  let widest: Dimension | null = null;
  let widestFraction = 0;
  let widestSplit = 0;
  for (const dimension of dimensions) {
    const range = intervals.get(dimension.name)!;
    const split = splitPoint(range, dimension.logScale);
    if (!(split > range.lo && split < range.hi)) continue;
    const width = dimension.logScale ? Math.log(range.hi / range.lo) : range.hi - range.lo;
    const fraction = width / dimension.rootWidth;
    if (fraction > widestFraction) {
      widest = dimension;
      widestFraction = fraction;
      widestSplit = split;
    }
  }
  if (widest === null) return null;

  const range = intervals.get(widest.name)!;
  const lower = new Map(intervals);
  const upper = new Map(intervals);
  lower.set(widest.name, { lo: range.lo, hi: widestSplit });
  upper.set(widest.name, { lo: widestSplit, hi: range.hi });
  return [lower, upper];
}
