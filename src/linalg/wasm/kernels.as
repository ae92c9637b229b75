// AssemblyScript source of the WebAssembly kernels used by src/linalg/wasmKernels.ts.
//
// The file is compiled by src/linalg/wasm/build.mjs (AssemblyScript from the npm registry, see
// package.json) into src/linalg/wasm/kernelsBinary.ts. It has no `.ts` extension so that the
// project's TypeScript compiler does not try to type-check AssemblyScript builtins.
//
// Memory layout: the host grows the exported memory and passes byte offsets. Every array is
// 16-byte aligned. There is no allocator and no garbage collector (runtime "stub").

// Pattern overlap O_ij = popcount(P_i AND P_j), summed over the words of rows i and j, for
// i in [rowStart, rowEnd) and j in [i, rows), written to out[i * rows + j] (int32). Rows hold
// `vectorsPerRow` 128-bit vectors (the host zero-pads rows to whole vectors). The word range
// is walked in chunks so that the chunk of every row stays in the L2 cache while all pairs
// are visited; each chunk adds its counts to `out`, so `out` must start at zero.
//
// Per 128-bit vector: AND, i8x16.popcnt (per-byte counts <= 8), then a pairwise widening
// add into 16-bit lanes (<= 16 per vector). A 16-bit lane would overflow after 4096 vectors;
// chunks of CHUNK_VECTORS = 64 vectors (1 KiB per row, 1 MiB for 1024 rows) stay far below.
const CHUNK_VECTORS: i32 = 64;

export function overlapRows(patterns: usize, rows: i32, vectorsPerRow: i32, rowStart: i32, rowEnd: i32, out: usize): void {
  const rowBytes = <usize>vectorsPerRow << 4;
  for (let chunkStart = 0; chunkStart < vectorsPerRow; chunkStart += CHUNK_VECTORS) {
    const chunkEnd = min(vectorsPerRow, chunkStart + CHUNK_VECTORS);
    const chunkOffset = <usize>chunkStart << 4;
    const chunkBytes = <usize>(chunkEnd - chunkStart) << 4;
    let i = rowStart;
    for (; i + 1 < rowEnd; i += 2) {
      const rowI0 = patterns + <usize>i * rowBytes + chunkOffset;
      const rowI1 = rowI0 + rowBytes;
      // Pair (i, i) and (i, i + 1), (i + 1, i + 1) first, then 2x2 blocks of columns.
      overlapPairBlock(rowI0, rowI1, rowI0, rowI1, chunkBytes, out + ((<usize>i * rows + i) << 2), rows, true);
      let j = i + 2;
      for (; j + 1 < rows; j += 2) {
        const rowJ0 = patterns + <usize>j * rowBytes + chunkOffset;
        overlapPairBlock(rowI0, rowI1, rowJ0, rowJ0 + rowBytes, chunkBytes, out + ((<usize>i * rows + j) << 2), rows, false);
      }
      if (j < rows) {
        const rowJ0 = patterns + <usize>j * rowBytes + chunkOffset;
        const outIJ = out + ((<usize>i * rows + j) << 2);
        store<i32>(outIJ, load<i32>(outIJ) + overlapPair(rowI0, rowJ0, chunkBytes));
        const outI1J = outIJ + (<usize>rows << 2);
        store<i32>(outI1J, load<i32>(outI1J) + overlapPair(rowI1, rowJ0, chunkBytes));
      }
    }
    if (i < rowEnd) {
      const rowI0 = patterns + <usize>i * rowBytes + chunkOffset;
      for (let j = i; j < rows; j++) {
        const rowJ0 = patterns + <usize>j * rowBytes + chunkOffset;
        const outIJ = out + ((<usize>i * rows + j) << 2);
        store<i32>(outIJ, load<i32>(outIJ) + overlapPair(rowI0, rowJ0, chunkBytes));
      }
    }
  }
}

