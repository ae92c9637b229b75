/**
 * Bit-packed sign matrices and activation patterns, and the kernels that use them.
 *
 * Conventions, used by every function here: sign(0) = +1, and every activation indicator
 * is 1[z >= 0] (relu'(0) = 1). A packed row stores bit c of the row at word c >>> 5, bit
 * position c & 31 (least significant bit first); rows are padded to whole 32-bit words and
 * the padding bits are zero.
 *
 * The sign-weight products s . x (s in {-1, +1}^d) are computed with additions and
 * subtractions only, through 256-entry tables of partial sums per byte of s, and their sign
 * is exact: see `signDotProducts`.
 */

import { InvalidInputError } from '../errors.js';
import { checkMatrix } from './dense.js';
import { exactSignedSum, splitForExactSums, type ExactSplit } from './exactSum.js';
import { overlapRowsWasm, wasmKernelsAvailable } from './wasmKernels.js';

/** A bit matrix: `rows` rows of `cols` bits, each row padded to `wordsPerRow` 32-bit words. */
export interface PackedBits {
  rows: number;
  cols: number;
  wordsPerRow: number;
  /** Row-major words, rows * wordsPerRow of them. */
  words: Uint32Array;
}

/** Implementation choice for a kernel that has a WebAssembly version. */
export type KernelImplementation = 'auto' | 'wasm' | 'typescript';

/**
 * Bound on the rounding error of a signed sum of d terms, as a multiple of d * 2^-53 *
 * sum |terms|. Any summation tree over d terms has depth at most d - 1, so the error is at
 * most gamma_(d-1) sum |terms| with gamma_k = k u / (1 - k u) and u = 2^-53 (Higham,
 * "Accuracy and Stability of Numerical Algorithms", 2nd ed., section 4.2). The factor 2
 * covers the 1 / (1 - k u) term and the rounding of sum |terms| itself for d < 2^40.
 */
const TIE_BAND_FACTOR = 2;

/** Unit roundoff of float64. */
const UNIT_ROUNDOFF = 2 ** -53;

/** Coordinates covered by one lookup table (one byte of a sign row). */
const TABLE_BITS = 8;
const TABLE_SIZE = 1 << TABLE_BITS;

/**
 * Packs bit = 1[value >= threshold] for a rows x cols row-major matrix.
 *
 * With threshold alpha this packs s = sign(w - alpha) with sign(0) = +1 (1 = +1, 0 = -1):
 * for finite float64 values, w - alpha >= 0 exactly when w >= alpha. Cost: O(rows * cols);
 * memory: rows * ceil(cols / 32) * 4 bytes.
 */
export function packSigns(values: Float64Array, rows: number, cols: number, threshold = 0): PackedBits {
  checkMatrix('packSigns', 'values', values, rows, cols);
  if (!Number.isFinite(threshold)) {
    throw new InvalidInputError('packSigns: threshold', threshold, `threshold must be finite, got ${threshold}`);
  }
  const packed = allocatePackedBits(rows, cols);
  const { words, wordsPerRow } = packed;
  for (let row = 0; row < rows; row++) {
    const rowOffset = row * cols;
    const wordOffset = row * wordsPerRow;
    for (let col = 0; col < cols; col++) {
      const value = values[rowOffset + col]!;
      if (Number.isNaN(value)) {
        throw new InvalidInputError(
          'packSigns: values',
          value,
          `entry (${row}, ${col}) is NaN; the sign of NaN is undefined, so clean the weights first`,
        );
      }
      if (value >= threshold) words[wordOffset + (col >>> 5)]! |= 1 << (col & 31);
    }
  }
  return packed;
}

/**
 * Packs activation patterns: row i contains the bits 1[z_ir >= -tol_i] over the neurons r.
 *
 * preactivations: inputs x width, input-major (row i is z_i1 .. z_im). tieTolerance: one
 * non-negative tolerance per input, or one for all, default 0 (the plain 1[z >= 0]). A
 * positive tolerance counts near-zero preactivations as active, for preactivations computed
 * with rounding errors up to that size. Cost: O(inputs * width).
 */
