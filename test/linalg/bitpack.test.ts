import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/errors.js';
import {
  getBit,
  packActivationPatterns,
  packSigns,
  patternOverlap,
  patternTransposeProduct,
  signActivationPatterns,
  signDotProducts,
  type PackedBits,
} from '../../src/linalg/bitpack.js';
import { multiplyABt } from '../../src/linalg/dense.js';
import { preactivationPatternRowsWasm, wasmKernelsAvailable } from '../../src/linalg/wasmKernels.js';

/** Unit roundoff of float64. */
const UNIT_ROUNDOFF = 2 ** -53;

/**
 * Comparison rule for signDotProducts against the plain sequential sum: both are within
 * gamma_(d-1) sum_k |x_k| of the exact value (Higham's bound for any summation order), so
 * they differ by at most twice that; 2 d u sum |x_k| covers it with room for the
 * 1 / (1 - d u) factor.
 */
function plainSumTolerance(x: Float64Array, offset: number, d: number): number {
  let absSum = 0;
  for (let k = 0; k < d; k++) absSum += Math.abs(x[offset + k]!);
  return 2 * d * UNIT_ROUNDOFF * absSum * 1.001;
}

/** Returns x exactly as an integer multiple of 2^-1074 (every finite float64 is one). */
function toScaledBigInt(value: number): bigint {
  if (value === 0) return 0n;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fraction = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const shift = BigInt((biased === 0 ? 1 : biased) - 1);
  const magnitude = mantissa << shift;
  return value < 0 ? -magnitude : magnitude;
}

/** Returns the sign (-1, 0, 1) of the exact real number sum_k s_k x_k. */
function exactSign(signRow: number[], x: Float64Array, offset: number): number {
  let total = 0n;
  for (let k = 0; k < signRow.length; k++) {
    const term = toScaledBigInt(x[offset + k]!);
    total += signRow[k] === 1 ? term : -term;
  }
  if (total > 0n) return 1;
  if (total < 0n) return -1;
  return 0;
}

function plainSignedSum(signRow: number[], x: Float64Array, offset: number): number {
  let sum = 0;
  for (let k = 0; k < signRow.length; k++) sum += signRow[k] === 1 ? x[offset + k]! : -x[offset + k]!;
  return sum;
}

function signMatrix(rows: number[][]): PackedBits {
  const cols = rows[0]!.length;
  return packSigns(Float64Array.from(rows.flat()), rows.length, cols);
}

function plainOverlap(bits: number[][]): number[] {
  const n = bits.length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let count = 0;
      for (let r = 0; r < bits[i]!.length; r++) count += bits[i]![r]! & bits[j]![r]!;
      out.push(count);
    }
  }
  return out;
}

const bitMatrix = fc
  .record({ n: fc.integer({ min: 1, max: 9 }), m: fc.integer({ min: 1, max: 200 }) })
  .chain(({ n, m }) => fc.array(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }));

describe('packSigns', () => {
  it('packs sign(0) = +1 and pads rows to whole words', () => {
    const packed = packSigns(Float64Array.from([0, -0, -1e-300, 2, ...new Array(30).fill(-1), 5]), 1, 35);
    expect(packed.wordsPerRow).toBe(2);
    expect(packed.words[0]).toBe(0b1011);
    // Bit 34 is the only set bit of the second word; the padding bits stay zero.
    expect(packed.words[1]).toBe(1 << 2);
  });

  it('compares against the threshold alpha', () => {
    const packed = packSigns(Float64Array.from([0.5, 0.2, 0.1]), 1, 3, 0.2);
    expect([getBit(packed, 0, 0), getBit(packed, 0, 1), getBit(packed, 0, 2)]).toEqual([1, 1, 0]);
  });

  it('rejects NaN weights', () => {
    expect(() => packSigns(Float64Array.from([1, NaN]), 1, 2)).toThrow(InvalidInputError);
  });
});

describe('packActivationPatterns', () => {
  it('sets 1[z >= -tol] per input', () => {
    // Input 0 with tolerance 0, input 1 with tolerance 0.1.
    const z = Float64Array.from([0, -0.05, 1, 0, -0.05, -0.2]);
    const packed = packActivationPatterns(z, 2, 3, Float64Array.from([0, 0.1]));
    expect(packed.words[0]).toBe(0b101);
    expect(packed.words[1]).toBe(0b011);
  });

  it('rejects a negative tolerance', () => {
    expect(() => packActivationPatterns(new Float64Array(2), 1, 2, -1)).toThrow(/finite and >= 0/);
  });
});

