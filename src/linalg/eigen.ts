/**
 * Eigenvalues of symmetric matrices: the full spectrum by Householder tridiagonalization and
 * the implicit QR iteration, and the extreme eigenvalues by the Lanczos method.
 *
 * Matrices are n x n, row-major Float64Array. Both functions symmetrize first, using
 * 0.5 (K + K^T), because kernels assembled in floating point can differ from their
 * transpose in the last bits.
 */

import { InvalidInputError, NumericalError, formatValue } from '../errors.js';
import type { KernelImplementation } from './bitpack.js';
import { householderWorkspaceWasm, wasmKernelsAvailable, type HouseholderWorkspace } from './wasmKernels.js';
import { createRng, type Rng } from '../util/rng.js';

/** Result of `lambdaMinIterative`. */
export interface LanczosResult {
  /** Smallest Ritz value: an upper bound on lambda_min (Cauchy interlacing). */
  lambdaMin: number;
  /** Largest Ritz value: a lower bound on lambda_max. */
  lambdaMax: number;
  /** Lanczos steps taken (matrix-vector products). */
  iterations: number;
  /** ||K y - lambdaMin y||_2 for the unit Ritz vector y of lambdaMin, computed directly. */
  residual: number;
  /** True when both extreme Ritz pairs met the tolerance (see `lambdaMinIterative`). */
  converged: boolean;
}

/** Options of `lambdaMinIterative`. */
export interface LanczosOptions {
  /** Relative tolerance on the eigenvalue error bound; default DEFAULT_LANCZOS_TOLERANCE. */
  tolerance?: number;
  /** Largest Krylov dimension; default n (where Lanczos is exact up to rounding). */
  maxIterations?: number;
  /** Source of the random start vector; default createRng('lambdaMinIterative'). */
  rng?: Rng;
}

/**
 * Default relative tolerance: 1e-10. Eigenvalues of a matrix with O(1) entries are only
 * defined to about n 2^-53 lambda_max by the rounding of the entries themselves, which is
 * 1e-13 lambda_max at n = 1024; 1e-10 relative to a lambda_min of 1e-4 lambda_max sits just
 * above that floor.
 */
export const DEFAULT_LANCZOS_TOLERANCE = 1e-10;

/**
 * Absolute floor of the stopping rule, as a multiple of n 2^-53 |lambda_max|: below it a
 * residual is rounding noise, so a singular matrix (lambda_min = 0) can still converge.
 */
const RESIDUAL_FLOOR_FACTOR = 4;

/** Lanczos steps between two checks of the stopping rule. */
const CHECK_INTERVAL = 8;

/** Bisection steps for a tridiagonal eigenvalue: 2^-100 of the Gershgorin interval. */
const BISECTION_STEPS = 100;

/**
 * Implicit QR sweeps allowed on an unreduced block without a split (at either end or inside)
 * before `symmetricEigenvalues` gives up. The Wilkinson-shift iteration converges globally.
 * On the H and S kernels of iris, penguins and cars (widths 1 to 16, seeds 0 to 59) it needed
 * at most 6 sweeps between splits, so 30 only triggers on input that breaks the arithmetic.
 */
const MAX_SWEEPS_WITHOUT_SPLIT = 30;

/**
 * Sweeps without a split after which one sweep uses an exceptional shift instead of the
 * Wilkinson shift, so that a shift which repeats itself without progress is broken up.
 */
const EXCEPTIONAL_SHIFT_INTERVAL = 10;

/** Exceptional shift: the last diagonal entry plus this multiple of the last |off-diagonal|. */
const EXCEPTIONAL_SHIFT_FACTOR = 0.75;

/**
 * Deflation threshold: an off-diagonal entry e_i of the tridiagonal form T is set to zero once
 * |e_i| <= 2^-52 max(|d_i| + |d_(i+1)|, ||T||_inf). ml-matrix 6.15.1 (tql2) uses the same
 * absolute test with a running norm estimate. The relative test alone requires |e_i| near
 * 1e-32 inside the cluster of rounding-level eigenvalues of a low-rank kernel, which took 24
 * sweeps on a penguins S kernel. Zeroing |e_i| <= 2^-52 ||T|| moves each eigenvalue by less
 * than the rounding error that the Householder reduction has already made.
 */
const DEFLATION_EPSILON = 2 ** -52;

/** Below 2^-500, the sum of squares in sqrt(x^2 + z^2) can underflow, so Math.hypot takes over. */
const HYPOT_UNDERFLOW_LIMIT = 2 ** -500;