export function packActivationPatterns(
  preactivations: Float64Array,
  inputs: number,
  width: number,
  tieTolerance: Float64Array | number = 0,
): PackedBits {
  checkMatrix('packActivationPatterns', 'preactivations', preactivations, inputs, width);
  const tolerances = expandTolerances('packActivationPatterns', tieTolerance, inputs);
  const packed = allocatePackedBits(inputs, width);
  const { words, wordsPerRow } = packed;
  for (let i = 0; i < inputs; i++) {
    const negativeTolerance = -tolerances[i]!;
    const rowOffset = i * width;
    const wordOffset = i * wordsPerRow;
    for (let wordIndex = 0; wordIndex < wordsPerRow; wordIndex++) {
      const start = wordIndex << 5;
      const end = Math.min(width, start + 32);
      let word = 0;
      // +(test) << bit compiles without a branch; a branch mispredicts on random signs.
      for (let r = start; r < end; r++) word |= +(preactivations[rowOffset + r]! >= negativeTolerance) << (r - start);
      words[wordOffset + wordIndex] = word;
    }
  }
  return packed;
}

/**
 * Computes the pattern overlap O_ij = sum_r P_ir P_jr = popcount(P_i AND P_j), summed over
 * the words of rows i and j, for a packed n x m pattern matrix P (one row per input).
 *
 * Returns the n x n symmetric Int32Array; only j >= i is computed. The WebAssembly kernel
 * (128-bit AND and i8x16.popcnt) runs when the runtime supports WebAssembly SIMD, else the
 * TypeScript kernel (SWAR popcount on 2 x 2 blocks of row pairs, which measured faster than
 * a 16-bit lookup table in bench/). Both return identical integers. Cost: n (n + 1) / 2 *
 * ceil(m / 32) word operations; m must stay below 2^31.
 */
export function patternOverlap(
  patterns: PackedBits,
  options: { implementation?: KernelImplementation } = {},
): Int32Array {
  checkPackedBits('patternOverlap', 'patterns', patterns);
  const implementation = options.implementation ?? 'auto';
  const useWasm = implementation === 'wasm' || (implementation === 'auto' && wasmKernelsAvailable());
  const overlap = useWasm
    ? overlapRowsWasm(patterns.words, patterns.rows, patterns.wordsPerRow, 0, patterns.rows)
    : overlapRowsTypeScript(patterns.words, patterns.rows, patterns.wordsPerRow, 0, patterns.rows);
  mirrorUpperTriangle(overlap, patterns.rows);
  return overlap;
}

/**
 * Computes z_ir = s_r . x_i for packed signs s_r (m x d, bit 1 = +1, bit 0 = -1) and
 * inputs x_i (n x d, row-major), returning the n x m matrix (input-major).
 *
 * Only additions and subtractions are used. Each x_i is split exactly as x_i = q_i + r_i
 * (see exactSum.ts) so that every signed sum of the high parts q_ik is exact; the sums are
 * read from 256-entry tables, one per byte of s_r, then z = (s . q) + (s . r).
 *
 * Guarantees, for finite inputs without overflow:
 * - sign: z_ir < 0, = 0 or > 0 exactly as the real number s_r . x_i is; in particular
 *   z_ir = 0 exactly when s_r . x_i = 0, as for x = (1, 1) / sqrt(2), s = (1, -1).
 * - value: |z_ir - s_r . x_i| <= 2^-53 |s_r . x_i| + 2 d 2^-53 sum_k |r_ik|, where
 *   |r_ik| <= 2^(1 + ceil(log2 d)) 2^-52 max_k |x_ik|. For inputs whose coordinates all have
 *   a short enough binary expansion (for example all of equal magnitude), the low sums are
 *   exact too and z_ir is the correctly rounded s_r . x_i.
 * Near-ties that the tables cannot decide are summed again exactly (Shewchuk expansions).
 *
 * The result differs from the plain sequential sum sum_k s_rk x_ik (which rounds at every
 * step) by at most gamma_(d-1) sum_k |x_ik| plus the bound above. Cost: n * m *
 * ceil(d / 8) * 2 table reads plus n * ceil(d / 8) * 512 additions to build the tables;
 * memory n * m * 8 bytes for the result.
 */