describe('patternOverlap', () => {
  it('counts the common active neurons of a hand case', () => {
    const patterns = packActivationPatterns(Float64Array.from([1, 1, -1, 1, -1, 1]), 2, 3);
    expect(Array.from(patternOverlap(patterns))).toEqual([2, 1, 1, 2]);
  });

  const implementations = wasmKernelsAvailable() ? (['typescript', 'wasm'] as const) : (['typescript'] as const);
  for (const implementation of implementations) {
    it(`equals the plain integer overlap (${implementation})`, () => {
      fc.assert(
        fc.property(bitMatrix, (bits) => {
          const n = bits.length;
          const m = bits[0]!.length;
          const z = Float64Array.from(bits.flat().map((bit) => (bit === 1 ? 1 : -1)));
          const overlap = patternOverlap(packActivationPatterns(z, n, m), { implementation });
          expect(Array.from(overlap)).toEqual(plainOverlap(bits));
        }),
        { seed: 21, numRuns: 150 },
      );
    });
  }

  it('agrees between the two kernels on rows longer than one cache chunk', () => {
    const n = 7;
    const m = 300 * 32 + 5;
    const z = Float64Array.from({ length: n * m }, (_, index) => Math.sin(index * 12.9898) - 0.1);
    const patterns = packActivationPatterns(z, n, m);
    const typescript = patternOverlap(patterns, { implementation: 'typescript' });
    if (wasmKernelsAvailable()) expect(patternOverlap(patterns, { implementation: 'wasm' })).toEqual(typescript);
    const bits = Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, r) => (z[i * m + r]! >= 0 ? 1 : 0)));
    expect(Array.from(typescript)).toEqual(plainOverlap(bits));
  });
});

describe('signDotProducts', () => {
  it('returns exact zero for a hand tie', () => {
    // x = (1, 1) / sqrt(2) and s = (1, -1) give s . x = 0 exactly.
    const x = Float64Array.from([Math.SQRT1_2, Math.SQRT1_2]);
    const z = signDotProducts(signMatrix([[1, -1], [1, 1], [-1, -1]]), x, 1, 2);
    expect(Object.is(z[0], 0) || Object.is(z[0], -0)).toBe(true);
    expect(z[0]).toBe(0);
    expect(z[1]).toBe(Math.SQRT1_2 + Math.SQRT1_2);
    expect(z[2]).toBe(-(Math.SQRT1_2 + Math.SQRT1_2));
  });

  it('returns exact zeros for balanced signs on a hypercube input', () => {
    for (const d of [3, 10, 64, 100]) {
      const c = 1 / Math.sqrt(d);
      const x = new Float64Array(d).fill(c);
      const balanced = Array.from({ length: d }, (_, k) => (k % 2 === 0 ? 1 : -1));
      const z = signDotProducts(signMatrix([balanced]), x, 1, d);
      // Odd d leaves one +c; even d cancels exactly.
      expect(z[0]).toBe(d % 2 === 0 ? 0 : c);
    }
  });

  it('finds the exact zero that sequential summation misses', () => {
    // Sequentially, 1 + 2^-60 rounds to 1, so the plain sum ends at -2^-60; the exact sum is 0.
    const x = Float64Array.from([1, 2 ** -60, -1, -(2 ** -60)]);
    const row = [1, 1, 1, 1];
    expect(plainSignedSum(row, x, 0)).toBe(-(2 ** -60));
    expect(signDotProducts(signMatrix([row]), x, 1, 4)[0]).toBe(0);
    expect(getBit(signActivationPatterns(signMatrix([row]), x, 1, 4), 0, 0)).toBe(1);
  });

  it('falls back to exact sums when the low parts span many binades', () => {
    // The parts below the splitting grid (2^-51 and 2^-120) are too far apart for exact
    // float sums, so the table sum ends at -2^-120 and the exact fallback must return 0.
    const x = Float64Array.from([1, 2 ** -51, 2 ** -120, -1, -(2 ** -51), -(2 ** -120)]);
    const row = [1, 1, 1, 1, 1, 1];
    expect(plainSignedSum(row, x, 0)).not.toBe(0);
    expect(signDotProducts(signMatrix([row]), x, 1, 6)[0]).toBe(0);
    expect(getBit(signActivationPatterns(signMatrix([row]), x, 1, 6), 0, 0)).toBe(1);
    const shifted = Float64Array.from([1, 2 ** -51, 2 ** -120, -1, -(2 ** -51), -(2 ** -119)]);
    expect(signDotProducts(signMatrix([row]), shifted, 1, 6)[0]).toBe(-(2 ** -120));
  });

  it('keeps the sign that absorption would lose', () => {
    // 1e16 + 1 rounds to 1e16, so the plain sum is 0, but the exact sum is 1.
    const x = Float64Array.from([1e16, 1, -1e16]);
    expect(plainSignedSum([1, 1, 1], x, 0)).toBe(0);
    expect(signDotProducts(signMatrix([[1, 1, 1]]), x, 1, 3)[0]).toBe(1);
    const negative = signDotProducts(signMatrix([[1, -1, 1]]), x, 1, 3)[0]!;
    expect(negative).toBe(-1);
  });

  it('matches the exact sign and the plain sum on random inputs', () => {
    const inputCase = fc
      .record({ n: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 6 }), d: fc.integer({ min: 1, max: 70 }) })
      .chain(({ n, m, d }) =>
        fc.record({
          n: fc.constant(n),
          m: fc.constant(m),
          d: fc.constant(d),
          // Small integers scaled by a common factor produce many exact ties.
          x: fc.array(
            fc.oneof(
              fc.double({ min: -4, max: 4, noNaN: true }),
              fc.integer({ min: -3, max: 3 }).map((value) => value / Math.sqrt(7)),
            ),
            { minLength: n * d, maxLength: n * d },
          ),
          signs: fc.array(fc.array(fc.constantFrom(-1, 1), { minLength: d, maxLength: d }), { minLength: m, maxLength: m }),
        }),
      );
    fc.assert(
      fc.property(inputCase, ({ n, m, d, x: values, signs }) => {
        const x = Float64Array.from(values);
        const packedSigns = signMatrix(signs.map((row) => row.map((value) => (value === 1 ? 1 : -1))));
        const z = signDotProducts(packedSigns, x, n, d);
        const patterns = signActivationPatterns(packedSigns, x, n, d);
        for (let i = 0; i < n; i++) {
          for (let r = 0; r < m; r++) {
            const row = signs[r]!.map((value) => (value === 1 ? 1 : 0));
            const sign = exactSign(row, x, i * d);
            expect(Math.sign(z[i * m + r]!)).toBe(sign);
            expect(getBit(patterns, i, r)).toBe(sign >= 0 ? 1 : 0);
            expect(Math.abs(z[i * m + r]! - plainSignedSum(row, x, i * d))).toBeLessThanOrEqual(plainSumTolerance(x, i * d, d));
          }
        }
      }),
      { seed: 31, numRuns: 300 },
    );
  });

  it('rejects signs whose width differs from d', () => {
    expect(() => signDotProducts(signMatrix([[1, 1, 1]]), new Float64Array(2), 1, 2)).toThrow(/d = 2/);
  });
});