/**
 * Returns all eigenvalues of the symmetric part 0.5 (K + K^T) of an n x n matrix, ascending.
 *
 * Eigenvalues only: Householder reduction to a tridiagonal matrix, then the implicit
 * symmetric QR iteration with Wilkinson shifts on the tridiagonal, without forming any
 * eigenvector. The matrix is first scaled by a power of two (exact) so that its largest
 * entry lies in [1, 2), which keeps every square and norm away from overflow, and each
 * Householder vector is scaled the same way, which keeps the tiny columns of low-rank
 * matrices away from underflow. Both stages are backward stable: each computed eigenvalue is
 * within a small multiple of n 2^-53 ||K||_2 of an exact one. The reduction steps run in the
 * WebAssembly SIMD kernel when the runtime supports it (`implementation` 'auto'), else in
 * TypeScript, with identical results. Cost: about (4/3) n^3 multiply-adds for the reduction
 * plus O(n^2) for the QR iteration; memory n^2 float64. Throws NumericalError if an
 * eigenvalue exceeds the float64 range, or if the QR iteration fails to converge.
 */
export function symmetricEigenvalues(
  matrix: Float64Array,
  n: number,
  options: { implementation?: KernelImplementation } = {},
): Float64Array {
  checkSquare('symmetricEigenvalues', matrix, n);
  if (n === 0) return new Float64Array(0);
  const implementation = options.implementation ?? 'auto';
  const useWasm = implementation === 'wasm' || (implementation === 'auto' && wasmKernelsAvailable());
  const workspace = useWasm ? householderWorkspaceWasm(n) : householderWorkspaceTypeScript(n);
  const exponent = symmetrizeScaledInto(matrix, n, workspace.matrix);
  if (exponent === null) return new Float64Array(n);

  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(n - 1, 0));
  reduceToTridiagonal(workspace, n, diagonal, offDiagonal);
  tridiagonalQrEigenvalues(diagonal, offDiagonal, n);

  const [up0, up1] = powerOfTwoFactors(exponent);
  for (let i = 0; i < n; i++) {
    const scaled = diagonal[i]!;
    diagonal[i] = scaled * up0 * up1;
    if (!Number.isFinite(diagonal[i]!)) {
      throw new NumericalError(
        `symmetricEigenvalues: an eigenvalue of the ${n} x ${n} matrix is ${formatValue(scaled)} x 2^${exponent}, beyond the float64 range; ` +
          'divide the matrix by a power of two before the call and multiply the eigenvalues back',
        { n, scaledEigenvalue: scaled, exponent },
      );
    }
  }
  return diagonal.sort();
}

/**
 * Writes the symmetric part of `matrix`, scaled by a power of two so that its largest entry
 * lies in [1, 2), into `out`, and returns the base-2 exponent that undoes the scaling, or null
 * when the symmetric part is zero. The input is scaled before it is symmetrized, so the sum
 * K_ij + K_ji cannot overflow.
 */
function symmetrizeScaledInto(matrix: Float64Array, n: number, out: Float64Array): number | null {
  let largestInput = 0;
  for (let index = 0; index < matrix.length; index++) largestInput = Math.max(largestInput, Math.abs(matrix[index]!));
  if (largestInput === 0) return null;
  let exponent = Math.floor(Math.log2(largestInput));
  const [down0, down1] = powerOfTwoFactors(-exponent);
  for (let i = 0; i < n; i++) {
    out[i * n + i] = matrix[i * n + i]! * down0 * down1;
    for (let j = i + 1; j < n; j++) {
      const value = 0.5 * (matrix[i * n + j]! * down0 * down1 + matrix[j * n + i]! * down0 * down1);
      out[i * n + j] = value;
      out[j * n + i] = value;
    }
  }

  // An antisymmetric part can make the symmetric part much smaller than the input.
  let largest = 0;
  for (let index = 0; index < out.length; index++) largest = Math.max(largest, Math.abs(out[index]!));
  if (largest === 0) return null;
  const correction = Math.floor(Math.log2(largest));
  if (correction !== 0) {
    const [again0, again1] = powerOfTwoFactors(-correction);
    for (let index = 0; index < out.length; index++) out[index] = out[index]! * again0 * again1;
    exponent += correction;
  }
  return exponent;
}

/**
 * Returns two powers of two whose product is 2^exponent, each one a normal float64, so that
 * x * f0 * f1 scales x exactly even where 2^exponent itself overflows or is subnormal
 * (|exponent| up to 2044). The second factor is 1 whenever 2^exponent is itself normal.
 * Multiply in that order: the product f0 * f1 alone can overflow.
 */
