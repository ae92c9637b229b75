/** Seeded subsampling of a loaded data set. */

import { InvalidInputError, formatValue } from '../errors.js';
import { createRng } from '../util/rng.js';
import type { Dataset } from './dataset.js';

/** Default seed of `subsampleDataset` when the caller gives none. */
export const DEFAULT_SUBSAMPLE_SEED = 0;

/**
 * Returns `size` rows of `dataset` drawn uniformly without replacement, in their original
 * order. The draw is a partial Fisher-Yates shuffle of the row indices on the stream
 * `createRng(seed).fork('subsample')`, so the same seed and size always pick the same rows,
 * and the pick does not depend on how the rows were stored. When `size` equals the data set
 * size, the rows are returned unchanged. The result is a new object with copied arrays.
 *
 * Cost: O(n + size d).
 *
 * @param size number of rows to keep, an integer in [1, dataset.size]
 * @param seed an integer in [0, 2^32); default 0
 * @throws InvalidInputError when `size` or `seed` is out of range
 */
export function subsampleDataset(dataset: Dataset, size: number, seed: number = DEFAULT_SUBSAMPLE_SEED): Dataset {
  if (!Number.isInteger(size) || size < 1 || size > dataset.size) {
    throw new InvalidInputError(
      'size',
      size,
      `must be an integer in [1, ${dataset.size}] for data set ${dataset.name}, which has ` +
        `${dataset.size} rows after cleaning, got ${formatValue(size)}; pass a smaller size or omit it`,
    );
  }
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new InvalidInputError('seed', seed, `must be an integer in [0, 2^32), got ${formatValue(seed)}`);
  }
  if (size === dataset.size) return copyDataset(dataset, dataset.cleaning);

  const rng = createRng(seed).fork('subsample');
  const indices = Int32Array.from({ length: dataset.size }, (_, row) => row);
  for (let position = 0; position < size; position++) {
    const pick = position + rng.nextInt(dataset.size - position);
    const swap = indices[position];
    indices[position] = indices[pick];
    indices[pick] = swap;
  }
  const chosen = indices.subarray(0, size).sort();

  const { dimension } = dataset;
  const inputs = new Float64Array(size * dimension);
  const targets = new Float64Array(size);
  chosen.forEach((row, position) => {
    inputs.set(dataset.inputs.subarray(row * dimension, (row + 1) * dimension), position * dimension);
    targets[position] = dataset.targets[row];
  });
  return {
    name: dataset.name,
    size,
    dimension,
    inputs,
    targets,
    source: dataset.source,
    cleaning: [
      ...dataset.cleaning,
      `kept a random subsample of ${size} of ${dataset.size} rows without replacement ` +
        `(seed ${seed}), in their original order`,
    ],
  };
}

/** Returns a copy of `dataset` whose arrays the caller may modify freely. */
export function copyDataset(dataset: Dataset, cleaning: readonly string[] = dataset.cleaning): Dataset {
  return {
    name: dataset.name,
    size: dataset.size,
    dimension: dataset.dimension,
    inputs: Float64Array.from(dataset.inputs),
    targets: Float64Array.from(dataset.targets),
    source: dataset.source,
    cleaning: [...cleaning],
  };
}