// Adds the overlaps of rows (a0, a1) with rows (b0, b1) to the 2x2 block of `out` at
// `outAt` (row stride `rows`). With `diagonal`, a0 == b0 and a1 == b1, and the entry
// (1, 0) below the diagonal is not written.
@inline
function overlapPairBlock(a0: usize, a1: usize, b0: usize, b1: usize, bytes: usize, outAt: usize, rows: i32, diagonal: bool): void {
  let sum00 = i16x8.splat(0);
  let sum01 = i16x8.splat(0);
  let sum10 = i16x8.splat(0);
  let sum11 = i16x8.splat(0);
  for (let offset: usize = 0; offset < bytes; offset += 16) {
    const x0 = v128.load(a0 + offset);
    const x1 = v128.load(a1 + offset);
    const y0 = v128.load(b0 + offset);
    const y1 = v128.load(b1 + offset);
    sum00 = i16x8.add(sum00, i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v128.and(x0, y0))));
    sum01 = i16x8.add(sum01, i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v128.and(x0, y1))));
    sum10 = i16x8.add(sum10, i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v128.and(x1, y0))));
    sum11 = i16x8.add(sum11, i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v128.and(x1, y1))));
  }
  const rowStride = <usize>rows << 2;
  store<i32>(outAt, load<i32>(outAt) + horizontalSum(sum00));
  store<i32>(outAt + 4, load<i32>(outAt + 4) + horizontalSum(sum01));
  if (!diagonal) store<i32>(outAt + rowStride, load<i32>(outAt + rowStride) + horizontalSum(sum10));
  store<i32>(outAt + rowStride + 4, load<i32>(outAt + rowStride + 4) + horizontalSum(sum11));
}

@inline
function overlapPair(a: usize, b: usize, bytes: usize): i32 {
  let sum = i16x8.splat(0);
  for (let offset: usize = 0; offset < bytes; offset += 16) {
    sum = i16x8.add(sum, i16x8.extadd_pairwise_i8x16_u(i8x16.popcnt(v128.and(v128.load(a + offset), v128.load(b + offset)))));
  }
  return horizontalSum(sum);
}

@inline
function horizontalSum(sum16: v128): i32 {
  const sum32 = i32x4.extadd_pairwise_i16x8_u(sum16);
  return i32x4.extract_lane(sum32, 0) + i32x4.extract_lane(sum32, 1) + i32x4.extract_lane(sum32, 2) + i32x4.extract_lane(sum32, 3);
}