describe.runIf(wasmKernelsAvailable())('preactivationPatternRowsWasm', () => {
  it('equals packActivationPatterns of multiplyABt, across neuron blocks', () => {
    for (const [n, m, d] of [
      [1, 1, 1],
      [5, 33, 3],
      [6, 2100, 8],
    ] as const) {
      const x = Float64Array.from({ length: n * d }, (_, index) => Math.sin(index * 0.77 + 0.3));
      const w = Float64Array.from({ length: m * d }, (_, index) => Math.cos(index * 1.91 + 0.7));
      const tolerances = Float64Array.from({ length: n }, (_, i) => (i % 2) * 0.05);
      const expected = packActivationPatterns(multiplyABt(x, n, w, m, d), n, m, tolerances);
      expect(preactivationPatternRowsWasm(x, n, w, m, d, tolerances, 0, n)).toEqual(expected.words);
    }
  });
});

describe('patternTransposeProduct', () => {
  it('sums c_i x_i over the active inputs of each neuron (hand case)', () => {
    // Neuron 0 is active for inputs 0 and 1, neuron 1 for input 1 only.
    const patterns = packActivationPatterns(Float64Array.from([1, -1, 1, 1]), 2, 2);
    const result = patternTransposeProduct(patterns, Float64Array.from([2, -1]), Float64Array.from([1, 0, 3, 4]), 2);
    expect(Array.from(result)).toEqual([2 - 3, -4, -3, -4]);
  });

  it('equals the plain loop within the summation-order bound', () => {
    const n = 21;
    const m = 70;
    const d = 5;
    const z = Float64Array.from({ length: n * m }, (_, index) => Math.sin(index * 3.1));
    const x = Float64Array.from({ length: n * d }, (_, index) => Math.cos(index * 0.7));
    const c = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 0.5));
    const result = patternTransposeProduct(packActivationPatterns(z, n, m), c, x, d);
    for (let r = 0; r < m; r++) {
      for (let k = 0; k < d; k++) {
        let plain = 0;
        let absSum = 0;
        for (let i = 0; i < n; i++) {
          if (z[i * m + r]! >= 0) {
            plain += c[i]! * x[i * d + k]!;
            absSum += Math.abs(c[i]! * x[i * d + k]!);
          }
        }
        // Rule from the function's contract: 2 n 2^-53 sum_i |c_i x_ik|.
        expect(Math.abs(result[r * d + k]! - plain)).toBeLessThanOrEqual(2 * n * UNIT_ROUNDOFF * absSum);
      }
    }
  });
});
