/**
 * Exact signed sums of float64 values, for dot products s . x with s in {-1, +1}^d.
 *
 * The indicator 1[s . x >= 0] needs the sign of the real number s . x, and s . x = 0
 * happens with positive probability when x has coordinates of equal magnitude (hypercube
 * inputs). Floating-point summation can turn such an exact zero into +-1e-17, so the fast
 * kernels in bitpack.ts use two tools from this file:
 *
 * - `splitForExactSums` splits each x_k into a high part q_k on a coarse power-of-two grid
 *   and a low remainder r_k = x_k - q_k (both exact; the splitting constant follows Rump,
 *   Ogita and Oishi, "Accurate floating-point summation part I", SIAM J. Sci. Comput. 31,
 *   2008). Any signed sum of the q_k is then exact in float64, in any order.
 * - `exactSignedSum` sums with Shewchuk's expansion arithmetic ("Adaptive precision
 *   floating-point arithmetic and fast robust geometric predicates", Discrete Comput. Geom.
 *   18, 1997), which keeps the sum exactly as a list of non-overlapping float64 values.
 *
 * Both assume finite inputs whose partial sums do not overflow.
 */

/**
 * 2^53: every integer multiple of a power of two g up to 2^53 g in magnitude is a float64,
 * so when the absolute values of multiples of g add up to at most 2^53 g, every partial sum
 * of them, with any signs and in any order, is computed exactly.
 */
const EXACT_INTEGER_LIMIT = 2 ** 53;

/** The high and low parts of one input vector and the facts the kernels need about them. */
export interface ExactSplit {
  /** High parts q_k (length d). */
  high: Float64Array;
  /** Low parts r_k = x_k - q_k (length d). */
  low: Float64Array;
  /** True when every signed sum of the high parts is exact in float64, in any order. */
  highExact: boolean;
  /** True when every signed sum of the low parts is exact in float64, in any order. */
  lowExact: boolean;
  /** sum_k |q_k| (rounded up slightly). */
  highAbsSum: number;
  /** sum_k |r_k| (rounded up slightly): a bound on |sum_k s_k r_k|. */
  lowAbsSum: number;
}

/**
 * Splits x[offset .. offset + d) into high parts q_k and low parts r_k with x_k = q_k + r_k
 * exactly.
 *
 * With M the smallest power of two >= max_k |x_k| and sigma = 2^(ceil(log2 d) + 1) M, the
 * high part is q_k = (sigma + x_k) - sigma evaluated in float64. Each q_k is a multiple of
 * ulp(sigma) / 2 and sum_k |q_k| <= sigma / 2, so signed sums of the q_k are exact. That
 * fact, and the same fact for the low parts, is checked on the actual values (lowest set
 * bit of each part against the sum of absolute values) rather than assumed, and reported
 * in `highExact` and `lowExact`. If sigma overflows, the high parts are x itself and
 * `highExact` is false. Cost: O(d).
 */
export function splitForExactSums(x: ArrayLike<number>, offset: number, d: number): ExactSplit {
  const high = new Float64Array(d);
  const low = new Float64Array(d);
  let maxAbs = 0;
  for (let k = 0; k < d; k++) maxAbs = Math.max(maxAbs, Math.abs(x[offset + k]!));

  let sigma = 0;
  if (maxAbs > 0) {
    let bound = 2 ** Math.ceil(Math.log2(maxAbs));
    // Math.log2 may round an exact power of two down; the loop restores bound >= maxAbs.
    while (bound < maxAbs) bound *= 2;
    sigma = bound * 2 ** (Math.ceil(Math.log2(Math.max(d, 1))) + 1);
  }
  const useSigma = Number.isFinite(sigma) && sigma > 0;
  for (let k = 0; k < d; k++) {
    const value = x[offset + k]!;
    const highPart = useSigma ? sigma + value - sigma : value;
    high[k] = highPart;
    low[k] = value - highPart;
  }

  const highFacts = exactnessOf(high);
  const lowFacts = exactnessOf(low);
  return {
    high,
    low,
    highExact: useSigma && highFacts.exact,
    lowExact: lowFacts.exact,
    highAbsSum: highFacts.absSum,
    lowAbsSum: lowFacts.absSum,
  };
}