function powerOfTwoFactors(exponent: number): [number, number] {
  if (exponent >= -1022 && exponent <= 1023) return [2 ** exponent, 1];
  const half = Math.trunc(exponent / 2);
  return [2 ** half, 2 ** (exponent - half)];
}

/**
 * Householder tridiagonalization of the symmetric n x n matrix in `workspace.matrix`
 * (row-major; only the lower triangle is read, and it is overwritten): writes the diagonal
 * and off-diagonal of T = Q^T A Q. Step k reflects column k below the diagonal onto its
 * first entry with H = I - tau v v^T, and `workspace.step` applies H to the trailing block.
 */
function reduceToTridiagonal(workspace: HouseholderWorkspace, n: number, diagonal: Float64Array, offDiagonal: Float64Array): void {
  const { matrix: a, v } = workspace;
  for (let k = 0; k + 2 < n; k++) {
    const first = k + 1;
    diagonal[k] = a[k * n + k]!;
    let columnLargest = 0;
    for (let j = first; j < n; j++) {
      v[j] = a[j * n + k]!;
      columnLargest = Math.max(columnLargest, Math.abs(v[j]!));
    }
    if (columnLargest === 0) {
      offDiagonal[k] = 0;
      continue;
    }

    // H is unchanged when v is scaled, so v is the column scaled exactly to a largest entry
    // in [1, 2). Unscaled, a column of size 1e-155 (common in the trailing block of a
    // low-rank matrix) makes ||v||^2 underflow and tau = 2 / ||v||^2 overflow to Infinity.
    const columnExponent = Math.floor(Math.log2(columnLargest));
    const [up0, up1] = powerOfTwoFactors(-columnExponent);
    for (let j = first; j < n; j++) v[j] = v[j]! * up0 * up1;
    const head = v[first]!;
    let tailSquares = 0;
    for (let j = first + 1; j < n; j++) tailSquares += v[j]! * v[j]!;
    if (tailSquares === 0) {
      // The column is already tridiagonal, or its tail is below 2^-537 of its largest entry.
      offDiagonal[k] = a[first * n + k]!;
      continue;
    }
    const length = Math.sqrt(head * head + tailSquares);
    // alpha has the sign opposite to head, so v_0 = head - alpha adds magnitudes (no cancellation).
    const alpha = head >= 0 ? -length : length;
    const [down0, down1] = powerOfTwoFactors(columnExponent);
    offDiagonal[k] = alpha * down0 * down1;
    v[first] = head - alpha;
    workspace.step(first, 2 / (v[first]! * v[first]! + tailSquares));
  }
  if (n >= 2) {
    diagonal[n - 2] = a[(n - 2) * n + n - 2]!;
    offDiagonal[n - 2] = a[(n - 1) * n + n - 2]!;
  }
  diagonal[n - 1] = a[(n - 1) * n + n - 1]!;
}

/** Returns a Householder workspace in plain arrays, with the TypeScript step. */
function householderWorkspaceTypeScript(n: number): HouseholderWorkspace {
  const matrix = new Float64Array(n * n);
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  return { matrix, v, w, step: (first, tau) => householderStepTypeScript(matrix, n, first, v, w, tau) };
}

/**
 * Applies H = I - tau v v^T to the trailing block B = [first, n) of the lower triangle of
 * `a`: p = tau B v, w = p - (tau / 2)(v . p) v, then B - v w^T - w v^T. The operations and
 * their order match `householderStep` in wasm/kernels.as, so both return the same bits.
 */
function householderStepTypeScript(a: Float64Array, n: number, first: number, v: Float64Array, w: Float64Array, tau: number): void {
  // B v from the lower triangle: row i contributes its dot product (two partial sums, of the
  // j at even and at odd offsets from `first`) to entry i and, by symmetry, a_ij v_i to
  // every entry j < i.
  w.fill(0, first, n);
  for (let i = first; i < n; i++) {
    const rowI = i * n;
    const vi = v[i]!;
    let sumEven = 0;
    let sumOdd = 0;
    let j = first;
    for (; j + 1 < i; j += 2) {
      const entry0 = a[rowI + j]!;
      const entry1 = a[rowI + j + 1]!;
      sumEven += entry0 * v[j]!;
      sumOdd += entry1 * v[j + 1]!;
      w[j]! += entry0 * vi;
      w[j + 1]! += entry1 * vi;
    }
    if (j < i) {
      const entry = a[rowI + j]!;
      sumEven += entry * v[j]!;
      w[j]! += entry * vi;
    }
    w[i]! += sumEven + sumOdd + a[rowI + i]! * vi;
  }

  let vDotP = 0;
  for (let i = first; i < n; i++) {
    w[i]! *= tau;
    vDotP += v[i]! * w[i]!;
  }
  const correction = 0.5 * tau * vDotP;
  for (let i = first; i < n; i++) w[i]! -= correction * v[i]!;

  for (let i = first; i < n; i++) {
    const rowI = i * n;
    const vi = v[i]!;
    const wi = w[i]!;
    for (let j = first; j <= i; j++) a[rowI + j]! -= vi * w[j]! + wi * v[j]!;
  }
}

