/**
 * Dense matrix products on row-major Float64Array matrices.
 *
 * Every entry of every product is summed in the plain sequential order of the shared index
 * (k = 0, 1, 2, ...), one multiply and one add per term, starting from 0. JavaScript never
 * fuses a multiply and an add, so each result equals, bit for bit, the naive triple loop
 * that sums in the same order. Blocking only changes which entries are worked on together,
 * never the order of the additions inside one entry.
 */

import { InvalidInputError } from '../errors.js';

/** Rows of A (and of B) handled together in the register-blocked inner kernel. */
const REGISTER_BLOCK = 4;

/**
 * Rows of B kept hot while all rows of A pass over them. 256 rows of 64 float64 values are
 * 128 KiB, which stays in a typical 1 to 2 MiB per-core L2 cache.
 */
const CACHE_BLOCK_ROWS = 256;

/**
 * Computes C = A B^T, the rowsA x rowsB matrix of dot products C_ij = sum_k A_ik B_jk.
 *
 * a: rowsA x cols, b: rowsB x cols, both row-major. Entries are summed over k in order
 * 0..cols-1, so each equals the sequential dot product exactly (see the module comment).
 * Cost: rowsA * rowsB * cols multiply-adds, with 4 x 4 register blocks and blocks of
 * CACHE_BLOCK_ROWS rows of B.
 */
export function multiplyABt(
  a: Float64Array,
  rowsA: number,
  b: Float64Array,
  rowsB: number,
  cols: number,
): Float64Array {
  checkMatrix('multiplyABt', 'a', a, rowsA, cols);
  checkMatrix('multiplyABt', 'b', b, rowsB, cols);
  const product = new Float64Array(rowsA * rowsB);

  for (let blockStart = 0; blockStart < rowsB; blockStart += CACHE_BLOCK_ROWS) {
    const blockEnd = Math.min(rowsB, blockStart + CACHE_BLOCK_ROWS);
    let i = 0;
    for (; i + REGISTER_BLOCK <= rowsA; i += REGISTER_BLOCK) {
      let j = blockStart;
      for (; j + REGISTER_BLOCK <= blockEnd; j += REGISTER_BLOCK) {
        dotBlock4x4(a, i, b, j, cols, product, i * rowsB + j, rowsB);
      }
      for (; j < blockEnd; j++) {
        for (let row = i; row < i + REGISTER_BLOCK; row++) {
          product[row * rowsB + j] = dotRows(a, row, b, j, cols);
        }
      }
    }
    for (; i < rowsA; i++) {
      for (let j = blockStart; j < blockEnd; j++) product[i * rowsB + j] = dotRows(a, i, b, j, cols);
    }
  }
  return product;
}

/**
 * Computes C = A^T B, the colsA x colsB matrix C_pq = sum_i A_ip B_iq.
 *
 * a: rowsA x colsA, b: rowsA x colsB, both row-major. Each entry is summed over i in order
 * 0..rowsA-1, so it equals the naive loop exactly. Zero entries of A are skipped (which
 * leaves every sum unchanged, except that 0 * Infinity terms are dropped instead of giving
 * NaN). Cost: rowsA * colsA * colsB multiply-adds; rows of C are processed in blocks so the
 * block of C stays in cache while A and B stream past.
 */
export function multiplyAtB(
  a: Float64Array,
  rowsA: number,
  colsA: number,
  b: Float64Array,
  colsB: number,
): Float64Array {
  checkMatrix('multiplyAtB', 'a', a, rowsA, colsA);
  checkMatrix('multiplyAtB', 'b', b, rowsA, colsB);
  const product = new Float64Array(colsA * colsB);
  const blockRows = Math.max(1, Math.floor(16384 / Math.max(1, colsB)));

  for (let blockStart = 0; blockStart < colsA; blockStart += blockRows) {
    const blockEnd = Math.min(colsA, blockStart + blockRows);
    for (let i = 0; i < rowsA; i++) {
      const rowA = i * colsA;
      const rowB = i * colsB;
      for (let p = blockStart; p < blockEnd; p++) {
        const coefficient = a[rowA + p]!;
        if (coefficient === 0) continue;
        const rowC = p * colsB;
        for (let q = 0; q < colsB; q++) product[rowC + q] += coefficient * b[rowB + q]!;
      }
    }
  }
  return product;
}

