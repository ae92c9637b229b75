/** Loading of the data set named by check options. */
import { loadDataset, type Dataset } from '../data/index.js';
import type { CheckOptions } from './options.js';

/** Loads the data set of the options (bundled, synthetic or file), subsampled when asked. */
export function loadCheckDataset(options: CheckOptions): Dataset {
  return loadDataset(options.dataset, { ...(options.dataSize !== null ? { size: options.dataSize } : {}), seed: options.dataSeed });
}