/**
 * Returns sum_k s_k x_k exactly rounded in sign: the result is 0 exactly when the real sum
 * is 0, and otherwise has the sign of the real sum and differs from it by at most about one
 * unit in the last place.
 *
 * s_k = +1 when bit k of the sign row is set and -1 otherwise; the row starts at word
 * `wordOffset` of `signWords` with bit k at word k >>> 5, position k & 31. The sum is kept as
 * a Shewchuk expansion (components of increasing magnitude that do not overlap), so the
 * largest component carries the sign. Cost: O(d * length of the expansion), in the worst
 * case O(d^2); this is the slow path that the kernels use only for near-ties.
 */
export function exactSignedSum(
  x: ArrayLike<number>,
  offset: number,
  d: number,
  signWords: Uint32Array,
  wordOffset: number,
): number {
  const expansion: number[] = [];
  for (let k = 0; k < d; k++) {
    const bit = (signWords[wordOffset + (k >>> 5)]! >>> (k & 31)) & 1;
    const term = bit === 1 ? x[offset + k]! : -x[offset + k]!;
    growExpansion(expansion, term);
  }
  // Components increase in magnitude and do not overlap, so adding them from the smallest
  // up keeps the sign of the largest and never cancels to zero.
  let sum = 0;
  for (const component of expansion) sum += component;
  return sum;
}

/**
 * Adds `term` to the expansion in place (Shewchuk's GROW-EXPANSION with zero elimination).
 * Each step is Knuth's two-sum, which splits a + b into its rounded sum and the exact
 * rounding error.
 */
function growExpansion(expansion: number[], term: number): void {
  let carry = term;
  let write = 0;
  for (let read = 0; read < expansion.length; read++) {
    const component = expansion[read]!;
    const sum = carry + component;
    const bVirtual = sum - carry;
    const aVirtual = sum - bVirtual;
    const error = (carry - aVirtual) + (component - bVirtual);
    carry = sum;
    if (error !== 0) expansion[write++] = error;
  }
  expansion.length = write;
  if (carry !== 0) expansion.push(carry);
}

/** Checks whether signed sums of `values` are exact and returns sum |v| rounded up. */
function exactnessOf(values: Float64Array): { exact: boolean; absSum: number } {
  let absSum = 0;
  let grid = Infinity;
  for (const value of values) {
    if (value === 0) continue;
    absSum += Math.abs(value);
    grid = Math.min(grid, lowestSetBit(value));
  }
  // The float sum of |v| has relative error below d * 2^-53; one part in 2^20 covers it
  // for any d below 2^30.
  const absSumUpper = absSum * (1 + 2 ** -20);
  const exact = absSum === 0 || absSumUpper <= EXACT_INTEGER_LIMIT * grid;
  return { exact, absSum: absSumUpper };
}

const bitView = new DataView(new ArrayBuffer(8));

/** Returns the value of the lowest set bit of |value| (a power of two), for finite nonzero values. */
export function lowestSetBit(value: number): number {
  bitView.setFloat64(0, value);
  const highWord = bitView.getUint32(0);
  const lowWord = bitView.getUint32(4);
  const biasedExponent = (highWord >>> 20) & 0x7ff;
  // Subnormals have exponent field 0 and the same scale as exponent field 1.
  const exponent = (biasedExponent === 0 ? 1 : biasedExponent) - 1075;
  let trailingZeros: number;
  if (lowWord !== 0) {
    trailingZeros = 31 - Math.clz32(lowWord & -lowWord);
  } else {
    const mantissaHigh = (highWord & 0xfffff) | (biasedExponent === 0 ? 0 : 0x100000);
    trailingZeros = 32 + 31 - Math.clz32(mantissaHigh & -mantissaHigh);
  }
  return 2 ** (exponent + trailingZeros);
}
