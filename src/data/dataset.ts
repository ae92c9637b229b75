/**
 * The data set type every simulation consumes.
 *
 * Inputs are stored row-major in one Float64Array: row i occupies
 * `inputs[i * dimension .. (i + 1) * dimension)`. After loading, every row has unit
 * Euclidean norm and no two rows are parallel, because the infinite-width kernel is
 * singular for parallel inputs.
 */
export interface Dataset {
  /** Short identifier used on the command line, e.g. `iris`. */
  readonly name: string;
  /** Number of examples n. */
  readonly size: number;
  /** Input dimension d. */
  readonly dimension: number;
  /** Unit-norm inputs, n x d row-major. */
  readonly inputs: Float64Array;
  /** Targets y, length n, each with |y| <= 1 unless the loader's options allow more. */
  readonly targets: Float64Array;
  /** Origin of the data (package and file, or a path, or a generator with its seed). */
  readonly source: string;
  /** Changes loading made to the raw data, in plain sentences (rows dropped and why, scaling). */
  readonly cleaning: readonly string[];
}
