/**
 * Fused kernels for one full-batch gradient-descent step of a two-layer ReLU network
 * f(x) = s * sum_r a_r relu(w_r . x), on n inputs x_i in R^d and m neurons w_r:
 *
 * - `reluLayerForward` computes the output sums sum_r a_r relu(z_ir) and the activation
 *   bits 1[z_ir >= -t_i beta_r] of z_ir = w_r . x_i without storing the n x m matrix z;
 * - `activeInputSums` computes G_r = sum_i c_i 1[active_ir] x_i from those bits, which is the
 *   hidden-weight gradient up to the factor s a_r when c contains the residuals.
 *
 * Both return, bit for bit, what the plain loops return: every z_ir is the sequential dot
 * product over k (as `multiplyABt` computes it), every output sum runs over r = 0, 1, ...
 * and every G_rk over i = 0, 1, ... in order, with one multiply and one add per term. The
 * WebAssembly kernels (128-bit SIMD) run when the runtime supports them, else the
 * TypeScript kernels here; both give identical results.
 *
 * Activation bits are stored neuron-major: a PackedBits with one row per neuron and one bit
 * per input (bit i of row r is 1[active_ir]), which is the layout the gradient reads.
 */

import { InvalidInputError } from '../errors.js';
import { allocatePackedBits, checkPackedBits, type KernelImplementation, type PackedBits } from './bitpack.js';
import { checkMatrix, dotBlock4x4, dotRows } from './dense.js';
import { activeInputSumsWasm, reluForwardWasm, wasmKernelsAvailable } from './wasmKernels.js';

/**
 * Activation rule 1[z_ir >= -t_i * beta_r]: a per-input tolerance t_i >= 0 scaled by a
 * per-neuron scale beta_r, for pre-activations that are exact ties in real arithmetic but
 * may round to tiny negative numbers. Without it the rule is 1[z_ir >= 0].
 */
export interface TieAllowance {
  /** -t_i, one per input (the negated tolerances). */
  readonly negatedTolerances: Float64Array;
  /** beta_r, one per neuron. */
  readonly neuronScales: Float64Array;
}

/** Output buffers of `reluLayerForward`, reused across calls. */
export interface ReluForwardBuffers {
  /** sum_r a_r relu(z_ir), one per input (n entries). */
  readonly sums: Float64Array;
  /** Neuron-major activation bits: rows = m neurons, cols = n inputs. */
  readonly patterns: PackedBits;
}

/** Allocates the buffers of `reluLayerForward` for n inputs and m neurons. */
export function allocateReluForwardBuffers(n: number, m: number): ReluForwardBuffers {
  return { sums: new Float64Array(n), patterns: allocatePackedBits(m, n) };
}

/**
 * Computes, for inputs x (n x d) and weights w (m x d), both row-major, and output signs a
 * (m entries):
 *
 *     z_ir     = sum_k x_ik w_rk                      (sequential over k)
 *     sums_i   = sum_r a_r * max(z_ir, 0)             (sequential over r, from +0)
 *     bit(r,i) = 1[z_ir >= (-t_i) * beta_r]           (1[z_ir >= 0] when `ties` is null)
 *
 * into `out` (overwritten). A tie z_ir = 0 counts as active and contributes relu(0) = 0 to
 * the sum. Cost: n m d multiply-adds plus n m for the sums and bits. Memory: the n m / 8
 * bytes of bits, never the n x m matrix z.
 */
export function reluLayerForward(
  inputs: Float64Array,
  n: number,
  weights: Float64Array,
  m: number,
  d: number,
  outputSigns: Float64Array,
  ties: TieAllowance | null,
  out: ReluForwardBuffers,
  options: { implementation?: KernelImplementation } = {},
): void {
  checkMatrix('reluLayerForward', 'inputs', inputs, n, d);
  checkMatrix('reluLayerForward', 'weights', weights, m, d);
  checkLength('reluLayerForward', 'outputSigns', outputSigns, m, 'one output sign per neuron');
  checkLength('reluLayerForward', 'out.sums', out.sums, n, 'one sum per input');
  checkNeuronPatterns('reluLayerForward', out.patterns, m, n);
  if (ties !== null) {
    checkLength('reluLayerForward', 'ties.negatedTolerances', ties.negatedTolerances, n, 'one tolerance per input');
    checkLength('reluLayerForward', 'ties.neuronScales', ties.neuronScales, m, 'one scale per neuron');
  }

  if (useWasm(options.implementation)) {
    reluForwardWasm(inputs, n, weights, m, d, outputSigns, ties?.negatedTolerances ?? null, ties?.neuronScales ?? null, out.sums, out.patterns.words);
  } else {
    reluForwardTypeScript(inputs, n, weights, m, d, outputSigns, ties, out);
  }
}

