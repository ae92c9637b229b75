/**
 * Detection of parallel and anti-parallel pairs among unit-norm rows.
 *
 * Two unit vectors x and z count as parallel when |x . z| >= 1 - tolerance. A parallel pair
 * makes the infinite-width ReLU kernel singular, so loaders drop or reject such rows.
 */

import { createRng } from '../util/rng.js';

/** Result of `findParallelRows`. */
export interface ParallelRowScan {
  /**
   * For each row j, the smallest index i < j of a kept row with |x_i . x_j| >= 1 - tolerance,
   * or -1 when row j is kept. A row is kept when no earlier kept row is parallel to it, so a
   * chain a ~ b ~ c with a and c far apart keeps a and c.
   */
  readonly partner: Int32Array;
  /** For each row with a partner, the cosine x_partner . x_j (close to +1 or -1); otherwise 0. */
  readonly cosine: Float64Array;
  /** The smallest row index with a partner, or -1 when every row is kept. */
  readonly firstRedundant: number;
}

/**
 * Absolute slack added to the sweep window. The window bound sqrt(2 tolerance) is exact in
 * exact arithmetic only, and a projection u . x of unit vectors carries a rounding error of a few
 * units of 2^-52 times the dimension. 1e-10 stays above that error for any dimension up to
 * about 10^5, and it only widens the candidate search, so it never changes which pairs count.
 */
const SWEEP_WINDOW_SLACK = 1e-10;

/** Fixed seed of the projection direction, so the search visits candidates in the same order on every run. */
const PROJECTION_SEED = 'bitbound-parallel-check';

/**
 * Finds the rows that are parallel or anti-parallel (|x_i . x_j| >= 1 - tolerance) to an
 * earlier kept row, visiting rows in index order.
 *
 * Method: project every row on one fixed unit direction u and sort the rows by p_i = |u . x_i|.
 * If x . z >= 1 - tol then ||x - z||^2 = 2 - 2 x . z <= 2 tol, and if x . z <= -(1 - tol)
 * then ||x + z||^2 <= 2 tol. Either way ||u.x| - |u.z|| <= sqrt(2 tol), so row j is compared
 * by a full dot product only with earlier kept rows whose projections lie within that
 * window of p_j.
 *
 * Cost: O(n d) for the projections and O(n log n) for the sort, plus O(1) per row in a
 * window and O(d) per earlier kept row in a window. The worst case (all projections equal)
 * is O(n^2 d); data spread over the sphere gives few candidates. Memory is O(n).
 *
 * @param inputs unit-norm rows, n x d row-major
 * @param size the number of rows n
 * @param dimension the row length d
 * @param tolerance the tolerance tol in [0, 1)
 * @param stopAtFirst stop after the first row with a partner (enough to reject the data)
 */
export function findParallelRows(
  inputs: Float64Array,
  size: number,
  dimension: number,
  tolerance: number,
  stopAtFirst = false,
): ParallelRowScan {
  const direction = drawUnitDirection(dimension);
  const projections = new Float64Array(size);
  for (let row = 0; row < size; row++) {
    let dot = 0;
    for (let k = 0; k < dimension; k++) dot += direction[k] * inputs[row * dimension + k];
    projections[row] = Math.abs(dot);
  }

  const order = Int32Array.from({ length: size }, (_, row) => row);
  order.sort((a, b) => projections[a] - projections[b] || a - b);
  const rank = new Int32Array(size);
  order.forEach((row, position) => {
    rank[row] = position;
  });

  const window = Math.sqrt(2 * tolerance) + SWEEP_WINDOW_SLACK;
  const threshold = 1 - tolerance;
  const partner = new Int32Array(size).fill(-1);
  const cosine = new Float64Array(size);
  let firstRedundant = -1;

  const consider = (row: number, candidate: number): void => {
    // Only an earlier row that is kept can make `row` redundant, and the smallest index wins.
    if (candidate >= row || partner[candidate] !== -1) return;
    if (partner[row] !== -1 && candidate > partner[row]) return;
    const dot = dotRows(inputs, dimension, candidate, row);
    if (Math.abs(dot) >= threshold) {
      partner[row] = candidate;
      cosine[row] = dot;
    }
  };

  for (let row = 0; row < size; row++) {
    const center = projections[row];
    for (let position = rank[row] - 1; position >= 0; position--) {
      if (center - projections[order[position]] > window) break;
      consider(row, order[position]);
    }
    for (let position = rank[row] + 1; position < size; position++) {
      if (projections[order[position]] - center > window) break;
      consider(row, order[position]);
    }
    if (partner[row] !== -1 && firstRedundant === -1) {
      firstRedundant = row;
      if (stopAtFirst) break;
    }
  }
  return { partner, cosine, firstRedundant };
}

/** Returns the dot product of rows a and b of a row-major matrix with `dimension` columns. */
export function dotRows(inputs: Float64Array, dimension: number, a: number, b: number): number {
  let dot = 0;
  const offsetA = a * dimension;
  const offsetB = b * dimension;
  for (let k = 0; k < dimension; k++) dot += inputs[offsetA + k] * inputs[offsetB + k];
  return dot;
}

function drawUnitDirection(dimension: number): Float64Array {
  const rng = createRng(PROJECTION_SEED).fork(dimension);
  const direction = new Float64Array(dimension);
  let normSquared = 0;
  while (normSquared === 0) {
    normSquared = 0;
    for (let k = 0; k < dimension; k++) {
      direction[k] = rng.nextGaussian();
      normSquared += direction[k] * direction[k];
    }
  }
  const norm = Math.sqrt(normSquared);
  for (let k = 0; k < dimension; k++) direction[k] = direction[k] / norm;
  return direction;
}