// Activation patterns of a full-precision layer: bit r of row i is 1[z_ir >= -tol_i] with
// z_ir = sum_k x_ik w_rk summed in the order k = 0, 1, ..., d - 1 (a multiply, then an add,
// no fused multiply-add), so every z_ir equals the plain sequential dot product bit for bit.
//
// inputsT: d x inputsPadded (column-major inputs, inputsPadded a multiple of 4, zero padded)
// weights: neuronsPadded x d (row-major, neuronsPadded a multiple of 32, zero padded)
// tolerances: inputsPadded float64, the tie tolerances tol_i
// out: inputsPadded x (neuronsPadded / 32) uint32 words, bit r % 32 of word r / 32.
// Rows [inputStart, inputEnd) are computed (inputStart a multiple of 4).
export function preactivationPatterns(inputsT: usize, inputsPadded: i32, weights: usize, neuronsPadded: i32, d: i32, tolerances: usize, inputStart: i32, inputEnd: i32, out: usize): void {
  const wordsPerRow = neuronsPadded >>> 5;
  const inputStride = <usize>inputsPadded << 3;
  const weightStride = <usize>d << 3;
  for (let i = inputStart; i < inputEnd; i += 4) {
    const columns = inputsT + (<usize>i << 3);
    const negativeTolerance01 = f64x2.neg(v128.load(tolerances + (<usize>i << 3)));
    const negativeTolerance23 = f64x2.neg(v128.load(tolerances + (<usize>i << 3) + 16));
    for (let word = 0; word < wordsPerRow; word++) {
      let bits0: u32 = 0;
      let bits1: u32 = 0;
      let bits2: u32 = 0;
      let bits3: u32 = 0;
      for (let bit = 0; bit < 32; bit += 2) {
        const r = (word << 5) + bit;
        const weightRow0 = weights + <usize>r * weightStride;
        const weightRow1 = weightRow0 + weightStride;
        let z01r0 = f64x2.splat(0);
        let z23r0 = f64x2.splat(0);
        let z01r1 = f64x2.splat(0);
        let z23r1 = f64x2.splat(0);
        let column = columns;
        for (let k = 0; k < d; k++) {
          const x01 = v128.load(column);
          const x23 = v128.load(column + 16);
          const w0 = f64x2.splat(load<f64>(weightRow0 + (<usize>k << 3)));
          const w1 = f64x2.splat(load<f64>(weightRow1 + (<usize>k << 3)));
          z01r0 = f64x2.add(z01r0, f64x2.mul(x01, w0));
          z23r0 = f64x2.add(z23r0, f64x2.mul(x23, w0));
          z01r1 = f64x2.add(z01r1, f64x2.mul(x01, w1));
          z23r1 = f64x2.add(z23r1, f64x2.mul(x23, w1));
          column += inputStride;
        }
        const mask01r0 = i64x2.bitmask(f64x2.ge(z01r0, negativeTolerance01));
        const mask23r0 = i64x2.bitmask(f64x2.ge(z23r0, negativeTolerance23));
        const mask01r1 = i64x2.bitmask(f64x2.ge(z01r1, negativeTolerance01));
        const mask23r1 = i64x2.bitmask(f64x2.ge(z23r1, negativeTolerance23));
        bits0 |= ((mask01r0 & 1) << bit) | ((mask01r1 & 1) << (bit + 1));
        bits1 |= ((mask01r0 >>> 1) << bit) | ((mask01r1 >>> 1) << (bit + 1));
        bits2 |= ((mask23r0 & 1) << bit) | ((mask23r1 & 1) << (bit + 1));
        bits3 |= ((mask23r0 >>> 1) << bit) | ((mask23r1 >>> 1) << (bit + 1));
      }
      const outWord = out + ((<usize>i * wordsPerRow + word) << 2);
      const rowBytes = <usize>wordsPerRow << 2;
      store<u32>(outWord, bits0);
      store<u32>(outWord + rowBytes, bits1);
      store<u32>(outWord + 2 * rowBytes, bits2);
      store<u32>(outWord + 3 * rowBytes, bits3);
    }
  }
}

// Products C = A B^T with C_ij = sum_k a_ik b_jk summed in the order k = 0, 1, ..., d - 1
// (multiply, then add), equal bit for bit to the plain sequential dot product.
//
// aT: d x rowsAPadded (A transposed, rowsAPadded a multiple of 4, zero padded)
// b: rowsBPadded x d (row-major, rowsBPadded a multiple of 2, zero padded)
// out: rowsAPadded x rowsBPadded float64. Rows [rowStart, rowEnd) of C are computed
// (rowStart a multiple of 4).
export function productsABt(aT: usize, rowsAPadded: i32, b: usize, rowsBPadded: i32, d: i32, rowStart: i32, rowEnd: i32, out: usize): void {
  const aStride = <usize>rowsAPadded << 3;
  const bStride = <usize>d << 3;
  const outStride = <usize>rowsBPadded << 3;
  for (let i = rowStart; i < rowEnd; i += 4) {
    const columns = aT + (<usize>i << 3);
    const outRow0 = out + <usize>i * outStride;
    for (let j = 0; j < rowsBPadded; j += 2) {
      const bRow0 = b + <usize>j * bStride;
      const bRow1 = bRow0 + bStride;
      let c01j0 = f64x2.splat(0);
      let c23j0 = f64x2.splat(0);
      let c01j1 = f64x2.splat(0);
      let c23j1 = f64x2.splat(0);
      let column = columns;
      for (let k = 0; k < d; k++) {
        const a01 = v128.load(column);
        const a23 = v128.load(column + 16);
        const b0 = f64x2.splat(load<f64>(bRow0 + (<usize>k << 3)));
        const b1 = f64x2.splat(load<f64>(bRow1 + (<usize>k << 3)));
        c01j0 = f64x2.add(c01j0, f64x2.mul(a01, b0));
        c23j0 = f64x2.add(c23j0, f64x2.mul(a23, b0));
        c01j1 = f64x2.add(c01j1, f64x2.mul(a01, b1));
        c23j1 = f64x2.add(c23j1, f64x2.mul(a23, b1));
        column += aStride;
      }
      const at = outRow0 + (<usize>j << 3);
      store<f64>(at, f64x2.extract_lane(c01j0, 0));
      store<f64>(at + 8, f64x2.extract_lane(c01j1, 0));
      store<f64>(at + outStride, f64x2.extract_lane(c01j0, 1));
      store<f64>(at + outStride + 8, f64x2.extract_lane(c01j1, 1));
      store<f64>(at + 2 * outStride, f64x2.extract_lane(c23j0, 0));
      store<f64>(at + 2 * outStride + 8, f64x2.extract_lane(c23j1, 0));
      store<f64>(at + 3 * outStride, f64x2.extract_lane(c23j0, 1));
      store<f64>(at + 3 * outStride + 8, f64x2.extract_lane(c23j1, 1));
    }
  }
}