/**
 * Computes G = P^T diag(c) X for neuron-major bits P (m rows, n inputs): row r of the m x d
 * result is
 *
 *     G_r = sum over i with bit (r, i) set, in the order i = 0, 1, ..., of c_i x_i
 *
 * starting from +0, written into `out` (m x d, overwritten). This is, bit for bit, the
 * plain loop G_rk = sum_i x_ik (c_i * P_ri) over all i (as `multiplyAtB` computes it). The
 * terms it skips are zeros, and a sum that starts at +0 never becomes -0 under
 * round-to-nearest, so adding a zero leaves it unchanged.
 * With c = u - y (the residuals) it is the hidden-weight gradient of a two-layer ReLU net
 * up to the factor (kappa / sqrt(m)) a_r. Cost: n d multiplies plus d additions per active
 * (r, i) pair, about n m d / 2 additions for balanced patterns.
 */
export function activeInputSums(
  patterns: PackedBits,
  coefficients: Float64Array,
  inputs: Float64Array,
  d: number,
  out: Float64Array,
  options: { implementation?: KernelImplementation } = {},
): void {
  checkPackedBits('activeInputSums', 'patterns', patterns);
  const m = patterns.rows;
  const n = patterns.cols;
  checkLength('activeInputSums', 'coefficients', coefficients, n, 'one coefficient per input (pattern column)');
  checkMatrix('activeInputSums', 'inputs', inputs, n, d);
  checkMatrix('activeInputSums', 'out', out, m, d);

  if (useWasm(options.implementation)) {
    activeInputSumsWasm(patterns.words, m, n, coefficients, inputs, d, out);
  } else {
    activeInputSumsTypeScript(patterns, coefficients, inputs, d, out);
  }
}

function useWasm(implementation: KernelImplementation | undefined): boolean {
  const choice = implementation ?? 'auto';
  return choice === 'wasm' || (choice === 'auto' && wasmKernelsAvailable());
}

/**
 * Neurons whose pre-activations the TypeScript forward kernel keeps at a time, for four
 * inputs: 4 x 256 float64 values are 8 KiB, inside a typical 32 KiB L1 cache.
 */
const TYPESCRIPT_NEURON_BLOCK = 256;

/**
 * TypeScript forward kernel. For each group of four inputs it computes the pre-activations
 * of a block of neurons with 4 x 4 register blocks (`dotBlock4x4`), then adds the block's
 * terms to the four sums in neuron order, so each sum still runs over r = 0, 1, ... in order.
 */