/**
 * Computes the Gram matrix G = X X^T, G_ij = x_i . x_j, for x: rows x cols row-major.
 *
 * Only the entries with j >= i are computed and the rest are mirrored, so G is exactly
 * symmetric and each entry equals the sequential dot product. Cost: rows (rows + 1) / 2 *
 * cols multiply-adds.
 */
export function gram(x: Float64Array, rows: number, cols: number): Float64Array {
  checkMatrix('gram', 'x', x, rows, cols);
  const result = new Float64Array(rows * rows);
  let i = 0;
  for (; i + REGISTER_BLOCK <= rows; i += REGISTER_BLOCK) {
    // The 4 x 4 diagonal block is computed whole: 6 of its 16 entries are mirrored anyway.
    let j = i;
    for (; j + REGISTER_BLOCK <= rows; j += REGISTER_BLOCK) dotBlock4x4(x, i, x, j, cols, result, i * rows + j, rows);
    for (; j < rows; j++) {
      for (let row = i; row < i + REGISTER_BLOCK; row++) result[row * rows + j] = dotRows(x, row, x, j, cols);
    }
  }
  for (; i < rows; i++) {
    for (let j = i; j < rows; j++) result[i * rows + j] = dotRows(x, i, x, j, cols);
  }

  for (let row = 0; row < rows; row++) {
    for (let column = row + 1; column < rows; column++) result[column * rows + row] = result[row * rows + column]!;
  }
  return result;
}

/** Throws unless `values` holds exactly rows x cols finite-sized entries. */
export function checkMatrix(fn: string, name: string, values: Float64Array, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new InvalidInputError(
      `${fn}: ${name}`,
      { rows, cols },
      `dimensions must be non-negative integers, got ${rows} x ${cols}; pass whole row and column counts`,
    );
  }
  if (values.length !== rows * cols) {
    throw new InvalidInputError(
      `${fn}: ${name}`,
      values.length,
      `length ${values.length} does not match ${rows} x ${cols} = ${rows * cols}; pass a row-major array of that size`,
    );
  }
}

/** Returns the sequential dot product of row i of a with row j of b (rows of `cols` entries). */
export function dotRows(a: Float64Array, i: number, b: Float64Array, j: number, cols: number): number {
  const offsetA = i * cols;
  const offsetB = j * cols;
  let sum = 0;
  for (let k = 0; k < cols; k++) sum += a[offsetA + k]! * b[offsetB + k]!;
  return sum;
}

/**
 * Writes the 4 x 4 block of A B^T at rows i..i+3 and columns j..j+3 into `out`, entry (0, 0)
 * at index `at` and rows `stride` apart. Each entry is the sequential dot product over
 * k = 0..cols-1, as in `multiplyABt`. It checks no bounds, so the caller keeps the rows and
 * the block inside the arrays.
 */
export function dotBlock4x4(
  a: Float64Array,
  i: number,
  b: Float64Array,
  j: number,
  cols: number,
  out: Float64Array,
  at: number,
  stride: number,
): void {
  const a0 = i * cols;
  const a1 = a0 + cols;
  const a2 = a1 + cols;
  const a3 = a2 + cols;
  const b0 = j * cols;
  const b1 = b0 + cols;
  const b2 = b1 + cols;
  const b3 = b2 + cols;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < cols; k++) {
    const x0 = a[a0 + k]!;
    const x1 = a[a1 + k]!;
    const x2 = a[a2 + k]!;
    const x3 = a[a3 + k]!;
    const y0 = b[b0 + k]!;
    const y1 = b[b1 + k]!;
    const y2 = b[b2 + k]!;
    const y3 = b[b3 + k]!;
    c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
    c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
    c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
    c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
  }
  const r0 = at;
  const r1 = r0 + stride;
  const r2 = r1 + stride;
  const r3 = r2 + stride;
  out[r0] = c00; out[r0 + 1] = c01; out[r0 + 2] = c02; out[r0 + 3] = c03;
  out[r1] = c10; out[r1 + 1] = c11; out[r1 + 2] = c12; out[r1 + 3] = c13;
  out[r2] = c20; out[r2 + 1] = c21; out[r2 + 2] = c22; out[r2 + 3] = c23;
  out[r3] = c30; out[r3 + 1] = c31; out[r3 + 2] = c32; out[r3 + 3] = c33;
}