/**
 * Replaces `diagonal` by the eigenvalues of the symmetric tridiagonal matrix (diagonal,
 * offDiagonal), unsorted; `offDiagonal` is destroyed. An off-diagonal entry below the
 * deflation threshold (see DEFLATION_EPSILON) is set to zero, which splits the matrix. The
 * unreduced block at the bottom gets implicit QR steps, with the Wilkinson shift and every
 * 10th sweep without a split an exceptional shift, until its last off-diagonal entry is zeroed.
 */
function tridiagonalQrEigenvalues(diagonal: Float64Array, offDiagonal: Float64Array, n: number): void {
  // ||T||_inf, computed once: the rotations keep ||T||_2, and ||T||_2 <= ||T||_inf <= 3 ||T||_2
  // for a tridiagonal T.
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const rowSum = Math.abs(diagonal[i]!) + (i > 0 ? Math.abs(offDiagonal[i - 1]!) : 0) + (i + 1 < n ? Math.abs(offDiagonal[i]!) : 0);
    norm = Math.max(norm, rowSum);
  }
  let high = n - 1;
  let blockLow = -1;
  let sweepsWithoutSplit = 0;
  while (high > 0) {
    if (isNegligibleCoupling(diagonal, offDiagonal, high - 1, norm)) {
      offDiagonal[high - 1] = 0;
      high--;
      blockLow = -1;
      continue;
    }
    // The unreduced block is [low, high]. A larger low than in the last sweep means that the
    // block split inside, which is progress as well.
    let low = high - 1;
    while (low > 0 && !isNegligibleCoupling(diagonal, offDiagonal, low - 1, norm)) low--;
    if (low > 0) offDiagonal[low - 1] = 0;
    if (low !== blockLow) {
      blockLow = low;
      sweepsWithoutSplit = 0;
    }

    if (sweepsWithoutSplit === MAX_SWEEPS_WITHOUT_SPLIT) {
      const coupling = offDiagonal[high - 1]!;
      throw new NumericalError(
        `symmetricEigenvalues: the implicit QR iteration did not converge on the ${n} x ${n} matrix: ` +
          `after ${MAX_SWEEPS_WITHOUT_SPLIT} sweeps on rows ${low} to ${high} of its tridiagonal form, the off-diagonal entry ` +
          `${formatValue(coupling)} is still above 2^-52 ||T||_inf = ${formatValue(DEFLATION_EPSILON * norm)} ` +
          '(after prescaling to a largest entry in [1, 2)). The input is valid, so this is a ' +
          'defect of the solver: report the matrix, and use lambdaMinIterative for its extreme eigenvalues meanwhile',
        { n, low, high, sweeps: MAX_SWEEPS_WITHOUT_SPLIT, offDiagonal: coupling },
      );
    }
    sweepsWithoutSplit++;
    const shift =
      sweepsWithoutSplit % EXCEPTIONAL_SHIFT_INTERVAL === 0
        ? diagonal[high]! + EXCEPTIONAL_SHIFT_FACTOR * Math.abs(offDiagonal[high - 1]!)
        : wilkinsonShift(diagonal, offDiagonal, high);
    implicitQrStep(diagonal, offDiagonal, low, high, shift);
  }
}

/** Tests whether the off-diagonal entry between rows i and i + 1 is below the deflation threshold. */
function isNegligibleCoupling(diagonal: Float64Array, offDiagonal: Float64Array, i: number, norm: number): boolean {
  const scale = Math.max(Math.abs(diagonal[i]!) + Math.abs(diagonal[i + 1]!), norm);
  return Math.abs(offDiagonal[i]!) <= DEFLATION_EPSILON * scale;
}

/**
 * Returns the Wilkinson shift of the block ending at row `high`: the eigenvalue of its
 * trailing 2 x 2 block closer to the last diagonal entry. The formula divides by at least
 * |coupling|, and `Math.hypot` does not underflow, so the shift stays finite.
 */