// Forward pass of a two-layer ReLU layer, fused: for inputs i in [inputStart, inputEnd)
// (multiples of 4) and the `neurons` neurons of one block (a multiple of 4), computes
//
//     z_ir = sum_k x_ik w_rk                  in the order k = 0, 1, ..., d - 1
//     sums_i = sums_i + a_r * relu(z_ir)      for r = 0, 1, ... in order
//     bit i of neuron row r = 1[z_ir >= (-t_i) * beta_r]
//
// with a multiply, then an add (no fused multiply-add), so every z_ir equals the plain
// sequential dot product and every sum the plain sequential loop over r, bit for bit.
// relu uses f64x2.pmax(z, 0), which returns -0 for z = -0 where Math.max returns +0. The
// product a_r * relu is then a zero of either sign. A sum that starts at +0 never becomes -0
// under round-to-nearest, so adding a zero of either sign leaves it unchanged.
//
// inputsT: d x inputsPadded (transposed inputs, zero padded); weights: neurons x d row-major;
// outputSigns, neuronScales: one float64 per neuron; negatedTolerances: -t_i, inputsPadded
// float64; sums: inputsPadded float64, read and updated; patterns: neurons rows of
// `wordsPerNeuron` uint32 words, bit i % 32 of word i / 32 (ORed in, so the host zeroes them).
export function reluForward(
  inputsT: usize,
  inputsPadded: i32,
  weights: usize,
  neurons: i32,
  d: i32,
  outputSigns: usize,
  neuronScales: usize,
  negatedTolerances: usize,
  sums: usize,
  patterns: usize,
  wordsPerNeuron: i32,
  inputStart: i32,
  inputEnd: i32,
): void {
  const inputStride = <usize>inputsPadded << 3;
  const weightStride = <usize>d << 3;
  const patternStride = <usize>wordsPerNeuron << 2;
  const zero = f64x2.splat(0);
  for (let i = inputStart; i < inputEnd; i += 4) {
    const inputOffset = <usize>i << 3;
    const columns = inputsT + inputOffset;
    const tolerance01 = v128.load(negatedTolerances + inputOffset);
    const tolerance23 = v128.load(negatedTolerances + inputOffset + 16);
    let sum01 = v128.load(sums + inputOffset);
    let sum23 = v128.load(sums + inputOffset + 16);
    const wordAt = patterns + ((<usize>i >>> 5) << 2);
    const shift = i & 31;
    for (let r = 0; r < neurons; r += 4) {
      const row0 = weights + <usize>r * weightStride;
      const row1 = row0 + weightStride;
      const row2 = row1 + weightStride;
      const row3 = row2 + weightStride;
      let z01r0 = zero, z23r0 = zero, z01r1 = zero, z23r1 = zero;
      let z01r2 = zero, z23r2 = zero, z01r3 = zero, z23r3 = zero;
      let column = columns;
      for (let k: usize = 0; k < <usize>d << 3; k += 8) {
        const x01 = v128.load(column);
        const x23 = v128.load(column + 16);
        const w0 = v128.load64_splat(row0 + k);
        const w1 = v128.load64_splat(row1 + k);
        const w2 = v128.load64_splat(row2 + k);
        const w3 = v128.load64_splat(row3 + k);
        z01r0 = f64x2.add(z01r0, f64x2.mul(x01, w0));
        z23r0 = f64x2.add(z23r0, f64x2.mul(x23, w0));
        z01r1 = f64x2.add(z01r1, f64x2.mul(x01, w1));
        z23r1 = f64x2.add(z23r1, f64x2.mul(x23, w1));
        z01r2 = f64x2.add(z01r2, f64x2.mul(x01, w2));
        z23r2 = f64x2.add(z23r2, f64x2.mul(x23, w2));
        z01r3 = f64x2.add(z01r3, f64x2.mul(x01, w3));
        z23r3 = f64x2.add(z23r3, f64x2.mul(x23, w3));
        column += inputStride;
      }
      const signsAt = outputSigns + (<usize>r << 3);
      const scalesAt = neuronScales + (<usize>r << 3);
      const wordRow = wordAt + <usize>r * patternStride;
      sum01 = accumulateNeuron(sum01, z01r0, signsAt);
      sum23 = accumulateNeuron(sum23, z23r0, signsAt);
      sum01 = accumulateNeuron(sum01, z01r1, signsAt + 8);
      sum23 = accumulateNeuron(sum23, z23r1, signsAt + 8);
      sum01 = accumulateNeuron(sum01, z01r2, signsAt + 16);
      sum23 = accumulateNeuron(sum23, z23r2, signsAt + 16);
      sum01 = accumulateNeuron(sum01, z01r3, signsAt + 24);
      sum23 = accumulateNeuron(sum23, z23r3, signsAt + 24);
      orPatternBits(wordRow, z01r0, z23r0, tolerance01, tolerance23, scalesAt, shift);
      orPatternBits(wordRow + patternStride, z01r1, z23r1, tolerance01, tolerance23, scalesAt + 8, shift);
      orPatternBits(wordRow + 2 * patternStride, z01r2, z23r2, tolerance01, tolerance23, scalesAt + 16, shift);
      orPatternBits(wordRow + 3 * patternStride, z01r3, z23r3, tolerance01, tolerance23, scalesAt + 24, shift);
    }
    v128.store(sums + inputOffset, sum01);
    v128.store(sums + inputOffset + 16, sum23);
  }
}

