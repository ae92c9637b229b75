/**
 * WebAssembly versions of the hot kernels, with 128-bit SIMD.
 *
 * The module is compiled from src/linalg/wasm/kernels.as by src/linalg/wasm/build.mjs
 * (AssemblyScript) and embedded as base64 in src/linalg/wasm/kernelsBinary.ts. Each thread
 * instantiates it once, on first use. Inputs are copied into the module's memory (zero
 * padded to the vector widths) and results copied out, so callers see plain typed arrays.
 *
 * Floating-point kernels multiply, then add, in the sequential order of the shared index,
 * with no fused multiply-add, so they return exactly what the TypeScript loops in dense.ts
 * return. Integer kernels return exactly what their TypeScript versions return.
 *
 * NOTE: WebAssembly memory only grows. After a large call the module keeps its memory (up
 * to the size of that call's copies) until the thread exits.
 */

import { InvalidInputError } from '../errors.js';
import { KERNELS_WASM_BASE64 } from './wasm/kernelsBinary.js';

/** The parts of the WebAssembly JS API used here (the project's lib setting omits them). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  CompileError: new (message?: string) => Error;
}

/** A WebAssembly.Memory: a resizable ArrayBuffer counted in 64 KiB pages. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The exports of kernels.as. */
interface KernelExports {
  memory: WasmMemory;
  overlapRows(patterns: number, rows: number, vectorsPerRow: number, rowStart: number, rowEnd: number, out: number): void;
  preactivationPatterns(
    inputsT: number,
    inputsPadded: number,
    weights: number,
    neuronsPadded: number,
    d: number,
    tolerances: number,
    inputStart: number,
    inputEnd: number,
    out: number,
  ): void;
  productsABt(
    aT: number,
    rowsAPadded: number,
    b: number,
    rowsBPadded: number,
    d: number,
    rowStart: number,
    rowEnd: number,
    out: number,
  ): void;
  reluForward(
    inputsT: number,
    inputsPadded: number,
    weights: number,
    neurons: number,
    d: number,
    outputSigns: number,
    neuronScales: number,
    negatedTolerances: number,
    sums: number,
    patterns: number,
    wordsPerNeuron: number,
    inputStart: number,
    inputEnd: number,
  ): void;
  patternGradient(patterns: number, wordsPerNeuron: number, neurons: number, coefficients: number, vectorsPerRow: number, out: number): void;
  householderStep(a: number, n: number, first: number, v: number, w: number, tau: number): void;
}

/**
 * Rows handled per call into the module. V8 first runs WebAssembly with its baseline
 * compiler and switches to optimized code between calls, so a long kernel is split into
 * many short calls to pick up the optimized code early.
 */
const ROWS_PER_CALL = 8;

/**
 * Neurons (rows of B) copied into the module at a time: 2048 rows of 64 float64 values are
 * 1 MiB, so the block stays in a typical L2 cache while every input passes over it, and a
 * large weight matrix is never copied whole.
 */
const NEURON_BLOCK = 2048;

/** Bytes at the start of memory left to the module's own static data. */
const RESERVED_BYTES = 65536;

let kernels: KernelExports | null | undefined;

/** Returns true when the module compiles here (WebAssembly with SIMD is available). */
export function wasmKernelsAvailable(): boolean {
  return loadKernels() !== null;
}

/**
 * Computes the upper triangle (j >= i) of the pattern overlap for rows [rowStart, rowEnd):
 * O_ij = sum over words of popcount(P_i AND P_j), returned in a rows x rows Int32Array whose
 * other entries are 0. Cost as `patternOverlap` in bitpack.ts.
 */