export function signDotProducts(signs: PackedBits, inputs: Float64Array, n: number, d: number): Float64Array {
  checkSignOperands('signDotProducts', signs, inputs, n, d);
  const m = signs.rows;
  const products = new Float64Array(n * m);
  const tables = new SignTables(d);
  for (let i = 0; i < n; i++) {
    const split = tables.load(inputs, i * d);
    const rowOffset = i * m;
    for (let r = 0; r < m; r++) products[rowOffset + r] = tables.exactDot(signs, r, inputs, i * d, split);
  }
  return products;
}

/**
 * Packs the activation patterns of a sign layer: row i contains 1[s_r . x_i >= 0] over the
 * neurons r, for packed signs s_r (m x d) and inputs x_i (n x d).
 *
 * Same arithmetic and the same exact-sign guarantee as `signDotProducts`, but without
 * storing z: most signs are settled by the exact high-part sum alone, so the cost is
 * about n * m * ceil(d / 8) table reads, and memory is n * ceil(m / 32) * 4 bytes.
 */
export function signActivationPatterns(signs: PackedBits, inputs: Float64Array, n: number, d: number): PackedBits {
  checkSignOperands('signActivationPatterns', signs, inputs, n, d);
  const patterns = allocatePackedBits(n, signs.rows);
  signPatternRows(signs, inputs, d, 0, n, patterns.words, patterns.wordsPerRow);
  return patterns;
}

/**
 * Computes G = P^T diag(c) X for packed patterns P (n x m, one row per input): row r of
 * the m x d result is G_r = sum_i c_i P_ir x_i. This is the gradient sum of a two-layer
 * ReLU net, g_r = (kappa / sqrt(m)) a_r G_r with c_i = u_i - y_i the residuals.
 *
 * Inputs are taken eight at a time. A table contains the 256 sums of c_i x_i over every subset
 * of the eight, and each neuron adds the one entry that its eight pattern bits select.
 * The additions are ordered differently from the plain loop over i, so entries differ from
 * it by rounding only: |G_rk - plain| <= 2 n 2^-53 sum_i |c_i x_ik| (Higham's bound for any
 * summation order, doubled). Cost: m * ceil(n / 8) * (d + 8) operations plus
 * ceil(n / 8) * 256 * d additions for the tables; memory m * d + 256 * d float64.
 */