function wilkinsonShift(diagonal: Float64Array, offDiagonal: Float64Array, high: number): number {
  const coupling = offDiagonal[high - 1]!;
  const half = 0.5 * (diagonal[high - 1]! - diagonal[high]!);
  const root = Math.hypot(half, coupling);
  return diagonal[high]! - (coupling / (half >= 0 ? half + root : half - root)) * coupling;
}

/**
 * Performs one implicit symmetric QR step with the given shift on the unreduced block
 * [low, high]: a chain of Givens rotations G_k on rows and columns (k, k + 1),
 * T <- G_k^T T G_k, that chases the bulge from the top of the block to the bottom.
 */
function implicitQrStep(diagonal: Float64Array, offDiagonal: Float64Array, low: number, high: number, shift: number): void {
  let x = diagonal[low]! - shift;
  let z = offDiagonal[low]!;
  for (let k = low; k < high; k++) {
    // G = [[c, s], [-s, c]] with G^T (x, z) = (r, 0). Math.hypot is slower, so it only
    // replaces the plain formula where x^2 + z^2 may have lost accuracy to underflow.
    let r = Math.sqrt(x * x + z * z);
    if (r < HYPOT_UNDERFLOW_LIMIT) r = Math.hypot(x, z);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : -z / r;
    if (k > low) offDiagonal[k - 1] = r;

    const p = diagonal[k]!;
    const q = offDiagonal[k]!;
    const t = diagonal[k + 1]!;
    diagonal[k] = c * c * p - 2 * c * s * q + s * s * t;
    diagonal[k + 1] = s * s * p + 2 * c * s * q + c * c * t;
    offDiagonal[k] = c * s * (p - t) + (c * c - s * s) * q;
    if (k + 1 < high) {
      // The rotation moves entry (k + 2, k + 1) into the bulge at (k + 2, k).
      const below = offDiagonal[k + 1]!;
      z = -s * below;
      offDiagonal[k + 1] = c * below;
      x = offDiagonal[k]!;
    }
  }
}

/**
 * Computes the smallest and largest eigenvalues of the symmetric part of an n x n matrix by
 * the Lanczos method with full reorthogonalization.
 *
 * From a random unit start vector the method builds an orthonormal Krylov basis V_k and
 * the tridiagonal T_k = V_k^T K V_k; the extreme eigenvalues of T_k (found by Sturm-sequence
 * bisection) approach those of K from inside. Every new basis vector is orthogonalized
 * against all previous ones twice (classical Gram-Schmidt, twice), which keeps V_k
 * orthonormal to rounding and prevents spurious copies of converged eigenvalues.
 *
 * Stopping rule: for a Ritz pair (theta, y) with residual rho = ||K y - theta y||, some
 * eigenvalue of K lies within rho of theta (symmetric K). The method stops when both
 * extreme pairs have rho <= tolerance |theta| + 4 n 2^-53 |lambda_max|. The returned
 * residual is recomputed directly from the Ritz vector. `converged` is false when the step
 * limit is reached first; the values are then the best bounds found, not garbage, but have
 * no accuracy guarantee. In exact arithmetic Lanczos is exact at k = n, so with the default
 * limit only rounding can prevent convergence.
 *
 * Caveat: the eigenvalue within rho of lambdaMin is the smallest one unless the random
 * start vector is almost orthogonal to every eigenvector below it, which has probability
 * near zero for a random start.
 *
 * Cost: k matrix-vector products (k n^2 multiply-adds) plus about 2 k^2 n for the
 * reorthogonalization; memory k n float64 for the basis.
 */