export function overlapRowsWasm(
  words: Uint32Array,
  rows: number,
  wordsPerRow: number,
  rowStart: number,
  rowEnd: number,
): Int32Array {
  const module = requireKernels('overlapRowsWasm');
  const vectorsPerRow = Math.ceil(wordsPerRow / 4);
  const paddedWordsPerRow = vectorsPerRow * 4;
  const patternsBytes = rows * paddedWordsPerRow * 4;
  const patternsAt = RESERVED_BYTES;
  const outAt = align16(patternsAt + patternsBytes);
  ensureMemory(module, outAt + rows * rows * 4);

  const patterns = new Uint32Array(module.memory.buffer, patternsAt, rows * paddedWordsPerRow);
  if (paddedWordsPerRow === wordsPerRow) {
    patterns.set(words);
  } else {
    patterns.fill(0);
    for (let row = 0; row < rows; row++) {
      patterns.set(words.subarray(row * wordsPerRow, (row + 1) * wordsPerRow), row * paddedWordsPerRow);
    }
  }
  new Int32Array(module.memory.buffer, outAt, rows * rows).fill(0);

  for (let start = rowStart; start < rowEnd; start += ROWS_PER_CALL) {
    module.overlapRows(patternsAt, rows, vectorsPerRow, start, Math.min(rowEnd, start + ROWS_PER_CALL), outAt);
  }
  return new Int32Array(module.memory.buffer, outAt, rows * rows).slice();
}

/**
 * Packs the activation patterns 1[w_r . x_i >= -tol_i] of a full-precision layer for inputs
 * [inputStart, inputEnd): x (n x d) and w (m x d) row-major, tolerances one per input.
 * Returns the words of an n x m PackedBits (rows outside the range are zero). Each w_r . x_i
 * is the sequential dot product, exactly as `multiplyABt` computes it. Cost: n m d
 * multiply-adds; memory: the inputs, one block of NEURON_BLOCK weight rows, the bits.
 */
export function preactivationPatternRowsWasm(
  inputs: Float64Array,
  n: number,
  weights: Float64Array,
  m: number,
  d: number,
  tolerances: Float64Array,
  inputStart: number,
  inputEnd: number,
): Uint32Array {
  const module = requireKernels('preactivationPatternRowsWasm');
  const inputsPadded = roundUp(n, 4);
  const wordsPerRow = Math.ceil(m / 32);
  const blockNeurons = Math.min(NEURON_BLOCK, roundUp(m, 32));
  const inputsTAt = RESERVED_BYTES;
  const tolerancesAt = align16(inputsTAt + d * inputsPadded * 8);
  const weightsAt = align16(tolerancesAt + inputsPadded * 8);
  const outAt = align16(weightsAt + blockNeurons * d * 8);
  ensureMemory(module, outAt + inputsPadded * (blockNeurons / 32) * 4);

  writeTransposed(module, inputsTAt, inputs, n, d, inputsPadded);
  const tolerancesView = new Float64Array(module.memory.buffer, tolerancesAt, inputsPadded);
  tolerancesView.fill(0);
  tolerancesView.set(tolerances);

  const bits = new Uint32Array(n * wordsPerRow);
  const firstRow = inputStart - (inputStart % 4);
  for (let neuronStart = 0; neuronStart < m; neuronStart += blockNeurons) {
    const neurons = Math.min(blockNeurons, m - neuronStart);
    const neuronsPadded = roundUp(neurons, 32);
    const weightView = new Float64Array(module.memory.buffer, weightsAt, neuronsPadded * d);
    weightView.set(weights.subarray(neuronStart * d, (neuronStart + neurons) * d));
    weightView.fill(0, neurons * d);

    for (let start = firstRow; start < inputEnd; start += ROWS_PER_CALL) {
      const end = Math.min(roundUp(inputEnd, 4), start + ROWS_PER_CALL);
      module.preactivationPatterns(inputsTAt, inputsPadded, weightsAt, neuronsPadded, d, tolerancesAt, start, end, outAt);
    }

    const blockWords = neuronsPadded / 32;
    const blockBits = new Uint32Array(module.memory.buffer, outAt, inputsPadded * blockWords);
    const firstWord = neuronStart / 32;
    // Padded neurons have z = 0 >= -tol, so their bits are set; the mask clears them.
    const lastWordMask = neurons % 32 === 0 ? 0xffffffff : (1 << neurons % 32) - 1;
    for (let i = inputStart; i < inputEnd; i++) {
      const source = blockBits.subarray(i * blockWords, (i + 1) * blockWords);
      bits.set(source, i * wordsPerRow + firstWord);
      bits[i * wordsPerRow + firstWord + blockWords - 1]! &= lastWordMask;
    }
  }
  return bits;
}

/**
 * Computes rows [rowStart, rowEnd) of C = A B^T (a: rowsA x cols, b: rowsB x cols,
 * row-major) into a rowsA x rowsB Float64Array whose other rows are 0. Entries equal
 * `multiplyABt` in dense.ts bit for bit. Cost: rowsA rowsB cols multiply-adds.
 */