@inline
function accumulateNeuron(sum: v128, z: v128, signAt: usize): v128 {
  return f64x2.add(sum, f64x2.mul(v128.load64_splat(signAt), f64x2.pmax(z, f64x2.splat(0))));
}

// ORs the four bits 1[z_ir >= (-t_i) * beta_r] of inputs i .. i + 3 into the word at `wordAt`.
@inline
function orPatternBits(wordAt: usize, z01: v128, z23: v128, tolerance01: v128, tolerance23: v128, scaleAt: usize, shift: i32): void {
  const scale = v128.load64_splat(scaleAt);
  const bits01 = i64x2.bitmask(f64x2.ge(z01, f64x2.mul(tolerance01, scale)));
  const bits23 = i64x2.bitmask(f64x2.ge(z23, f64x2.mul(tolerance23, scale)));
  store<u32>(wordAt, load<u32>(wordAt) | (<u32>(bits01 | (bits23 << 2)) << shift));
}

// Gradient sums of a two-layer ReLU layer over the active inputs of each neuron:
//
//     G_rk = sum over i with bit i of neuron row r set, in the order i = 0, 1, ..., of c_ik
//
// starting from +0, where the host passes c_i = e_i x_i (residual times input). This equals
// the plain loop over all i of c_ik * 1[active] bit for bit: the skipped terms are zeros, and
// a sum that starts at +0 never becomes -0, so adding a zero leaves it unchanged.
//
// patterns: `neurons` rows of `wordsPerNeuron` words (bits beyond the inputs are zero);
// coefficients: rows of `vectorsPerRow` f64x2 vectors, one row per input, zero padded;
// out: neurons rows of `vectorsPerRow` vectors. The active inputs of a row are visited by
// count-trailing-zeros over its words, so the branch that ends a word's loop mispredicts
// about once per word instead of once per input. Columns go in chunks of up to 8 vectors,
// which stay in registers while the active rows stream past.
export function patternGradient(patterns: usize, wordsPerNeuron: i32, neurons: i32, coefficients: usize, vectorsPerRow: i32, out: usize): void {
  const rowBytes = <usize>vectorsPerRow << 4;
  for (let r = 0; r < neurons; r++) {
    const words = patterns + ((<usize>r * wordsPerNeuron) << 2);
    const outRow = out + <usize>r * rowBytes;
    let vector = 0;
    for (; vector + 8 <= vectorsPerRow; vector += 8) {
      gradientChunk8(words, wordsPerNeuron, coefficients + (<usize>vector << 4), rowBytes, outRow + (<usize>vector << 4));
    }
    for (; vector + 2 <= vectorsPerRow; vector += 2) {
      gradientChunk2(words, wordsPerNeuron, coefficients + (<usize>vector << 4), rowBytes, outRow + (<usize>vector << 4));
    }
    if (vector < vectorsPerRow) {
      gradientChunk1(words, wordsPerNeuron, coefficients + (<usize>vector << 4), rowBytes, outRow + (<usize>vector << 4));
    }
  }
}