export function lambdaMinIterative(matrix: Float64Array, n: number, options: LanczosOptions = {}): LanczosResult {
  checkSquare('lambdaMinIterative', matrix, n);
  const tolerance = options.tolerance ?? DEFAULT_LANCZOS_TOLERANCE;
  if (!(tolerance > 0) || !Number.isFinite(tolerance)) {
    throw new InvalidInputError('lambdaMinIterative: tolerance', tolerance, `tolerance must be a finite number > 0, got ${tolerance}`);
  }
  const maxIterations = options.maxIterations ?? n;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) {
    throw new InvalidInputError(
      'lambdaMinIterative: maxIterations',
      maxIterations,
      `maxIterations must be an integer >= 1, got ${maxIterations}`,
    );
  }
  if (n === 0) {
    throw new InvalidInputError('lambdaMinIterative: n', n, 'the matrix is empty; pass n >= 1');
  }
  const symmetric = symmetrize(matrix, n);
  const steps = Math.min(maxIterations, n);
  const rng = options.rng ?? createRng('lambdaMinIterative');

  const basis = new Float64Array(steps * n);
  const alphas = new Float64Array(steps);
  const betas = new Float64Array(steps);
  const work = new Float64Array(n);
  const coefficients = new Float64Array(steps);

  const start = basis.subarray(0, n);
  for (let i = 0; i < n; i++) start[i] = rng.nextGaussian();
  scaleToUnit(start);

  let k = 0;
  let ritz: RitzPairs = { lambdaMin: 0, lambdaMax: 0, residualMin: Infinity, residualMax: Infinity, vectorMin: new Float64Array(1) };
  let converged = false;
  while (k < steps) {
    const current = basis.subarray(k * n, (k + 1) * n);
    multiplySymmetric(symmetric, n, current, work);
    alphas[k] = dot(current, work);
    orthogonalizeTwice(work, basis, k + 1, n, coefficients);
    const beta = norm(work);
    betas[k] = beta;
    k++;

    // A tiny beta means the Krylov space is invariant: T_k's eigenvalues are exact.
    const invariant = beta <= n * 2 ** -53 * Math.max(Math.abs(alphas[k - 1]!), 1e-300) || k === n;
    if (invariant || k % CHECK_INTERVAL === 0 || k === steps) {
      ritz = extremeRitzPairs(alphas, betas, k);
      const floor = RESIDUAL_FLOOR_FACTOR * n * 2 ** -53 * Math.max(Math.abs(ritz.lambdaMax), Math.abs(ritz.lambdaMin));
      const residualScale = invariant ? 0 : beta;
      converged =
        residualScale * ritz.residualMin <= tolerance * Math.abs(ritz.lambdaMin) + floor &&
        residualScale * ritz.residualMax <= tolerance * Math.abs(ritz.lambdaMax) + floor;
      if (converged || invariant) break;
    }
    if (k < steps) {
      const next = basis.subarray(k * n, (k + 1) * n);
      for (let i = 0; i < n; i++) next[i] = work[i]! / beta;
    }
  }

  const residual = ritzResidual(symmetric, n, basis, k, ritz.vectorMin, ritz.lambdaMin);
  return { lambdaMin: ritz.lambdaMin, lambdaMax: ritz.lambdaMax, iterations: k, residual, converged };
}

/** Returns 0.5 (K + K^T) as a new array. */
function symmetrize(matrix: Float64Array, n: number): Float64Array {
  const symmetric = new Float64Array(n * n);
  symmetrizeInto(matrix, n, symmetric);
  return symmetric;
}

/** Writes 0.5 (K + K^T) into `out` (n x n). */
function symmetrizeInto(matrix: Float64Array, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    out[i * n + i] = matrix[i * n + i]!;
    for (let j = i + 1; j < n; j++) {
      const value = 0.5 * (matrix[i * n + j]! + matrix[j * n + i]!);
      out[i * n + j] = value;
      out[j * n + i] = value;
    }
  }
}

/** out = K v; four rows at a time so that each v_j load serves four products. */
function multiplySymmetric(matrix: Float64Array, n: number, vector: Float64Array, out: Float64Array): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const row0 = i * n;
    const row1 = row0 + n;
    const row2 = row1 + n;
    const row3 = row2 + n;
    let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
    for (let j = 0; j < n; j++) {
      const value = vector[j]!;
      sum0 += matrix[row0 + j]! * value;
      sum1 += matrix[row1 + j]! * value;
      sum2 += matrix[row2 + j]! * value;
      sum3 += matrix[row3 + j]! * value;
    }
    out[i] = sum0;
    out[i + 1] = sum1;
    out[i + 2] = sum2;
    out[i + 3] = sum3;
  }
  for (; i < n; i++) {
    const row = i * n;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += matrix[row + j]! * vector[j]!;
    out[i] = sum;
  }
}

/**
 * Removes from w its components along the first `count` basis vectors, in two passes
 * (classical Gram-Schmidt twice). Basis vectors are handled four at a time so that each
 * load of w serves four dot products or four updates.
 */