export function productRowsABtWasm(
  a: Float64Array,
  rowsA: number,
  b: Float64Array,
  rowsB: number,
  cols: number,
  rowStart: number,
  rowEnd: number,
): Float64Array {
  const module = requireKernels('productRowsABtWasm');
  const rowsAPadded = roundUp(rowsA, 4);
  const blockRows = Math.min(NEURON_BLOCK, roundUp(rowsB, 2));
  const aTAt = RESERVED_BYTES;
  const bAt = align16(aTAt + cols * rowsAPadded * 8);
  const outAt = align16(bAt + blockRows * cols * 8);
  ensureMemory(module, outAt + rowsAPadded * blockRows * 8);
  writeTransposed(module, aTAt, a, rowsA, cols, rowsAPadded);

  const product = new Float64Array(rowsA * rowsB);
  const firstRow = rowStart - (rowStart % 4);
  for (let blockStart = 0; blockStart < rowsB; blockStart += blockRows) {
    const rows = Math.min(blockRows, rowsB - blockStart);
    const rowsPadded = roundUp(rows, 2);
    const bView = new Float64Array(module.memory.buffer, bAt, rowsPadded * cols);
    bView.set(b.subarray(blockStart * cols, (blockStart + rows) * cols));
    bView.fill(0, rows * cols);

    for (let start = firstRow; start < rowEnd; start += ROWS_PER_CALL) {
      const end = Math.min(roundUp(rowEnd, 4), start + ROWS_PER_CALL);
      module.productsABt(aTAt, rowsAPadded, bAt, rowsPadded, cols, start, end, outAt);
    }

    const blockOut = new Float64Array(module.memory.buffer, outAt, rowsAPadded * rowsPadded);
    for (let i = rowStart; i < rowEnd; i++) {
      product.set(blockOut.subarray(i * rowsPadded, i * rowsPadded + rows), i * rowsB + blockStart);
    }
  }
  return product;
}

/**
 * Neurons per call of the gradient kernel: short calls pick up V8's optimized code early
 * (see ROWS_PER_CALL).
 */
const GRADIENT_NEURONS_PER_CALL = 64;

/**
 * Runs the fused forward pass of a two-layer ReLU layer (contract: `reluLayerForward` in
 * reluLayer.ts). Writes sum_r a_r relu(z_ir) (in the order r = 0, 1, ..., from +0) to sums[i]
 * and the neuron-major bits 1[z_ir >= (-t_i) beta_r] into `patternWords` (m rows of ceil(n / 32)
 * words). Every z_ir is the sequential dot product, as `multiplyABt` computes it. Memory in
 * the module: the transposed inputs and one block of NEURON_BLOCK neurons.
 */