export function patternTransposeProduct(
  patterns: PackedBits,
  coefficients: Float64Array,
  inputs: Float64Array,
  d: number,
): Float64Array {
  checkPackedBits('patternTransposeProduct', 'patterns', patterns);
  const n = patterns.rows;
  const m = patterns.cols;
  checkMatrix('patternTransposeProduct', 'inputs', inputs, n, d);
  if (coefficients.length !== n) {
    throw new InvalidInputError(
      'patternTransposeProduct: coefficients',
      coefficients.length,
      `expected one coefficient per pattern row (${n}), got ${coefficients.length}`,
    );
  }
  const { words, wordsPerRow } = patterns;
  const result = new Float64Array(m * d);
  const table = new Float64Array(TABLE_SIZE * d);
  const groupWords = new Int32Array(TABLE_BITS);

  for (let groupStart = 0; groupStart < n; groupStart += TABLE_BITS) {
    const groupSize = Math.min(TABLE_BITS, n - groupStart);
    // Entry v is the sum over the set bits j of v of c_j x_j, built by doubling.
    table.fill(0, 0, d);
    let filled = 1;
    for (let j = 0; j < groupSize; j++) {
      const input = groupStart + j;
      const coefficient = coefficients[input]!;
      for (let v = 0; v < filled; v++) {
        const source = v * d;
        const target = (v + filled) * d;
        for (let k = 0; k < d; k++) table[target + k] = table[source + k]! + coefficient * inputs[input * d + k]!;
      }
      filled *= 2;
    }

    for (let wordIndex = 0; wordIndex < wordsPerRow; wordIndex++) {
      for (let j = 0; j < groupSize; j++) groupWords[j] = words[(groupStart + j) * wordsPerRow + wordIndex]!;
      const end = Math.min(m, (wordIndex + 1) << 5);
      for (let r = wordIndex << 5; r < end; r++) {
        const bit = r & 31;
        let selection = 0;
        if (groupSize === TABLE_BITS) {
          selection =
            ((groupWords[0]! >>> bit) & 1) |
            (((groupWords[1]! >>> bit) & 1) << 1) |
            (((groupWords[2]! >>> bit) & 1) << 2) |
            (((groupWords[3]! >>> bit) & 1) << 3) |
            (((groupWords[4]! >>> bit) & 1) << 4) |
            (((groupWords[5]! >>> bit) & 1) << 5) |
            (((groupWords[6]! >>> bit) & 1) << 6) |
            (((groupWords[7]! >>> bit) & 1) << 7);
        } else {
          for (let j = 0; j < groupSize; j++) selection |= ((groupWords[j]! >>> bit) & 1) << j;
        }
        if (selection === 0) continue;
        const source = selection * d;
        const target = r * d;
        for (let k = 0; k < d; k++) result[target + k]! += table[source + k]!;
      }
    }
  }
  return result;
}

/**
 * Writes the sign patterns of inputs [inputStart, inputEnd) into `out` (row i at word
 * i * outWordsPerRow). Callers can split the inputs into ranges, for example across threads.
 */
export function signPatternRows(
  signs: PackedBits,
  inputs: Float64Array,
  d: number,
  inputStart: number,
  inputEnd: number,
  out: Uint32Array,
  outWordsPerRow: number,
): void {
  const m = signs.rows;
  const tables = new SignTables(d);
  const words = signs.words;
  const high = tables.high;
  for (let i = inputStart; i < inputEnd; i++) {
    const split = tables.load(inputs, i * d);
    const decisive = tables.highDecisive;
    const rowWord = i * outWordsPerRow;
    for (let wordIndex = 0; wordIndex < outWordsPerRow; wordIndex++) {
      const start = wordIndex << 5;
      const end = Math.min(m, start + 32);
      let word = 0;
      for (let r = start; r < end; r++) {
        let highSum: number;
        if (signs.wordsPerRow === 2) {
          // d in 33..64, the common case, unrolled: the same sequential sum as tableSum.
          const w0 = words[2 * r]!;
          const w1 = words[2 * r + 1]!;
          highSum =
            high[w0 & 0xff]! +
            high[256 + ((w0 >>> 8) & 0xff)]! +
            high[512 + ((w0 >>> 16) & 0xff)]! +
            high[768 + (w0 >>> 24)]! +
            high[1024 + (w1 & 0xff)]! +
            high[1280 + ((w1 >>> 8) & 0xff)]! +
            high[1536 + ((w1 >>> 16) & 0xff)]! +
            high[1792 + (w1 >>> 24)]!;
        } else {
          highSum = tables.tableSum(high, signs, r);
        }
        // |s . r| <= sum |r_k|, so a high sum beyond that bound already fixes the sign.
        const active =
          highSum > decisive || (highSum >= -decisive && tables.refinedDot(highSum, signs, r, inputs, i * d, split) >= 0);
        if (active) word |= 1 << (r - start);
      }
      out[rowWord + wordIndex] = word;
    }
  }
}