function orthogonalizeTwice(w: Float64Array, basis: Float64Array, count: number, n: number, coefficients: Float64Array): void {
  for (let pass = 0; pass < 2; pass++) {
    let j = 0;
    for (; j + 4 <= count; j += 4) {
      const b0 = j * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let dot0 = 0, dot1 = 0, dot2 = 0, dot3 = 0;
      for (let i = 0; i < n; i++) {
        const value = w[i]!;
        dot0 += basis[b0 + i]! * value;
        dot1 += basis[b1 + i]! * value;
        dot2 += basis[b2 + i]! * value;
        dot3 += basis[b3 + i]! * value;
      }
      coefficients[j] = dot0;
      coefficients[j + 1] = dot1;
      coefficients[j + 2] = dot2;
      coefficients[j + 3] = dot3;
    }
    for (; j < count; j++) coefficients[j] = dot(basis.subarray(j * n, (j + 1) * n), w);

    j = 0;
    for (; j + 4 <= count; j += 4) {
      const b0 = j * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      const c0 = coefficients[j]!;
      const c1 = coefficients[j + 1]!;
      const c2 = coefficients[j + 2]!;
      const c3 = coefficients[j + 3]!;
      for (let i = 0; i < n; i++) {
        w[i] = w[i]! - (c0 * basis[b0 + i]! + c1 * basis[b1 + i]! + c2 * basis[b2 + i]! + c3 * basis[b3 + i]!);
      }
    }
    for (; j < count; j++) {
      const coefficient = coefficients[j]!;
      const offset = j * n;
      for (let i = 0; i < n; i++) w[i]! -= coefficient * basis[offset + i]!;
    }
  }
}

/** Extreme eigenpairs of a Lanczos tridiagonal T_k. */
interface RitzPairs {
  lambdaMin: number;
  lambdaMax: number;
  /** |last component| of the unit eigenvector: the Ritz residual is beta_k times this. */
  residualMin: number;
  residualMax: number;
  /** Unit eigenvector of T_k for lambdaMin (coordinates of the Ritz vector in the basis). */
  vectorMin: Float64Array;
}

/** Returns the extreme eigenpairs of the k x k tridiagonal T (diagonal alphas, off-diagonal betas). */
function extremeRitzPairs(alphas: Float64Array, betas: Float64Array, k: number): RitzPairs {
  const lambdaMin = tridiagonalEigenvalue(alphas, betas, k, 0);
  const lambdaMax = tridiagonalEigenvalue(alphas, betas, k, k - 1);
  const vectorMin = tridiagonalEigenvector(alphas, betas, k, lambdaMin);
  const vectorMax = tridiagonalEigenvector(alphas, betas, k, lambdaMax);
  return {
    lambdaMin,
    lambdaMax,
    residualMin: Math.abs(vectorMin[k - 1]!),
    residualMax: Math.abs(vectorMax[k - 1]!),
    vectorMin,
  };
}

/** Returns the eigenvalue of index `index` (0 = smallest) of T by Sturm-sequence bisection. */
function tridiagonalEigenvalue(alphas: Float64Array, betas: Float64Array, k: number, index: number): number {
  let lower = Infinity;
  let upper = -Infinity;
  for (let i = 0; i < k; i++) {
    const radius = (i > 0 ? Math.abs(betas[i - 1]!) : 0) + (i < k - 1 ? Math.abs(betas[i]!) : 0);
    lower = Math.min(lower, alphas[i]! - radius);
    upper = Math.max(upper, alphas[i]! + radius);
  }
  for (let step = 0; step < BISECTION_STEPS; step++) {
    const middle = 0.5 * (lower + upper);
    if (middle <= lower || middle >= upper) break;
    if (countEigenvaluesBelow(alphas, betas, k, middle) > index) upper = middle;
    else lower = middle;
  }
  return 0.5 * (lower + upper);
}

/** Counts the eigenvalues of T below x (Sturm sequence of the LDL^T pivots of T - x I). */
function countEigenvaluesBelow(alphas: Float64Array, betas: Float64Array, k: number, x: number): number {
  let count = 0;
  let pivot = 1;
  for (let i = 0; i < k; i++) {
    const offDiagonal = i > 0 ? betas[i - 1]! : 0;
    pivot = alphas[i]! - x - (i > 0 ? (offDiagonal * offDiagonal) / pivot : 0);
    // A zero pivot is replaced by a tiny negative one, which is the standard way to keep
    // the count right when x hits an eigenvalue of a leading block.
    if (pivot === 0) pivot = -1e-300;
    if (pivot < 0) count++;
  }
  return count;
}

/**
 * Returns the unit eigenvector of T for the eigenvalue `lambda` by two steps of inverse
 * iteration with a Gaussian-elimination solve that pivots between adjacent rows.
 */