export function reluForwardWasm(
  inputs: Float64Array,
  n: number,
  weights: Float64Array,
  m: number,
  d: number,
  outputSigns: Float64Array,
  negatedTolerances: Float64Array | null,
  neuronScales: Float64Array | null,
  sums: Float64Array,
  patternWords: Uint32Array,
): void {
  const module = requireKernels('reluForwardWasm');
  const inputsPadded = roundUp(n, 4);
  const wordsPerNeuron = Math.ceil(n / 32);
  const blockNeurons = Math.min(NEURON_BLOCK, roundUp(m, 4));
  const inputsTAt = RESERVED_BYTES;
  const tolerancesAt = align16(inputsTAt + d * inputsPadded * 8);
  const sumsAt = align16(tolerancesAt + inputsPadded * 8);
  const weightsAt = align16(sumsAt + inputsPadded * 8);
  const signsAt = align16(weightsAt + blockNeurons * d * 8);
  const scalesAt = align16(signsAt + blockNeurons * 8);
  const patternsAt = align16(scalesAt + blockNeurons * 8);
  ensureMemory(module, patternsAt + blockNeurons * wordsPerNeuron * 4);

  writeTransposed(module, inputsTAt, inputs, n, d, inputsPadded);
  const tolerancesView = new Float64Array(module.memory.buffer, tolerancesAt, inputsPadded);
  tolerancesView.fill(0);
  if (negatedTolerances !== null) tolerancesView.set(negatedTolerances.subarray(0, n));
  const sumsView = new Float64Array(module.memory.buffer, sumsAt, inputsPadded);
  sumsView.fill(0);

  // Bits of the padded inputs (x = 0, so z = 0) are set by the kernel; the mask clears them.
  const lastWordMask = n % 32 === 0 ? 0xffffffff : (1 << n % 32) - 1;
  for (let neuronStart = 0; neuronStart < m; neuronStart += blockNeurons) {
    const neurons = Math.min(blockNeurons, m - neuronStart);
    const neuronsPadded = roundUp(neurons, 4);
    const buffer = module.memory.buffer;
    const weightView = new Float64Array(buffer, weightsAt, neuronsPadded * d);
    weightView.set(weights.subarray(neuronStart * d, (neuronStart + neurons) * d));
    weightView.fill(0, neurons * d);
    // Padded neurons get sign 0, so they add zeros to the sums.
    const signsView = new Float64Array(buffer, signsAt, neuronsPadded);
    signsView.set(outputSigns.subarray(neuronStart, neuronStart + neurons));
    signsView.fill(0, neurons);
    const scalesView = new Float64Array(buffer, scalesAt, neuronsPadded);
    if (neuronScales === null) scalesView.fill(0);
    else {
      scalesView.set(neuronScales.subarray(neuronStart, neuronStart + neurons));
      scalesView.fill(0, neurons);
    }
    const patternsView = new Uint32Array(buffer, patternsAt, neuronsPadded * wordsPerNeuron);
    patternsView.fill(0);

    for (let start = 0; start < inputsPadded; start += ROWS_PER_CALL) {
      const end = Math.min(inputsPadded, start + ROWS_PER_CALL);
      module.reluForward(inputsTAt, inputsPadded, weightsAt, neuronsPadded, d, signsAt, scalesAt, tolerancesAt, sumsAt, patternsAt, wordsPerNeuron, start, end);
    }

    const target = neuronStart * wordsPerNeuron;
    patternWords.set(patternsView.subarray(0, neurons * wordsPerNeuron), target);
    if (wordsPerNeuron > 0) {
      for (let r = 0; r < neurons; r++) patternWords[target + (r + 1) * wordsPerNeuron - 1]! &= lastWordMask;
    }
  }
  sums.set(new Float64Array(module.memory.buffer, sumsAt, n));
}

/**
 * Computes the sums over the active inputs of each neuron, in input order (contract:
 * `activeInputSums` in reluLayer.ts). `patternWords` contains m neuron rows of ceil(n / 32) words
 * whose bits beyond n are zero; `out` receives the m x d sums. Memory in the module: the
 * n x d products c_i x_i and one block of NEURON_BLOCK neurons.
 */
export function activeInputSumsWasm(
  patternWords: Uint32Array,
  m: number,
  n: number,
  coefficients: Float64Array,
  inputs: Float64Array,
  d: number,
  out: Float64Array,
): void {
  const module = requireKernels('activeInputSumsWasm');
  const wordsPerNeuron = Math.ceil(n / 32);
  const vectorsPerRow = Math.ceil(d / 2);
  const paddedD = 2 * vectorsPerRow;
  const blockNeurons = Math.min(NEURON_BLOCK, m);
  const productsAt = RESERVED_BYTES;
  const patternsAt = align16(productsAt + n * paddedD * 8);
  const outAt = align16(patternsAt + blockNeurons * wordsPerNeuron * 4);
  ensureMemory(module, outAt + blockNeurons * paddedD * 8);

  // Row i contains c_i x_i, the same product as the term x_ik (c_i * 1) of the plain loop.
  const products = new Float64Array(module.memory.buffer, productsAt, n * paddedD);
  for (let i = 0; i < n; i++) {
    const coefficient = coefficients[i]!;
    for (let k = 0; k < d; k++) products[i * paddedD + k] = coefficient * inputs[i * d + k]!;
    if (paddedD !== d) products[i * paddedD + d] = 0;
  }

  for (let neuronStart = 0; neuronStart < m; neuronStart += blockNeurons) {
    const neurons = Math.min(blockNeurons, m - neuronStart);
    const buffer = module.memory.buffer;
    new Uint32Array(buffer, patternsAt, neurons * wordsPerNeuron).set(
      patternWords.subarray(neuronStart * wordsPerNeuron, (neuronStart + neurons) * wordsPerNeuron),
    );
    for (let start = 0; start < neurons; start += GRADIENT_NEURONS_PER_CALL) {
      const count = Math.min(GRADIENT_NEURONS_PER_CALL, neurons - start);
      module.patternGradient(patternsAt + start * wordsPerNeuron * 4, wordsPerNeuron, count, productsAt, vectorsPerRow, outAt + start * paddedD * 8);
    }
    const blockOut = new Float64Array(buffer, outAt, neurons * paddedD);
    if (paddedD === d) out.set(blockOut, neuronStart * d);
    else {
      for (let r = 0; r < neurons; r++) out.set(blockOut.subarray(r * paddedD, r * paddedD + d), (neuronStart + r) * d);
    }
  }
}