/**
 * Lookup tables of signed partial sums for one input vector.
 *
 * For byte b of a sign row (coordinates 8b .. 8b + 7), entry v of table b is
 * sum_j (bit j of v ? +c_(8b+j) : -c_(8b+j)), summed in the order j = 0..7, for the high
 * parts c = q (tables `high`) and the low parts c = r (tables `low`).
 */
class SignTables {
  private readonly d: number;
  /** High-part tables, ceil(d / 32) * 4 blocks of 256 entries. */
  readonly high: Float64Array;
  private readonly low: Float64Array;
  /** Per loaded input: |s . q - computed| bound (0 when the high sums are exact). */
  private highError = 0;
  /** Per loaded input: bound on |s . r| for every s, plus highError. */
  highDecisive = 0;
  /** Per loaded input: total error bound of the computed s . q + s . r (0 when exact). */
  private totalError = 0;

  constructor(d: number) {
    this.d = d;
    // Whole words of four blocks; the blocks past ceil(d / 8) stay zero.
    const paddedBlocks = Math.ceil(d / 32) * 4;
    this.high = new Float64Array(paddedBlocks * TABLE_SIZE);
    this.low = new Float64Array(paddedBlocks * TABLE_SIZE);
  }

  /** Builds the tables for x[offset .. offset + d) and returns its exact split. */
  load(x: Float64Array, offset: number): ExactSplit {
    const split = splitForExactSums(x, offset, this.d);
    fillSignedTables(split.high, this.d, this.high);
    fillSignedTables(split.low, this.d, this.low);
    const bandPerTerm = TIE_BAND_FACTOR * this.d * UNIT_ROUNDOFF;
    this.highError = split.highExact ? 0 : bandPerTerm * split.highAbsSum;
    const lowError = split.lowExact ? 0 : bandPerTerm * split.lowAbsSum;
    this.highDecisive = split.lowAbsSum + this.highError;
    this.totalError = this.highError + lowError;
    return split;
  }

  /** Returns s_r . x with the exact sign (see `signDotProducts`). */
  exactDot(signs: PackedBits, r: number, x: Float64Array, offset: number, split: ExactSplit): number {
    return this.refinedDot(this.tableSum(this.high, signs, r), signs, r, x, offset, split);
  }

  /** Adds the low sum to `highSum` and settles near-ties exactly (see `signDotProducts`). */
  refinedDot(
    highSum: number,
    signs: PackedBits,
    r: number,
    x: Float64Array,
    offset: number,
    split: ExactSplit,
  ): number {
    const dot = split.lowAbsSum === 0 ? highSum : highSum + this.tableSum(this.low, signs, r);
    // With exact high and low sums, the one rounding of their sum keeps the exact sign.
    if (this.totalError === 0) return dot;
    if (Math.abs(dot) > TIE_BAND_FACTOR * this.totalError) return dot;
    return exactSignedSum(x, offset, this.d, signs.words, r * signs.wordsPerRow);
  }

  /**
   * Sums the table entries selected by the bytes of sign row r, in block order. Tables are
   * padded with zero blocks to whole words, so each word is read once and its four bytes
   * are looked up without a bounds test; adding an exact 0 changes no sum.
   */
  tableSum(table: Float64Array, signs: PackedBits, r: number): number {
    const words = signs.words;
    const wordsPerRow = signs.wordsPerRow;
    const rowWord = r * wordsPerRow;
    let sum = 0;
    let base = 0;
    for (let wordIndex = 0; wordIndex < wordsPerRow; wordIndex++) {
      const word = words[rowWord + wordIndex]!;
      sum =
        sum +
        table[base + (word & 0xff)]! +
        table[base + 256 + ((word >>> 8) & 0xff)]! +
        table[base + 512 + ((word >>> 16) & 0xff)]! +
        table[base + 768 + (word >>> 24)]!;
      base += 1024;
    }
    return sum;
  }
}