function reluForwardTypeScript(
  inputs: Float64Array,
  n: number,
  weights: Float64Array,
  m: number,
  d: number,
  outputSigns: Float64Array,
  ties: TieAllowance | null,
  out: ReluForwardBuffers,
): void {
  const { sums, patterns } = out;
  const words = patterns.words;
  const wordsPerNeuron = patterns.wordsPerRow;
  const scales = ties === null ? null : ties.neuronScales;
  words.fill(0);
  sums.fill(0);
  const block = new Float64Array(4 * TYPESCRIPT_NEURON_BLOCK);

  for (let i = 0; i < n; i += 4) {
    const groupSize = Math.min(4, n - i);
    for (let blockStart = 0; blockStart < m; blockStart += TYPESCRIPT_NEURON_BLOCK) {
      const blockSize = Math.min(TYPESCRIPT_NEURON_BLOCK, m - blockStart);
      let r = 0;
      if (groupSize === 4) {
        for (; r + 4 <= blockSize; r += 4) dotBlock4x4(inputs, i, weights, blockStart + r, d, block, r, TYPESCRIPT_NEURON_BLOCK);
      }
      for (; r < blockSize; r++) {
        for (let row = 0; row < groupSize; row++) block[row * TYPESCRIPT_NEURON_BLOCK + r] = dotRows(inputs, i + row, weights, blockStart + r, d);
      }

      for (let row = 0; row < groupSize; row++) {
        const input = i + row;
        const negatedTolerance = ties === null ? 0 : ties.negatedTolerances[input]!;
        const wordOffset = input >>> 5;
        const bit = 1 << (input & 31);
        const blockRow = row * TYPESCRIPT_NEURON_BLOCK;
        let sum = sums[input]!;
        for (let j = 0; j < blockSize; j++) {
          const neuron = blockStart + j;
          const z = block[blockRow + j]!;
          sum += outputSigns[neuron]! * Math.max(z, 0);
          const threshold = scales === null ? 0 : negatedTolerance * scales[neuron]!;
          if (z >= threshold) words[neuron * wordsPerNeuron + wordOffset]! |= bit;
        }
        sums[input] = sum;
      }
    }
  }
}

/** Columns the TypeScript gradient kernel sums at a time, in local variables. */
const TYPESCRIPT_COLUMN_CHUNK = 4;

/**
 * TypeScript gradient kernel: for each neuron and each chunk of four columns, visits the
 * active inputs by count-trailing-zeros and keeps the four sums in local variables.
 */
function activeInputSumsTypeScript(
  patterns: PackedBits,
  coefficients: Float64Array,
  inputs: Float64Array,
  d: number,
  out: Float64Array,
): void {
  const { rows: m, cols: n, words, wordsPerRow } = patterns;
  // Row i contains c_i x_i, padded to whole chunks with zeros. It is the same product as the
  // term x_ik (c_i * 1) of the plain loop.
  const stride = Math.ceil(d / TYPESCRIPT_COLUMN_CHUNK) * TYPESCRIPT_COLUMN_CHUNK;
  const products = new Float64Array(n * stride);
  for (let i = 0; i < n; i++) {
    const coefficient = coefficients[i]!;
    for (let k = 0; k < d; k++) products[i * stride + k] = coefficient * inputs[i * d + k]!;
  }

  for (let r = 0; r < m; r++) {
    const wordStart = r * wordsPerRow;
    for (let k = 0; k < d; k += TYPESCRIPT_COLUMN_CHUNK) {
      let g0 = 0, g1 = 0, g2 = 0, g3 = 0;
      for (let word = 0; word < wordsPerRow; word++) {
        let bits = words[wordStart + word]!;
        while (bits !== 0) {
          const lowest = bits & -bits;
          const at = ((word << 5) + 31 - Math.clz32(lowest)) * stride + k;
          g0 += products[at]!;
          g1 += products[at + 1]!;
          g2 += products[at + 2]!;
          g3 += products[at + 3]!;
          bits ^= lowest;
        }
      }
      const outAt = r * d + k;
      out[outAt] = g0;
      if (k + 1 < d) out[outAt + 1] = g1;
      if (k + 2 < d) out[outAt + 2] = g2;
      if (k + 3 < d) out[outAt + 3] = g3;
    }
  }
}

function checkLength(fn: string, name: string, values: Float64Array, expected: number, rule: string): void {
  if (values.length !== expected) {
    throw new InvalidInputError(`${fn}: ${name}`, values.length, `expected ${rule} (${expected} entries), got ${values.length}`);
  }
}

function checkNeuronPatterns(fn: string, patterns: PackedBits, m: number, n: number): void {
  checkPackedBits(fn, 'out.patterns', patterns);
  if (patterns.rows !== m || patterns.cols !== n) {
    throw new InvalidInputError(
      `${fn}: out.patterns`,
      { rows: patterns.rows, cols: patterns.cols },
      `expected neuron-major bits with ${m} rows (neurons) and ${n} columns (inputs); allocate them with allocateReluForwardBuffers`,
    );
  }
}