/**
 * Buffers of the Householder reduction of an n x n symmetric matrix (see `symmetricEigenvalues`
 * in eigen.ts) and the step that updates them: `matrix` (n x n), `v` and `w` (n each).
 */
export interface HouseholderWorkspace {
  readonly matrix: Float64Array;
  readonly v: Float64Array;
  readonly w: Float64Array;
  /**
   * Applies the reflector I - tau v v^T to the lower triangle of the trailing block
   * [first, n) of `matrix`, using `w` as scratch.
   */
  step(first: number, tau: number): void;
}

/**
 * Returns a Householder workspace in the module's memory, with the WebAssembly step
 * (`householderStep` in kernels.as). The arrays are views of the module's memory, so they
 * stay valid only until another kernel of this module runs in this thread.
 */
export function householderWorkspaceWasm(n: number): HouseholderWorkspace {
  const module = requireKernels('householderWorkspaceWasm');
  const matrixAt = RESERVED_BYTES;
  const vAt = align16(matrixAt + n * n * 8);
  const wAt = align16(vAt + n * 8);
  ensureMemory(module, wAt + n * 8);
  const buffer = module.memory.buffer;
  return {
    matrix: new Float64Array(buffer, matrixAt, n * n),
    v: new Float64Array(buffer, vAt, n),
    w: new Float64Array(buffer, wAt, n),
    step(first: number, tau: number): void {
      module.householderStep(matrixAt, n, first, vAt, wAt, tau);
    },
  };
}

function loadKernels(): KernelExports | null {
  if (kernels !== undefined) return kernels;
  const api = (globalThis as unknown as { WebAssembly?: WebAssemblyApi }).WebAssembly;
  if (api === undefined) {
    kernels = null;
    return kernels;
  }
  try {
    const bytes = Buffer.from(KERNELS_WASM_BASE64, 'base64');
    const module = new api.Module(bytes);
    const instance = new api.Instance(module, {
      env: {
        abort: () => {
          throw new Error('WebAssembly kernel aborted');
        },
      },
    });
    kernels = instance.exports as unknown as KernelExports;
  } catch (error) {
    // A runtime without WebAssembly SIMD rejects the module at compile time; the callers
    // then use their TypeScript kernels.
    if (!(error instanceof api.CompileError)) throw error;
    kernels = null;
  }
  return kernels;
}

function requireKernels(fn: string): KernelExports {
  const module = loadKernels();
  if (module === null) {
    throw new InvalidInputError(
      `${fn}: implementation`,
      'wasm',
      'this runtime cannot compile the WebAssembly SIMD kernels; use the TypeScript implementation',
    );
  }
  return module;
}

function ensureMemory(module: KernelExports, bytes: number): void {
  const current = module.memory.buffer.byteLength;
  if (bytes > current) module.memory.grow(Math.ceil((bytes - current) / 65536));
}

/** Writes the rows x cols matrix `values` transposed, as cols x rowsPadded, zero padded. */
function writeTransposed(
  module: KernelExports,
  at: number,
  values: Float64Array,
  rows: number,
  cols: number,
  rowsPadded: number,
): void {
  const view = new Float64Array(module.memory.buffer, at, cols * rowsPadded);
  view.fill(0);
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) view[col * rowsPadded + row] = values[row * cols + col]!;
  }
}

function roundUp(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

function align16(offset: number): number {
  return roundUp(offset, 16);
}