@inline
function gradientChunk8(words: usize, wordCount: i32, columns: usize, rowBytes: usize, outAt: usize): void {
  const zero = f64x2.splat(0);
  let g0 = zero, g1 = zero, g2 = zero, g3 = zero, g4 = zero, g5 = zero, g6 = zero, g7 = zero;
  for (let word = 0; word < wordCount; word++) {
    let bits = load<u32>(words + (<usize>word << 2));
    const base = columns + (<usize>word << 5) * rowBytes;
    while (bits != 0) {
      const row = base + <usize>ctz(bits) * rowBytes;
      g0 = f64x2.add(g0, v128.load(row));
      g1 = f64x2.add(g1, v128.load(row, 16));
      g2 = f64x2.add(g2, v128.load(row, 32));
      g3 = f64x2.add(g3, v128.load(row, 48));
      g4 = f64x2.add(g4, v128.load(row, 64));
      g5 = f64x2.add(g5, v128.load(row, 80));
      g6 = f64x2.add(g6, v128.load(row, 96));
      g7 = f64x2.add(g7, v128.load(row, 112));
      bits &= bits - 1;
    }
  }
  v128.store(outAt, g0);
  v128.store(outAt, g1, 16);
  v128.store(outAt, g2, 32);
  v128.store(outAt, g3, 48);
  v128.store(outAt, g4, 64);
  v128.store(outAt, g5, 80);
  v128.store(outAt, g6, 96);
  v128.store(outAt, g7, 112);
}

@inline
function gradientChunk2(words: usize, wordCount: i32, columns: usize, rowBytes: usize, outAt: usize): void {
  let g0 = f64x2.splat(0);
  let g1 = f64x2.splat(0);
  for (let word = 0; word < wordCount; word++) {
    let bits = load<u32>(words + (<usize>word << 2));
    const base = columns + (<usize>word << 5) * rowBytes;
    while (bits != 0) {
      const row = base + <usize>ctz(bits) * rowBytes;
      g0 = f64x2.add(g0, v128.load(row));
      g1 = f64x2.add(g1, v128.load(row, 16));
      bits &= bits - 1;
    }
  }
  v128.store(outAt, g0);
  v128.store(outAt, g1, 16);
}

@inline
function gradientChunk1(words: usize, wordCount: i32, columns: usize, rowBytes: usize, outAt: usize): void {
  let g0 = f64x2.splat(0);
  for (let word = 0; word < wordCount; word++) {
    let bits = load<u32>(words + (<usize>word << 2));
    const base = columns + (<usize>word << 5) * rowBytes;
    while (bits != 0) {
      g0 = f64x2.add(g0, v128.load(base + <usize>ctz(bits) * rowBytes));
      bits &= bits - 1;
    }
  }
  v128.store(outAt, g0);
}

