/** Loading of the data set named by check options. */
import { loadDataset, type Dataset } from '../data/index.js';
import { InvalidInputError } from '../errors.js';
import type { CheckOptions } from './options.js';

/** Loads the data set of the options (bundled, synthetic or file), subsampled when asked. */
export function loadCheckDataset(options: CheckOptions): Dataset {
  try {
    return loadDataset(options.dataset, { ...(options.dataSize !== null ? { size: options.dataSize } : {}), seed: options.dataSeed });
  } catch (error) {
    throw withCommandLineField(error);
  }
}

/** Renames the data layer's `size` option in an error to `--data-size`, the option that sets it here. */
export function withCommandLineField(error: unknown): unknown {
  if (!(error instanceof InvalidInputError) || error.field !== 'size') return error;
  return new InvalidInputError('--data-size', error.value, error.message.slice('size: '.length));
}