/**
 * Fills `tables` (ceil(d / 8) x 256) with signed partial sums of `parts`. Entry v of block b
 * is built by doubling: after coordinate j the first 2^(j+1) entries hold all signed sums of
 * coordinates 8b .. 8b + j. For a last block with fewer than 8 coordinates, index bits
 * beyond them are ignored (they are zero in rows packed by this module).
 */
function fillSignedTables(parts: Float64Array, d: number, tables: Float64Array): void {
  const blocks = Math.ceil(d / TABLE_BITS);
  for (let block = 0; block < blocks; block++) {
    const base = block * TABLE_SIZE;
    const first = block * TABLE_BITS;
    const count = Math.min(TABLE_BITS, d - first);
    tables[base] = -parts[first]!;
    tables[base + 1] = parts[first]!;
    let filled = 2;
    for (let j = 1; j < count; j++) {
      const value = parts[first + j]!;
      for (let v = 0; v < filled; v++) {
        const partial = tables[base + v]!;
        tables[base + v] = partial - value;
        tables[base + v + filled] = partial + value;
      }
      filled *= 2;
    }
    for (let v = filled; v < TABLE_SIZE; v++) tables[base + v] = tables[base + (v & (filled - 1))]!;
  }
}

/**
 * TypeScript overlap kernel: adds O_ij for i in [rowStart, rowEnd), j >= i into a new
 * rows x rows Int32Array (upper triangle only). Words are walked in chunks so that the
 * chunk of every row stays in cache; popcount is the SWAR bit trick.
 */
export function overlapRowsTypeScript(
  words: Uint32Array,
  rows: number,
  wordsPerRow: number,
  rowStart: number,
  rowEnd: number,
): Int32Array {
  const overlap = new Int32Array(rows * rows);
  // 256 words = 1 KiB per row chunk: 1 MiB for 1024 rows, inside a typical L2 cache.
  const chunkWords = 256;
  for (let chunkStart = 0; chunkStart < wordsPerRow; chunkStart += chunkWords) {
    const chunkEnd = Math.min(wordsPerRow, chunkStart + chunkWords);
    let i = rowStart;
    for (; i + 1 < rowEnd; i += 2) {
      let j = i;
      for (; j + 1 < rows; j += 2) overlapBlock2x2(words, wordsPerRow, i, j, chunkStart, chunkEnd, overlap, rows);
      if (j < rows) {
        overlap[i * rows + j]! += overlapPairWords(words, wordsPerRow, i, j, chunkStart, chunkEnd);
        overlap[(i + 1) * rows + j]! += overlapPairWords(words, wordsPerRow, i + 1, j, chunkStart, chunkEnd);
      }
    }
    if (i < rowEnd) {
      for (let j = i; j < rows; j++) overlap[i * rows + j]! += overlapPairWords(words, wordsPerRow, i, j, chunkStart, chunkEnd);
    }
  }
  // The 2 x 2 block on the diagonal also wrote the entry (i + 1, i) below it. Clearing it
  // leaves only the upper triangle set, as the WebAssembly kernel does.
  for (let i = rowStart; i < rowEnd; i++) {
    for (let j = Math.max(0, i - 1); j < i; j++) overlap[i * rows + j] = 0;
  }
  return overlap;
}

function overlapBlock2x2(
  words: Uint32Array,
  wordsPerRow: number,
  i: number,
  j: number,
  chunkStart: number,
  chunkEnd: number,
  overlap: Int32Array,
  rows: number,
): void {
  const a0 = i * wordsPerRow;
  const a1 = a0 + wordsPerRow;
  const b0 = j * wordsPerRow;
  const b1 = b0 + wordsPerRow;
  let c00 = 0, c01 = 0, c10 = 0, c11 = 0;
  for (let k = chunkStart; k < chunkEnd; k++) {
    const x0 = words[a0 + k]!;
    const x1 = words[a1 + k]!;
    const y0 = words[b0 + k]!;
    const y1 = words[b1 + k]!;
    c00 += popcount32(x0 & y0);
    c01 += popcount32(x0 & y1);
    c10 += popcount32(x1 & y0);
    c11 += popcount32(x1 & y1);
  }
  const at = i * rows + j;
  overlap[at]! += c00;
  overlap[at + 1]! += c01;
  overlap[at + rows]! += c10;
  overlap[at + rows + 1]! += c11;
}

