import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { InvalidInputError } from '../../src/errors.js';
import { gram, multiplyABt, multiplyAtB } from '../../src/linalg/dense.js';
import { productRowsABtWasm, wasmKernelsAvailable } from '../../src/linalg/wasmKernels.js';

/**
 * The products sum every entry in the same sequential order as the naive loops below, and
 * JavaScript never fuses multiply and add, so the results must agree exactly: the
 * tolerance is zero on purpose.
 */
const SAME_ORDER_TOLERANCE = 0;

function naiveABt(a: Float64Array, rowsA: number, b: Float64Array, rowsB: number, cols: number): Float64Array {
  const out = new Float64Array(rowsA * rowsB);
  for (let i = 0; i < rowsA; i++) {
    for (let j = 0; j < rowsB; j++) {
      let sum = 0;
      for (let k = 0; k < cols; k++) sum += a[i * cols + k]! * b[j * cols + k]!;
      out[i * rowsB + j] = sum;
    }
  }
  return out;
}

function naiveAtB(a: Float64Array, rowsA: number, colsA: number, b: Float64Array, colsB: number): Float64Array {
  const out = new Float64Array(colsA * colsB);
  for (let p = 0; p < colsA; p++) {
    for (let q = 0; q < colsB; q++) {
      let sum = 0;
      for (let i = 0; i < rowsA; i++) sum += a[i * colsA + p]! * b[i * colsB + q]!;
      out[p * colsB + q] = sum;
    }
  }
  return out;
}

function maxAbsDifference(x: Float64Array, y: Float64Array): number {
  expect(x.length).toBe(y.length);
  let largest = 0;
  for (let i = 0; i < x.length; i++) largest = Math.max(largest, Math.abs(x[i]! - y[i]!));
  return largest;
}

const shapes = fc.record({
  rowsA: fc.integer({ min: 1, max: 11 }),
  rowsB: fc.integer({ min: 1, max: 11 }),
  cols: fc.integer({ min: 1, max: 9 }),
});
const productCase = shapes.chain(({ rowsA, rowsB, cols }) =>
  fc.record({
    rowsA: fc.constant(rowsA),
    rowsB: fc.constant(rowsB),
    cols: fc.constant(cols),
    a: fc.float64Array({ minLength: rowsA * cols, maxLength: rowsA * cols, min: -10, max: 10, noNaN: true }),
    b: fc.float64Array({ minLength: rowsB * cols, maxLength: rowsB * cols, min: -10, max: 10, noNaN: true }),
  }),
);

describe('multiplyABt', () => {
  it('computes a 2 x 3 by 2 x 3 product by hand', () => {
    const a = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float64Array.from([1, 0, -1, 2, 1, 0]);
    // Row 0: (1 - 3, 2 + 2) ; row 1: (4 - 6, 8 + 5).
    expect(Array.from(multiplyABt(a, 2, b, 2, 3))).toEqual([-2, 4, -2, 13]);
  });

  it('equals the naive loop on random shapes', () => {
    fc.assert(
      fc.property(productCase, ({ a, rowsA, b, rowsB, cols }) => {
        const blocked = multiplyABt(a, rowsA, b, rowsB, cols);
        expect(maxAbsDifference(blocked, naiveABt(a, rowsA, b, rowsB, cols))).toBeLessThanOrEqual(SAME_ORDER_TOLERANCE);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('equals the naive loop across cache blocks', () => {
    const rowsA = 7;
    const rowsB = 600;
    const cols = 13;
    const a = Float64Array.from({ length: rowsA * cols }, (_, index) => Math.sin(index * 0.7));
    const b = Float64Array.from({ length: rowsB * cols }, (_, index) => Math.cos(index * 1.3));
    expect(maxAbsDifference(multiplyABt(a, rowsA, b, rowsB, cols), naiveABt(a, rowsA, b, rowsB, cols))).toBe(0);
  });

  it('rejects a length that does not match the shape', () => {
    expect(() => multiplyABt(new Float64Array(5), 2, new Float64Array(6), 2, 3)).toThrow(InvalidInputError);
    expect(() => multiplyABt(new Float64Array(5), 2, new Float64Array(6), 2, 3)).toThrow(/length 5 does not match 2 x 3/);
  });
});

describe('multiplyAtB', () => {
  it('equals the naive loop on random shapes', () => {
    const transposeCase = shapes.chain(({ rowsA, rowsB: colsA, cols: colsB }) =>
      fc.record({
        rowsA: fc.constant(rowsA),
        colsA: fc.constant(colsA),
        colsB: fc.constant(colsB),
        a: fc.float64Array({ minLength: rowsA * colsA, maxLength: rowsA * colsA, min: -10, max: 10, noNaN: true }),
        b: fc.float64Array({ minLength: rowsA * colsB, maxLength: rowsA * colsB, min: -10, max: 10, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(transposeCase, ({ a, rowsA, colsA, b, colsB }) => {
        const product = multiplyAtB(a, rowsA, colsA, b, colsB);
        expect(maxAbsDifference(product, naiveAtB(a, rowsA, colsA, b, colsB))).toBeLessThanOrEqual(SAME_ORDER_TOLERANCE);
      }),
      { seed: 12, numRuns: 200 },
    );
  });

  it('computes a product with zero entries by hand', () => {
    // A = [[1, 0], [2, 3]], B = [[1, 1], [0, 2]]: A^T B = [[1, 5], [0, 6]].
    const product = multiplyAtB(Float64Array.from([1, 0, 2, 3]), 2, 2, Float64Array.from([1, 1, 0, 2]), 2);
    expect(Array.from(product)).toEqual([1, 5, 0, 6]);
  });
});

describe('gram', () => {
  it('is exactly symmetric and equals the naive loop', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }).chain((rows) =>
          fc.integer({ min: 1, max: 7 }).chain((cols) =>
            fc.record({
              rows: fc.constant(rows),
              cols: fc.constant(cols),
              x: fc.float64Array({ minLength: rows * cols, maxLength: rows * cols, min: -5, max: 5, noNaN: true }),
            }),
          ),
        ),
        ({ rows, cols, x }) => {
          const result = gram(x, rows, cols);
          expect(maxAbsDifference(result, naiveABt(x, rows, x, rows, cols))).toBeLessThanOrEqual(SAME_ORDER_TOLERANCE);
          for (let i = 0; i < rows; i++) {
            for (let j = 0; j < rows; j++) expect(result[i * rows + j]).toBe(result[j * rows + i]);
          }
        },
      ),
      { seed: 13, numRuns: 200 },
    );
  });

  it('returns the inner products of two hand vectors', () => {
    expect(Array.from(gram(Float64Array.from([3, 4, 1, 0]), 2, 2))).toEqual([25, 3, 3, 1]);
  });
});

describe.runIf(wasmKernelsAvailable())('productRowsABtWasm', () => {
  it('equals multiplyABt bit for bit, including padded shapes', () => {
    for (const [rowsA, rowsB, cols] of [
      [1, 1, 1],
      [5, 3, 7],
      [9, 2049, 4],
      [16, 64, 64],
    ] as const) {
      const a = Float64Array.from({ length: rowsA * cols }, (_, index) => Math.sin(index * 0.37 + 0.1));
      const b = Float64Array.from({ length: rowsB * cols }, (_, index) => Math.cos(index * 0.91 + 0.2));
      const expected = multiplyABt(a, rowsA, b, rowsB, cols);
      const actual = productRowsABtWasm(a, rowsA, b, rowsB, cols, 0, rowsA);
      expect(maxAbsDifference(actual, expected)).toBe(0);
    }
  });
});