function tridiagonalEigenvector(alphas: Float64Array, betas: Float64Array, k: number, lambda: number): Float64Array {
  let vector: Float64Array = new Float64Array(k).fill(1 / Math.sqrt(k));
  const scale = Math.max(Math.abs(lambda), 1e-300);
  // Shift slightly off the eigenvalue so the system is solvable; inverse iteration
  // converges the faster the closer the shift.
  const shift = lambda - 2 ** -50 * scale;
  for (let step = 0; step < 3; step++) {
    vector = solveShiftedTridiagonal(alphas, betas, k, shift, vector);
    scaleToUnit(vector);
  }
  return vector;
}

/** Solves (T - shift I) x = rhs with partial pivoting (T tridiagonal, k x k). */
function solveShiftedTridiagonal(
  alphas: Float64Array,
  betas: Float64Array,
  k: number,
  shift: number,
  rhs: Float64Array,
): Float64Array {
  // Banded LU with row interchanges: U has two super-diagonals.
  const diagonal = new Float64Array(k);
  const upper1 = new Float64Array(k);
  const upper2 = new Float64Array(k);
  const b = Float64Array.from(rhs);
  for (let i = 0; i < k; i++) {
    diagonal[i] = alphas[i]! - shift;
    upper1[i] = i < k - 1 ? betas[i]! : 0;
  }
  const lowerAt = (i: number): number => betas[i]!;
  const tiny = 1e-300;
  for (let i = 0; i < k - 1; i++) {
    const sub = lowerAt(i);
    if (Math.abs(sub) > Math.abs(diagonal[i]!)) {
      // Swap rows i and i + 1.
      const factor = diagonal[i]! / sub;
      const nextDiagonal = diagonal[i + 1]!;
      const nextUpper1 = upper1[i + 1]!;
      diagonal[i] = sub;
      const oldUpper1 = upper1[i]!;
      upper1[i] = nextDiagonal;
      upper2[i] = nextUpper1;
      diagonal[i + 1] = oldUpper1 - factor * nextDiagonal;
      upper1[i + 1] = -factor * nextUpper1;
      const oldB = b[i]!;
      b[i] = b[i + 1]!;
      b[i + 1] = oldB - factor * b[i]!;
    } else {
      const pivot = diagonal[i] === 0 ? tiny : diagonal[i]!;
      diagonal[i] = pivot;
      const factor = sub / pivot;
      upper2[i] = 0;
      diagonal[i + 1] = diagonal[i + 1]! - factor * upper1[i]!;
      b[i + 1] = b[i + 1]! - factor * b[i]!;
    }
  }
  if (diagonal[k - 1] === 0) diagonal[k - 1] = tiny;
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let value = b[i]!;
    if (i + 1 < k) value -= upper1[i]! * x[i + 1]!;
    if (i + 2 < k) value -= upper2[i]! * x[i + 2]!;
    x[i] = value / diagonal[i]!;
  }
  return x;
}

/** Returns ||K y - theta y|| for the Ritz vector y = V_k s (s unit). */
function ritzResidual(
  matrix: Float64Array,
  n: number,
  basis: Float64Array,
  k: number,
  coefficients: Float64Array,
  theta: number,
): number {
  const ritzVector = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const coefficient = coefficients[j]!;
    const offset = j * n;
    for (let i = 0; i < n; i++) ritzVector[i]! += coefficient * basis[offset + i]!;
  }
  scaleToUnit(ritzVector);
  const image = new Float64Array(n);
  multiplySymmetric(matrix, n, ritzVector, image);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const difference = image[i]! - theta * ritzVector[i]!;
    sumSquares += difference * difference;
  }
  return Math.sqrt(sumSquares);
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function norm(vector: Float64Array): number {
  return Math.sqrt(dot(vector, vector));
}

function scaleToUnit(vector: Float64Array): void {
  const length = norm(vector);
  if (length === 0) return;
  for (let i = 0; i < vector.length; i++) vector[i]! /= length;
}

function checkSquare(fn: string, matrix: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || matrix.length !== n * n) {
    throw new InvalidInputError(
      `${fn}: matrix`,
      { length: matrix.length, n },
      `expected an n x n row-major array with n = ${n} (length ${n * n}), got length ${matrix.length}`,
    );
  }
  for (let index = 0; index < matrix.length; index++) {
    if (!Number.isFinite(matrix[index]!)) {
      throw new InvalidInputError(
        `${fn}: matrix`,
        matrix[index],
        `entry (${Math.floor(index / n)}, ${index % n}) is not finite; eigenvalues need finite entries`,
      );
    }
  }
}