function overlapPairWords(
  words: Uint32Array,
  wordsPerRow: number,
  i: number,
  j: number,
  chunkStart: number,
  chunkEnd: number,
): number {
  const a = i * wordsPerRow;
  const b = j * wordsPerRow;
  let count = 0;
  for (let k = chunkStart; k < chunkEnd; k++) count += popcount32(words[a + k]! & words[b + k]!);
  return count;
}

/** Counts the set bits of a 32-bit integer (SWAR: 2-, 4-, then 8-bit partial counts). */
export function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Copies the upper triangle of a square matrix onto its lower triangle. */
export function mirrorUpperTriangle(matrix: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) matrix[j * n + i] = matrix[i * n + j]!;
  }
}

/** Allocates a zeroed rows x cols bit matrix. */
export function allocatePackedBits(rows: number, cols: number): PackedBits {
  const wordsPerRow = Math.ceil(cols / 32);
  return { rows, cols, wordsPerRow, words: new Uint32Array(rows * wordsPerRow) };
}

/** Returns bit (row, col) of a packed matrix as 0 or 1. */
export function getBit(bits: PackedBits, row: number, col: number): number {
  return (bits.words[row * bits.wordsPerRow + (col >>> 5)]! >>> (col & 31)) & 1;
}

/** Throws unless `bits` is a consistent PackedBits value. */
export function checkPackedBits(fn: string, name: string, bits: PackedBits): void {
  const { rows, cols, wordsPerRow, words } = bits;
  const valid =
    Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 0 && wordsPerRow === Math.ceil(cols / 32);
  if (!valid || words.length !== rows * wordsPerRow) {
    throw new InvalidInputError(
      `${fn}: ${name}`,
      { rows, cols, wordsPerRow, words: words.length },
      `expected ${rows} rows of ceil(${cols} / 32) words = ${rows * Math.ceil(cols / 32)} words in total, ` +
        `got wordsPerRow ${wordsPerRow} and ${words.length} words; build it with packSigns or packActivationPatterns`,
    );
  }
}

function checkSignOperands(fn: string, signs: PackedBits, inputs: Float64Array, n: number, d: number): void {
  checkPackedBits(fn, 'signs', signs);
  checkMatrix(fn, 'inputs', inputs, n, d);
  if (signs.cols !== d) {
    throw new InvalidInputError(
      `${fn}: signs`,
      signs.cols,
      `sign rows have ${signs.cols} bits but the inputs have d = ${d} coordinates; pack the m x d sign matrix`,
    );
  }
  for (let index = 0; index < inputs.length; index++) {
    if (!Number.isFinite(inputs[index]!)) {
      throw new InvalidInputError(
        `${fn}: inputs`,
        inputs[index],
        `entry (${Math.floor(index / d)}, ${index % d}) is not finite; exact signs need finite inputs`,
      );
    }
  }
}

function expandTolerances(fn: string, tieTolerance: Float64Array | number, inputs: number): Float64Array {
  const tolerances = typeof tieTolerance === 'number' ? new Float64Array(inputs).fill(tieTolerance) : tieTolerance;
  if (tolerances.length !== inputs) {
    throw new InvalidInputError(
      `${fn}: tieTolerance`,
      tolerances.length,
      `expected one tolerance per input (${inputs}), got ${tolerances.length}`,
    );
  }
  for (const tolerance of tolerances) {
    if (!(tolerance >= 0) || !Number.isFinite(tolerance)) {
      throw new InvalidInputError(
        `${fn}: tieTolerance`,
        tolerance,
        `each tolerance must be finite and >= 0, got ${tolerance}`,
      );
    }
  }
  return tolerances;
}