// One step of the Householder reduction of a symmetric n x n matrix to tridiagonal form, on
// the lower triangle of the trailing block B = rows and columns [first, n) of `a` (row-major
// float64). With the reflector H = I - tau v v^T (v given in v[first .. n)), it computes
//
//     w = B v               from the lower triangle: row i adds its dot product over j < i
//                           (two partial sums, of the j at even and at odd offsets from
//                           `first`, added at the end) plus a_ii v_i to w_i, and a_ij v_i
//                           to w_j for every j < i
//     w = tau w,  c = (0.5 tau) (v . w) summed in order,  w = w - c v
//     a_ij = a_ij - (v_i w_j + w_i v_j)   for first <= j <= i < n
//
// with a multiply, then an add (no fused multiply-add), in the same order as the TypeScript
// version in src/linalg/eigen.ts, so both return the same bits. v and w are float64 arrays
// of n entries; w is overwritten.
export function householderStep(a: usize, n: i32, first: i32, v: usize, w: usize, tau: f64): void {
  const rowBytes = <usize>n << 3;
  for (let j = first; j < n; j++) store<f64>(w + (<usize>j << 3), 0);

  for (let i = first; i < n; i++) {
    const row = a + <usize>i * rowBytes;
    const vi = load<f64>(v + (<usize>i << 3));
    const viSplat = f64x2.splat(vi);
    let sums = f64x2.splat(0);
    let j = first;
    for (; j + 1 < i; j += 2) {
      const offset = <usize>j << 3;
      const entries = v128.load(row + offset);
      sums = f64x2.add(sums, f64x2.mul(entries, v128.load(v + offset)));
      v128.store(w + offset, f64x2.add(v128.load(w + offset), f64x2.mul(entries, viSplat)));
    }
    let sumEven = f64x2.extract_lane(sums, 0);
    const sumOdd = f64x2.extract_lane(sums, 1);
    if (j < i) {
      const offset = <usize>j << 3;
      const entry = load<f64>(row + offset);
      sumEven = sumEven + entry * load<f64>(v + offset);
      store<f64>(w + offset, load<f64>(w + offset) + entry * vi);
    }
    const wAt = w + (<usize>i << 3);
    store<f64>(wAt, load<f64>(wAt) + ((sumEven + sumOdd) + load<f64>(row + (<usize>i << 3)) * vi));
  }

  let vDotP: f64 = 0;
  for (let i = first; i < n; i++) {
    const wAt = w + (<usize>i << 3);
    const p = load<f64>(wAt) * tau;
    store<f64>(wAt, p);
    vDotP = vDotP + load<f64>(v + (<usize>i << 3)) * p;
  }
  const correction = 0.5 * tau * vDotP;
  for (let i = first; i < n; i++) {
    const wAt = w + (<usize>i << 3);
    store<f64>(wAt, load<f64>(wAt) - correction * load<f64>(v + (<usize>i << 3)));
  }

  for (let i = first; i < n; i++) {
    const row = a + <usize>i * rowBytes;
    const vi = load<f64>(v + (<usize>i << 3));
    const wi = load<f64>(w + (<usize>i << 3));
    const viSplat = f64x2.splat(vi);
    const wiSplat = f64x2.splat(wi);
    let j = first;
    for (; j + 1 <= i; j += 2) {
      const offset = <usize>j << 3;
      const update = f64x2.add(f64x2.mul(viSplat, v128.load(w + offset)), f64x2.mul(wiSplat, v128.load(v + offset)));
      v128.store(row + offset, f64x2.sub(v128.load(row + offset), update));
    }
    if (j <= i) {
      const offset = <usize>j << 3;
      store<f64>(row + offset, load<f64>(row + offset) - (vi * load<f64>(w + offset) + wi * load<f64>(v + offset)));
    }
  }
}
